from django.urls import path

from cases.views import case, caseload, records

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
    path(
        "municipalities/<int:municipality_id>/team-visibility/",
        case.team_visibility,
        name="team_visibility",
    ),
]
