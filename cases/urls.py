from django.urls import path

from cases.views import (
    case,
    caseload,
    contact,
    follow_ups,
    guardians,
    history,
    police,
    records,
    transfers,
)

app_name = "cases"

urlpatterns = [
    path("", caseload.caseload_list, name="caseload"),
    path("filters/save/", caseload.caseload_filter_save, name="caseload_filter_save"),
    path("filters/<int:filter_id>/", caseload.caseload_filter_apply, name="caseload_filter_apply"),
    path(
        "filters/<int:filter_id>/delete/",
        caseload.caseload_filter_delete,
        name="caseload_filter_delete",
    ),
    path("new/", case.case_new, name="new"),
    path("<int:case_id>/", case.case_detail, name="detail"),
    # The case page's other tabs (cases.tabs), the print view and the contact card
    path("<int:case_id>/tab/<slug:tab>/", case.case_tab, name="detail_tab"),
    path("<int:case_id>/print/", case.case_print, name="print"),
    path("<int:case_id>/contact/", contact.contact_card_edit, name="contact_card"),
    path(
        "<int:case_id>/contact/people/new/",
        contact.contact_person_new,
        name="contact_person_new",
    ),
    path(
        "<int:case_id>/contact/people/<int:contact_person_id>/remove/",
        contact.contact_person_remove,
        name="contact_person_remove",
    ),
    # A young client's guardians, on the contact card (cases.views.guardians)
    path("<int:case_id>/contact/guardians/new/", guardians.guardian_new, name="guardian_new"),
    path(
        "<int:case_id>/contact/guardians/<int:guardian_id>/",
        guardians.guardian_edit,
        name="guardian_edit",
    ),
    path(
        "<int:case_id>/contact/guardians/<int:guardian_id>/remove/",
        guardians.guardian_remove,
        name="guardian_remove",
    ),
    path("<int:case_id>/transition/", case.case_transition_view, name="transition"),
    path("<int:case_id>/assign/", case.case_assign_view, name="assign"),
    path("<int:case_id>/assessments/new/", records.assessment_new, name="assessment_new"),
    path("<int:case_id>/threats/new/", records.threat_new, name="threat_new"),
    path("<int:case_id>/needs/new/", records.need_new, name="need_new"),
    path("<int:case_id>/needs/<int:need_id>/resolve/", records.need_resolve, name="need_resolve"),
    path("<int:case_id>/interventions/new/", records.intervention_new, name="intervention_new"),
    path(
        "<int:case_id>/interventions/<int:intervention_id>/edit/",
        records.intervention_edit,
        name="intervention_edit",
    ),
    path("<int:case_id>/journal/new/", records.journal_new, name="journal_new"),
    path("<int:case_id>/consents/new/", records.consent_new, name="consent_new"),
    path(
        "<int:case_id>/consents/<int:consent_id>/revoke/",
        records.consent_revoke,
        name="consent_revoke",
    ),
    path("<int:case_id>/affiliations/new/", records.affiliation_new, name="affiliation_new"),
    # Corrections: reopening, ending and correcting records; an assessment; a journal entry
    path(
        "<int:case_id>/assessments/<int:assessment_id>/",
        records.assessment_detail,
        name="assessment_detail",
    ),
    path("<int:case_id>/needs/<int:need_id>/reopen/", records.need_reopen, name="need_reopen"),
    path(
        "<int:case_id>/interventions/<int:intervention_id>/end/",
        records.intervention_end,
        name="intervention_end",
    ),
    path(
        "<int:case_id>/consents/<int:consent_id>/edit/",
        records.consent_edit,
        name="consent_edit",
    ),
    path(
        "<int:case_id>/affiliations/<int:affiliation_id>/edit/",
        records.affiliation_edit,
        name="affiliation_edit",
    ),
    path(
        "<int:case_id>/affiliations/<int:affiliation_id>/end/",
        records.affiliation_end,
        name="affiliation_end",
    ),
    path(
        "<int:case_id>/placements/<int:placement_id>/edit/",
        records.placement_edit,
        name="placement_edit",
    ),
    path(
        "<int:case_id>/placements/<int:placement_id>/end/",
        records.placement_end,
        name="placement_end",
    ),
    path(
        "<int:case_id>/journal/<int:entry_id>/",
        records.journal_entry,
        name="journal_entry",
    ),
    # Follow-ups after the case ends
    path(
        "<int:case_id>/follow-ups/<int:follow_up_id>/",
        follow_ups.follow_up_record,
        name="follow_up_record",
    ),
    # Sharing with the police, the liaison's view, placements
    path("<int:case_id>/shared/", police.shared_case, name="shared"),
    path("<int:case_id>/shared/notes/new/", police.police_note_new, name="police_note_new"),
    path("<int:case_id>/shares/new/", police.share_new, name="share_new"),
    path("<int:case_id>/shares/<int:share_id>/end/", police.share_end, name="share_end"),
    path("<int:case_id>/placements/new/", police.placement_new, name="placement_new"),
    # Transfers between municipalities
    path("<int:case_id>/transfer/", transfers.transfer_new, name="transfer_new"),
    path("transfers/", transfers.transfer_list, name="transfers"),
    path("transfers/<int:transfer_id>/answer/", transfers.transfer_answer, name="transfer_answer"),
    path(
        "transfers/<int:transfer_id>/withdraw/",
        transfers.transfer_withdraw_view,
        name="transfer_withdraw",
    ),
    # The history of a record of the case (kind: cases.history.KINDS)
    path(
        "<int:case_id>/history/<slug:kind>/<int:pk>/",
        history.record_history,
        name="record_history",
    ),
    path(
        "municipalities/<int:municipality_id>/team-visibility/",
        case.team_visibility,
        name="team_visibility",
    ),
]
