from django.urls import path

from cases.views import case, caseload, follow_ups, history, police, records, transfers

app_name = "cases"

urlpatterns = [
    path("", caseload.caseload_list, name="caseload"),
    path("new/", case.case_new, name="new"),
    path("<int:case_id>/", case.case_detail, name="detail"),
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
