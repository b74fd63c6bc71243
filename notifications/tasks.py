"""Notification e-mails, queued through the outbox by `services.notification_send`."""

from celery import shared_task

from notifications import services


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def send_notification_emails(ids: list[int]) -> int:
    """E-mail these notifications (each at most once); retried while the mail server fails."""
    return services.notification_emails_send(ids=ids)
