"""The daily reminder of a young client's case without a report of concern (beat:
CELERY_BEAT_SCHEDULE in exitprog/settings.py)."""

from celery import shared_task
from django.utils import timezone

from youth import services


@shared_task
def notify_reports_of_concern_missing() -> int:
    """Notify the caseworkers of each young client's case without a report (once per case)."""
    return services.reports_of_concern_notify_missing(today=timezone.localdate())
