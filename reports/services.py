"""Every write on reports: asking for one, the periodic schedule, rendering, retries.

The flow of one report:
1. a row is made in state "pending" (`report_request`, `reports_schedule_period`);
2. after the transaction commits, a Celery task is sent with the row's id;
3. the task calls `report_render`: the row goes to "rendering", the context is read, WeasyPrint
   renders the PDF in memory, the file is written beside its final name and renamed into
   place (so a killed worker leaves no half-written file), and the row becomes "ready";
4. a failure is recorded on the row and the task is retried; after the last retry the row is
   "failed". A pending row whose message was lost is sent again by `reports_resend_stale`.
"""

import datetime
import hashlib
import logging
import os
import uuid
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Municipality, User
from cases.models import Case, CaseState, FollowUp, PoliceShare
from reports.models import AUDIENCE_OF_KIND, Report, ReportKind, ReportState, report_storage
from reports.periods import Period, case_report_period
from reports.rendering import render_pdf

logger = logging.getLogger(__name__)


class ReportRuleError(ValidationError):
    """A rule refused the request; the message is meant for the user."""


# --- Asking for reports -----------------------------------------------------------------------


def _enqueue(report_ids: list[int]) -> None:
    """Send one render task per report. A broker that is down loses nothing: the rows stay
    pending and `reports_resend_stale` sends them again."""
    from reports import tasks

    for report_id in report_ids:
        try:
            tasks.render_report.delay(report_id)
        except Exception:  # the broker's errors vary by transport; the row is the outbox
            logger.exception("could not send report %s to the worker; it will be resent", report_id)


def _enqueue_on_commit(report_ids: list[int]) -> None:
    if report_ids:
        transaction.on_commit(partial(_enqueue, list(report_ids)))


@transaction.atomic
def report_request(
    *,
    kind: ReportKind,
    by: User,
    period: Period,
    case: Case | None = None,
    municipality: Municipality | None = None,
    language: str | None = None,
) -> Report:
    """Ask for a report now; it is made in the background. The same unfinished request by the
    same user is not made twice: that request is returned instead."""
    if not policy.may_request_report(by, kind, case=case, municipality=municipality):
        raise ReportRuleError(_("You may not ask for this report."), code="forbidden")
    if period.end > timezone.localdate():
        raise ReportRuleError(_("A report cannot cover days still to come."), code="future")
    if kind == ReportKind.CASELOAD:
        case = None
    elif case is not None:
        municipality = case.municipality
    if municipality is None:
        raise ReportRuleError(_("Say what the report is about."), code="subject")
    unfinished = (
        Report.objects.filter(
            kind=kind,
            case=case,
            municipality=municipality,
            period_start=period.start,
            period_end=period.end,
            requested_by=by,
            state__in=(ReportState.PENDING, ReportState.RENDERING),
        )
        .order_by("-created_at")
        .first()
    )
    if unfinished is not None:
        return unfinished
    report = Report.objects.create(
        kind=kind,
        audience=AUDIENCE_OF_KIND[kind],
        case=case,
        municipality=municipality,
        period_start=period.start,
        period_end=period.end,
        requested_by=by,
        language=language or settings.LANGUAGE_CODE,
    )
    _enqueue_on_commit([report.pk])
    return report


def _case_report_subjects(month: Period) -> list[tuple[Case, Period]]:
    """Each case that gets a follow-up report for the period ending with `month`: the active
    cases of municipalities whose cadence ends a period then, and ended cases with a follow-up
    due in that period."""
    follow_up_due = FollowUp.objects.filter(
        case=OuterRef("pk"), due_on__range=(month.start, month.end)
    )
    cases = (
        Case.objects.filter(Q(state=CaseState.ACTIVE) | Q(Exists(follow_up_due)))
        .filter(opened_on__lte=month.end)
        .select_related("municipality")
        .order_by("municipality_id", "reference")
    )
    subjects = []
    for case in cases:
        period = case_report_period(month, case.municipality.case_report_months)
        if period is None and case.state == CaseState.ACTIVE:
            continue
        subjects.append((case, period or month))
    return subjects


@transaction.atomic
def reports_schedule_period(
    *, month: Period, kinds: Iterable[ReportKind] = tuple(ReportKind)
) -> list[Report]:
    """Make the periodic reports of the period that ends with `month`, once.

    Safe to run any number of times: the unique constraint keeps one report per kind,
    subject and period; reports already made are left alone, waiting ones are sent to the
    worker again and failed ones are tried again. Returns the reports still to be made.
    """
    kinds = set(kinds)
    rows: list[Report] = []
    if ReportKind.CASE_FOLLOW_UP in kinds:
        rows += [
            Report(
                kind=ReportKind.CASE_FOLLOW_UP,
                case=case,
                municipality=case.municipality,
                period_start=period.start,
                period_end=period.end,
            )
            for case, period in _case_report_subjects(month)
        ]
    if ReportKind.CASELOAD in kinds:
        with_cases = Case.objects.filter(municipality=OuterRef("pk"), opened_on__lte=month.end)
        rows += [
            Report(
                kind=ReportKind.CASELOAD,
                municipality=municipality,
                period_start=month.start,
                period_end=month.end,
            )
            for municipality in Municipality.objects.filter(
                Q(runs_program=True) | Q(Exists(with_cases))
            ).order_by("code")
        ]
    if ReportKind.POLICE_SUMMARY in kinds:
        shared = PoliceShare.objects.filter(case=OuterRef("pk"), ended_at__isnull=True)
        rows += [
            Report(
                kind=ReportKind.POLICE_SUMMARY,
                case=case,
                municipality=case.municipality,
                period_start=month.start,
                period_end=month.end,
            )
            for case in Case.objects.filter(Exists(shared)).select_related("municipality")
        ]
    for row in rows:
        row.audience = AUDIENCE_OF_KIND[ReportKind(row.kind)]
        row.language = settings.LANGUAGE_CODE
    Report.objects.bulk_create(rows, ignore_conflicts=True)
    subjects = Q()
    for row in rows:
        subjects |= Q(
            kind=row.kind,
            case_id=row.case_id,
            municipality_id=row.municipality_id,
            period_start=row.period_start,
            period_end=row.period_end,
        )
    if not rows:
        return []
    to_make = list(
        Report.objects.select_for_update()
        .filter(subjects, requested_by__isnull=True)
        .exclude(state=ReportState.READY)
        .order_by("id")
    )
    retried = [r.pk for r in to_make if r.state == ReportState.FAILED]
    if retried:
        Report.objects.filter(pk__in=retried).update(
            state=ReportState.PENDING, progress=0, attempts=0, error=""
        )
    _enqueue_on_commit([r.pk for r in to_make])
    return to_make


def reports_resend_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Send again the reports whose task was lost: pending for longer than
    REPORT_RESEND_AFTER_SECONDS, or "rendering" for longer than REPORT_STUCK_AFTER_SECONDS
    (a worker that died for good). Sending twice is harmless: a made report is skipped."""
    now = now or timezone.now()
    pending_before = now - datetime.timedelta(seconds=settings.REPORT_RESEND_AFTER_SECONDS)
    stuck_before = now - datetime.timedelta(seconds=settings.REPORT_STUCK_AFTER_SECONDS)
    ids = list(
        Report.objects.filter(
            Q(state=ReportState.PENDING, created_at__lt=pending_before)
            | Q(state=ReportState.RENDERING, started_at__lt=stuck_before)
        )
        .order_by("id")
        .values_list("pk", flat=True)[: settings.REPORT_RESEND_BATCH]
    )
    _enqueue(ids)
    return ids


# --- Rendering --------------------------------------------------------------------------------


def _set_progress(report_id: int, progress: int) -> None:
    Report.objects.filter(pk=report_id, state=ReportState.RENDERING).update(progress=progress)


def _write_atomically(report: Report, pdf: bytes) -> str:
    """Write `pdf` as the report's file and return its storage name.

    The bytes go to a hidden temporary file in the same folder, are flushed to disk, and the
    file is renamed over the final name: the final name only ever holds a whole PDF. Temporary
    files left by a killed worker are removed first.
    """
    name = f"{report.kind}/{report.created_at:%Y}/{report.pk}.pdf"
    final = Path(report_storage.path(name))
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{report.pk}.pdf.*.tmp"):
        stale.unlink(missing_ok=True)
    temporary = final.with_name(f".{report.pk}.pdf.{uuid.uuid4().hex}.tmp")
    try:
        # Readable by the app's own user only: the PDFs hold the case file.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(pdf)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    folder = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return name


def report_render(*, report_id: int) -> Report:
    """Make the report's PDF, unless it is made already. Runs in the worker.

    Not one transaction: each step commits, so the person waiting sees the progress.
    """
    from reports.documents import report_document

    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("case__client", "case__municipality", "municipality")
            .get(pk=report_id)
        )
        if report.state == ReportState.READY:
            return report
        report.state = ReportState.RENDERING
        report.progress = 10
        report.attempts += 1
        report.started_at = timezone.now()
        report.save(update_fields=["state", "progress", "attempts", "started_at"])
    with translation.override(report.language):
        template_name, context = report_document(report)
        _set_progress(report.pk, 40)
        pdf = render_pdf(template_name=template_name, context=context)
    _set_progress(report.pk, 90)
    name = _write_atomically(report, pdf)
    report.file.name = name
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.size = len(pdf)
    report.state = ReportState.READY
    report.progress = 100
    report.error = ""
    report.finished_at = timezone.now()
    report.save(
        update_fields=["file", "sha256", "size", "state", "progress", "error", "finished_at"]
    )
    return report


def report_attempt_failed(*, report_id: int, error: str, final: bool) -> None:
    """Record a failed attempt: back to pending while retries remain, else failed."""
    Report.objects.filter(pk=report_id).exclude(state=ReportState.READY).update(
        state=ReportState.FAILED if final else ReportState.PENDING,
        progress=0,
        error=error[:300],
        finished_at=timezone.now() if final else None,
    )


def report_read(*, report: Report) -> bytes:
    """The PDF's bytes, checked against the digest taken when it was made."""
    if not report.is_ready or not report.file:
        raise ReportRuleError(_("The report is not ready yet."), code="not_ready")
    with report_storage.open(str(report.file.name), "rb") as stored:
        pdf = stored.read()
    if hashlib.sha256(pdf).hexdigest() != report.sha256:
        raise ReportRuleError(
            _("The report's file is damaged. Ask for the report again."), code="damaged"
        )
    return bytes(pdf)
