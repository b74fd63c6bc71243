from django.urls import path

from youth import views

app_name = "youth"

urlpatterns = [
    path(
        "<int:case_id>/youth/report-of-concern/new/",
        views.report_of_concern_new,
        name="report_of_concern_new",
    ),
    path("<int:case_id>/youth/meetings/new/", views.joint_meeting_new, name="joint_meeting_new"),
    path(
        "<int:case_id>/youth/meetings/<int:meeting_id>/",
        views.joint_meeting,
        name="joint_meeting",
    ),
]
