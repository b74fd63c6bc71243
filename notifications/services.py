"""Sending notifications, reading them, choosing which come by e-mail.

`notification_send` is called by the services where something happens (a task assigned, a
referral answered, a transfer proposed or answered, a police note) and by the periodic jobs
of the apps that own the dates (a task, a review, a follow-up or a police share due). It
writes the rows in the caller's transaction and, for the recipients who chose e-mail for the
kind, queues one e-mail job through the outbox: the e-mail goes only if the change commits.
An e-mail that fails, or whose job is lost, is queued again by `notification_emails_resend`
(beat, every 10 minutes) until it is sent or has failed NOTIFICATION_EMAIL_ATTEMPTS times.

An e-mail never carries case content: one fixed sentence per kind and a link to the list of
notifications in the app, where the case opens only through the access module.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from notifications.models import (
    EMAIL_BY_DEFAULT,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from outbox.services import outbox_put

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

EMAIL_TASK = "notifications.tasks.send_notification_emails"
# The sweep leaves an e-mail this long to the job queued at its commit before it queues another.
EMAIL_RESEND_AFTER = datetime.timedelta(minutes=5)
# ... and looks no further back: choosing e-mail for a kind later brings none of the old
# notifications by e-mail, and a job lost again and again is not queued for ever.
EMAIL_RESEND_WITHIN = datetime.timedelta(days=1)
EMAIL_RESEND_BATCH = 500

K = NotificationKind
# The one sentence an e-mail says for each kind: nothing of the case, not even its reference.
EMAIL_SENTENCES: dict[str, StrOrPromise] = {
    K.TASK_DUE: gettext_lazy("A task assigned to you is due."),
    K.TASK_ASSIGNED: gettext_lazy("A colleague has assigned a task to you."),
    K.REFERRAL_ANSWERED: gettext_lazy("An agency has answered a referral of one of your cases."),
    K.TRANSFER_PROPOSED: gettext_lazy(
        "A case transfer to your municipality is waiting for an answer."
    ),
    K.TRANSFER_ANSWERED: gettext_lazy("A case transfer you proposed has been answered."),
    K.POLICE_NOTE_ADDED: gettext_lazy("The police have added a note to one of your cases."),
    K.SHARE_EXPIRING: gettext_lazy(
        "A police share of one of your cases ends soon, when its consent expires."
    ),
    K.FOLLOW_UP_DUE: gettext_lazy("A follow-up of one of your cases is due."),
    K.REVIEW_OVERDUE: gettext_lazy("A review of one of your cases is overdue."),
    K.CLIENT_TURNED_18: gettext_lazy(
        "A young client of one of your cases has turned 18: the rules for children no longer apply."
    ),
    K.REPORT_OF_CONCERN_MISSING: gettext_lazy(
        "A case of a young client has no report of concern to the child unit yet."
    ),
}


def email_kinds_for(user: User) -> frozenset[str]:
    """The kinds `user` gets by e-mail: their choice, or the defaults before they chose."""
    chosen = (
        NotificationPreference.objects.filter(user=user)
        .values_list("email_kinds", flat=True)
        .first()
    )
    return frozenset(EMAIL_BY_DEFAULT if chosen is None else chosen)


def _by_email() -> Q:
    """The notifications that go by e-mail: the recipient has an address and gets the kind by
    e-mail (their choice, or EMAIL_BY_DEFAULT before they chose)."""
    chosen = Q()
    for kind in NotificationKind:
        wanted = Q(recipient__notification_preference__email_kinds__contains=[kind.value])
        if kind in EMAIL_BY_DEFAULT:
            wanted |= Q(recipient__notification_preference__isnull=True)
        chosen |= Q(kind=kind) & wanted
    return chosen & ~Q(recipient__email="")


def _lock_key(key: str) -> None:
    """Two runs of a periodic job at once (a message delivered twice) wait for each other
    here, so the second sees what the first made and makes nothing twice."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"notification:{key}"])


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[User],
    kind: NotificationKind,
    case: Any = None,
    key: str = "",
    exclude: User | None = None,
) -> list[Notification]:
    """Notify each active recipient (but `exclude`, who did it) once; with a `key`, never
    twice of the same thing whatever runs again. E-mails go through the outbox, after the
    commit, to those who chose e-mail for `kind`. Returns the notifications made."""
    users = {u.pk: u for u in recipients if u.is_active and (exclude is None or u.pk != exclude.pk)}
    if not users:
        return []
    if key:
        _lock_key(key)
        for done in Notification.objects.filter(key=key, recipient_id__in=users).values_list(
            "recipient_id", flat=True
        ):
            users.pop(done, None)
        if not users:
            return []
    made = Notification.objects.bulk_create(
        Notification(recipient=u, kind=kind, case=case, key=key) for u in users.values()
    )
    by_email = list(
        Notification.objects.filter(_by_email(), pk__in=[n.pk for n in made])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if by_email:
        outbox_put(EMAIL_TASK, by_email)
    return made


def _email_for(notification: Notification) -> EmailMessage:
    link = settings.EXITPROG_SITE_URL.rstrip("/") + reverse("notifications:list")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("exitprog: %(what)s") % {"what": NotificationKind(notification.kind).label}
        body = "\n\n".join(
            [
                str(EMAIL_SENTENCES[notification.kind]),
                _("Sign in to exitprog to see it:"),
                link,
                _(
                    "This e-mail says nothing about the case on purpose. You choose which "
                    "notifications come by e-mail on the notifications page in exitprog."
                ),
            ]
        )
    return EmailMessage(subject=subject, body=body, to=[notification.recipient.email])


def notification_emails_send(*, ids: Iterable[int]) -> int:
    """Send the e-mail of each notification not yet e-mailed nor given up; the number sent.

    Each is locked while it is sent and marked sent in the same transaction, so a job
    delivered twice (or queued again by the sweep) sends nothing twice. A failure is counted
    on the notification, with the kind of error, and the rest are still tried: nothing is
    raised, the sweep queues the unsent again (`notification_emails_resend`)."""
    sent = 0
    for pk in sorted(set(ids)):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(
                    pk=pk,
                    emailed_at__isnull=True,
                    email_attempts__lt=settings.NOTIFICATION_EMAIL_ATTEMPTS,
                )
                .first()
            )
            if notification is None or not notification.recipient.email:
                continue
            try:
                _email_for(notification).send()
            except Exception as exc:  # the mail server's errors vary; the others still go
                # The class only: the message of a refused recipient names the address.
                error = type(exc).__name__
                notification.email_attempts += 1
                notification.email_failed_at = timezone.now()
                notification.email_error = error[:100]
                notification.save(
                    update_fields=["email_attempts", "email_failed_at", "email_error"]
                )
                logger.warning(
                    "could not e-mail notification %s (attempt %d): %s",
                    pk,
                    notification.email_attempts,
                    error,
                )
                continue
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent


@transaction.atomic
def notification_emails_resend(*, now: datetime.datetime | None = None) -> int:
    """Queue again, through the outbox, the e-mails still unsent; the number queued. Run by
    beat every 10 minutes.

    1. unsent: not e-mailed, fewer than NOTIFICATION_EMAIL_ATTEMPTS failures, the recipient
       active and still choosing e-mail for the kind (`_by_email`);
    2. made between EMAIL_RESEND_WITHIN and EMAIL_RESEND_AFTER ago: the job of the commit ran
       and failed, or was lost;
    3. one job for them all; the send locks and checks each, so an e-mail whose first job is
       only late is not sent twice."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            _by_email(),
            emailed_at__isnull=True,
            email_attempts__lt=settings.NOTIFICATION_EMAIL_ATTEMPTS,
            created_at__lt=now - EMAIL_RESEND_AFTER,
            created_at__gte=now - EMAIL_RESEND_WITHIN,
            recipient__is_active=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:EMAIL_RESEND_BATCH]
    )
    if ids:
        outbox_put(EMAIL_TASK, ids)
    return len(ids)


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read (or all of them); the number marked. Another
    user's notification is never touched (the filter is on the recipient)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def notification_preferences_set(*, user: User, email_kinds: Iterable[str]) -> None:
    kinds = sorted({NotificationKind(k).value for k in email_kinds})
    NotificationPreference.objects.update_or_create(user=user, defaults={"email_kinds": kinds})
