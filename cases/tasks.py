"""Background work on cases. A task loads ids and calls a service; nothing else."""

from celery import shared_task
from django.utils import timezone

from cases import notify, services


@shared_task
def sweep_police_shares() -> int:
    """End the police shares whose consent was revoked or has expired; the number ended.

    Access already ended at the revocation or expiry (the policy checks on every request);
    the sweep records it, removes the grants and logs it. Safe to run again at any time.
    """
    return len(services.police_shares_sweep())


@shared_task
def notify_reviews_overdue() -> int:
    """Notify the caseworkers of the reviews overdue (once per case and review date)."""
    return notify.reviews_notify_overdue(today=timezone.localdate())


@shared_task
def notify_follow_ups_due() -> int:
    """Notify the caseworkers of the follow-ups due (once per follow-up and date)."""
    return notify.follow_ups_notify_due(today=timezone.localdate())


@shared_task
def notify_police_shares_expiring() -> int:
    """Notify of the police shares whose consent expires soon (once per share and date)."""
    return notify.police_shares_notify_expiring(today=timezone.localdate())


@shared_task
def notify_clients_turned_adult() -> int:
    """Clear the young flag on the 18th birthday and notify the caseworkers (once per client)."""
    return notify.clients_notify_turned_adult(today=timezone.localdate())
