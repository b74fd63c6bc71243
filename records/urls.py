from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("<int:case_id>/plan/", views.plan, name="plan"),
    path("<int:case_id>/plan/new/", views.plan_new, name="plan_new"),
    path("<int:case_id>/reviews/new/", views.review_new, name="review_new"),
]
