"""The transactional outbox: no job is lost, and no web request waits on Redis.

1. `outbox_put` writes the job as a row in the caller's transaction: rolled back with it,
   committed with it;
2. after the commit one publish is tried, with short broker timeouts
   (settings.OUTBOX_PUBLISH_TIMEOUT, for connecting, each socket operation, and no retry),
   so a broker that is down or hung costs the request a fraction of a second, not 20 s;
3. whatever is still unsent is sent by `outbox_relay`, which beat runs every
   OUTBOX_RELAY_SECONDS: once Redis answers again, the jobs go out.

Delivery is at least once (a job may be sent twice when the broker took it but the row could
not be marked), so every job is idempotent: a report already made is skipped, a sweep finds
nothing left to do.
"""

import datetime
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


def outbox_put(task: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> int:
    """Queue the Celery task `task` with these (JSON) arguments; it is sent once the current
    transaction commits (at once outside one). `countdown`: not before so many seconds.
    Returns the message's id."""
    eta = timezone.now() + datetime.timedelta(seconds=countdown) if countdown else None
    message = OutboxMessage.objects.create(task=task, args=list(args), kwargs=kwargs, eta=eta)
    transaction.on_commit(partial(outbox_send, [message.pk]))
    return message.pk


def outbox_send(ids: Iterable[int]) -> int:
    """Try once to hand these messages to the broker; the number sent. Never raises for a
    broker that is away: the relay sends them later."""
    try:
        return _send(OutboxMessage.objects.filter(pk__in=list(ids)))
    except Exception:  # the database itself may be away; the relay sends them later
        logger.exception("could not send the outbox messages %s; the relay will", ids)
        return 0


def outbox_relay(*, older_than: float = 0) -> int:
    """Send every unsent message (the oldest first); the number sent. Run by beat."""
    before = timezone.now() - datetime.timedelta(seconds=older_than)
    return _send(OutboxMessage.objects.filter(created_at__lte=before))


def _send(messages: Any) -> int:
    from exitprog.celery import app

    sent = 0
    with transaction.atomic():
        # Two relays at once (beat's and a commit's) never send one message twice.
        unsent = list(
            messages.filter(sent_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")[: settings.OUTBOX_BATCH]
        )
        if not unsent:
            return 0
        timeout = settings.OUTBOX_PUBLISH_TIMEOUT
        try:
            with app.connection_for_write(
                connect_timeout=timeout,
                transport_options={
                    "socket_timeout": timeout,
                    "socket_connect_timeout": timeout,
                    "max_retries": 0,
                },
            ) as connection:
                for message in unsent:
                    _publish(app, connection, message)
                    message.sent_at = timezone.now()
                    message.save(update_fields=["sent_at"])
                    sent += 1
        except Exception as exc:  # the broker's errors vary by transport; the row stays
            logger.warning(
                "the broker did not take %d outbox message(s) (%s); they will be relayed",
                len(unsent) - sent,
                exc,
            )
            OutboxMessage.objects.filter(pk__in=[m.pk for m in unsent if m.sent_at is None]).update(
                failures=F("failures") + 1, last_error=f"{type(exc).__name__}: {exc}"[:300]
            )
    return sent


def _publish(app: Any, connection: Any, message: OutboxMessage) -> None:
    if app.conf.task_always_eager:  # development without a worker: run it here
        app.tasks[message.task].apply(args=message.args, kwargs=message.kwargs)
        return
    app.send_task(
        message.task,
        args=message.args,
        kwargs=message.kwargs,
        eta=message.eta if message.eta and message.eta > timezone.now() else None,
        connection=connection,
        retry=False,
        ignore_result=True,  # no result backend is asked anything while sending
    )


def outbox_purge_sent(*, older_than_days: int = 7) -> int:
    """Delete messages sent more than `older_than_days` ago; the number deleted."""
    before = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=before).delete()
    return deleted
