"""Background work on cases. A task loads ids and calls a service; nothing else."""

from celery import shared_task

from cases import services


@shared_task
def sweep_police_shares() -> int:
    """End the police shares whose consent was revoked or has expired; the number ended.

    Access already ended at the revocation or expiry (the policy checks on every request);
    the sweep records it, removes the grants and logs it. Safe to run again at any time.
    """
    return len(services.police_shares_sweep())
