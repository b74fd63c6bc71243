from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/status/", views.report_status, name="status"),
    path("<int:report_id>/download/", views.report_download, name="download"),
    path("cases/<int:case_id>/new/", views.case_report_new, name="case_new"),
    path("caseload/new/", views.caseload_report_new, name="caseload_new"),
    path(
        "municipalities/<int:municipality_id>/cadence/",
        views.case_report_cadence,
        name="cadence",
    ),
]
