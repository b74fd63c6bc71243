"""Notification e-mails, queued through the outbox by `services.notification_send` and again,
while unsent, by the sweep (beat: CELERY_BEAT_SCHEDULE in exitprog/settings.py)."""

from celery import shared_task

from notifications import services


@shared_task
def send_notification_emails(ids: list[int]) -> int:
    """E-mail these notifications (each at most once). A failure is counted on the
    notification, not raised for Celery to retry: the sweep queues it again."""
    return services.notification_emails_send(ids=ids)


@shared_task
def resend_notification_emails() -> int:
    """Queue again the e-mails that failed or whose job was lost; the number queued."""
    return services.notification_emails_resend()
