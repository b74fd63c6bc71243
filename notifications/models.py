"""Notifications in the app (a count in the header, a list) and, by choice, by e-mail.

A notification holds no text of its own: only its kind, the case it is about (by reference)
and when. What the list and the e-mail say is one fixed sentence per kind, so that nothing of
a case travels in an e-mail or stays readable in the list after the user lost the case: the
case itself opens only through the access module.

`notifications` sits below `cases` (the cases', records' and referrals' services call it), so
the case is a foreign key by string.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    TASK_DUE = "task_due", _("A task is due")
    TASK_ASSIGNED = "task_assigned", _("A task was assigned to you")
    REFERRAL_ANSWERED = "referral_answered", _("A referral was answered")
    TRANSFER_PROPOSED = "transfer_proposed", _("A transfer was proposed")
    TRANSFER_ANSWERED = "transfer_answered", _("A transfer was answered")
    POLICE_NOTE_ADDED = "police_note_added", _("A police note was added")
    SHARE_EXPIRING = "share_expiring", _("A police share is about to expire")
    FOLLOW_UP_DUE = "follow_up_due", _("A follow-up is due")
    REVIEW_OVERDUE = "review_overdue", _("A review is overdue")
    CLIENT_TURNED_18 = "client_turned_18", _("A young client turned 18")
    REPORT_OF_CONCERN_MISSING = (
        "report_of_concern_missing",
        _("A young client's case has no report of concern"),
    )


# What comes by e-mail to someone who has not chosen: what asks for action by a date or from
# a manager. The rest is shown in the app only.
EMAIL_BY_DEFAULT: tuple[str, ...] = (
    NotificationKind.TASK_ASSIGNED,
    NotificationKind.TASK_DUE,
    NotificationKind.TRANSFER_PROPOSED,
    NotificationKind.SHARE_EXPIRING,
)


def email_kinds_default() -> list[str]:
    return list(EMAIL_BY_DEFAULT)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # What the notification is about and for which date ("task-due:12:2026-12-03"): a periodic
    # job that runs again never notifies twice of the same thing. Empty for one-off events.
    key = models.CharField(_("key"), max_length=100, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    # The e-mail's failed tries: counted by the send, read by the sweep that queues it again
    # until NOTIFICATION_EMAIL_ATTEMPTS (services.notification_emails_resend). The error is
    # its kind only (the exception's class), never its message, which may name addresses.
    email_attempts = models.PositiveSmallIntegerField(_("failed e-mail attempts"), default=0)
    email_failed_at = models.DateTimeField(_("e-mail last failed"), null=True, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [
            # The header's count, on every page.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            # The sweep of e-mails not sent, every 10 minutes.
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_unemailed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Which kinds a user also gets by e-mail (every kind is always shown in the app)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_kinds = ArrayField(
        models.CharField(max_length=30, choices=NotificationKind.choices),
        default=email_kinds_default,
        blank=True,
        verbose_name=_("by e-mail"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)
