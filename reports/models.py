"""Generated PDF reports: what was asked for, for whom, and where the file is.

A report row is made first (state "pending") and rendered by a Celery task, sent through the
outbox (`outbox.services`) in the same transaction.
"""

import datetime
from typing import Any, cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from cases.models import Case


class ReportStorage(LazyObject):
    """The storage of the PDFs, `settings.STORAGES["reports"]` (see reports/storage.py): a
    private folder by default, an object store when configured; never served as static or
    media: every download goes through a view that checks the reader and logs the access."""

    def _setup(self) -> None:
        self._wrapped = storages.create_storage(settings.STORAGES["reports"])


report_storage = cast(Storage, ReportStorage())


def report_storage_get() -> Storage:
    """The field's storage as a callable, so migrations name this function, not a folder."""
    return report_storage


def report_storage_reset(*, setting: str, **kwargs: Any) -> None:
    """Connected to `setting_changed` (see apps.py): tests point REPORT_ROOT elsewhere."""
    if setting in ("REPORT_ROOT", "STORAGES"):
        cast(ReportStorage, report_storage)._wrapped = empty  # type: ignore[assignment]


class ReportKind(models.TextChoices):
    CASE_FOLLOW_UP = "case_follow_up", _("Case follow-up report")
    CASELOAD = "caseload", _("Caseload report")
    POLICE_SUMMARY = "police_summary", _("Police summary")


class ReportAudience(models.TextChoices):
    """Who may read a report (see `access.policy.reports_visible_to`)."""

    CASE_STAFF = "case_staff", _("Staff who may read the case")
    MANAGERS = "managers", _("The municipality's managers")
    POLICE = "police", _("Police liaisons the case is shared with, and managers")


# Who may read each kind. Stored on the row, so the rule a report was made under stays with it.
AUDIENCE_OF_KIND = {
    ReportKind.CASE_FOLLOW_UP: ReportAudience.CASE_STAFF,
    ReportKind.CASELOAD: ReportAudience.MANAGERS,
    ReportKind.POLICE_SUMMARY: ReportAudience.POLICE,
}


class ReportState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RENDERING = "rendering", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Report(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    audience = models.CharField(_("who may read it"), max_length=20, choices=ReportAudience.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("case"),
    )
    # The caseload report's subject; for a case report, the case's municipality when it was
    # asked for.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("municipality"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    # Empty for the periodic reports made by the schedule.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    language = models.CharField(_("language"), max_length=10, default="sv")
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (per cent)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=300, blank=True)
    file = models.FileField(_("file"), storage=report_storage_get, blank=True, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("made"), null=True, blank=True)
    # When the retry of a failed attempt is due: a retry whose message was lost (its worker
    # died while holding it) is sent again by the sweep once this is well past.
    retry_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            # One periodic report per kind, subject and period, however often the schedule runs.
            models.UniqueConstraint(
                fields=["kind", "case", "municipality", "period_start", "period_end"],
                condition=models.Q(requested_by__isnull=True),
                nulls_distinct=False,
                name="report_one_per_kind_subject_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="report_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_at_most_100"
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="report_case_idx"),
            models.Index(fields=["municipality", "-created_at"], name="report_municipality_idx"),
            models.Index(
                fields=["state", "created_at"],
                condition=~models.Q(state="ready"),
                name="report_unfinished_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start}..{self.period_end}"

    @property
    def is_ready(self) -> bool:
        return self.state == ReportState.READY

    @property
    def is_periodic(self) -> bool:
        return self.requested_by_id is None

    @property
    def is_finished(self) -> bool:
        return self.state in (ReportState.READY, ReportState.FAILED)

    def filename(self) -> str:
        """The name offered to the browser: kind, subject and period, no personal data."""
        subject = self.case.reference if self.case_id and self.case else self.municipality.code
        start: datetime.date = self.period_start
        end: datetime.date = self.period_end
        return f"{self.kind.replace('_', '-')}-{subject}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
