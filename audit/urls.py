from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("cases/<int:case_id>/access-log/", views.case_access_log, name="case_access_log"),
    path(
        "municipalities/<int:municipality_id>/access-log/",
        views.municipality_access_log,
        name="municipality_access_log",
    ),
]
