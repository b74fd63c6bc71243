from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("<int:case_id>/tasks/new/", views.task_new, name="task_new"),
    path("<int:case_id>/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
]
