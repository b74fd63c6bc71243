"""The append-only access log: who read, changed, downloaded or was refused what, and when.

The database itself refuses UPDATE and DELETE of a row (the trigger in `Meta.triggers`, see
`exitprog.triggers`), so not even a bug or a shell session can rewrite history.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exitprog.triggers import AppendOnly


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DOWNLOAD = "download", _("Downloaded")
    EXPORT = "export", _("Exported")
    DENIED = "denied", _("Denied")


class AccessLogEntry(models.Model):
    """One access. `detail` says what was touched, never the content itself."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log_entries",
        verbose_name=_("user"),
        help_text=_("Empty for anonymous requests and the system's own work."),
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    case = models.ForeignKey(
        "cases.Case",  # by string: the audit sink imports no app above accounts
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("case"),
    )
    # The municipality the access concerned, kept as it was then: a refused attempt on a report
    # without a case (a caseload report) still belongs to the managers of that municipality.
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "at"], name="audit_case_at_idx"),
            models.Index(fields=["municipality", "at"], name="audit_municipality_at_idx"),
        ]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.object_id}"
