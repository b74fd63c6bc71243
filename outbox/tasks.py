"""The outbox's relay: beat sends it every OUTBOX_RELAY_SECONDS."""

from celery import shared_task

from outbox import services


@shared_task
def relay_outbox() -> int:
    """Send every job still unsent (a broker that was away at the commit); the number sent.
    Messages younger than a second are left to the publish their commit is making."""
    return services.outbox_relay(older_than=1)


@shared_task
def purge_sent_outbox() -> int:
    """Forget the messages sent over a week ago."""
    return services.outbox_purge_sent()
