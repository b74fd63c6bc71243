"""The daily "task due" notifications (beat: CELERY_BEAT_SCHEDULE in exitprog/settings.py)."""

from celery import shared_task
from django.utils import timezone

from reminders import services


@shared_task
def notify_tasks_due() -> int:
    return services.tasks_notify_due(today=timezone.localdate())
