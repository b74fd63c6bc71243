"""Every write on reports: asking for one, the periodic schedule, rendering, retries.

The flow of one report:
1. a row is made in state "pending" (`report_request`, `reports_schedule_period`), and in the
   same transaction an outbox message for its render task (`outbox.services`), sent after the
   commit or, if the broker is away then, by the relay;
3. the task calls `report_render`: the row goes to "rendering", the context is read, WeasyPrint
   renders the PDF in memory, the file is saved through the reports storage (a private folder
   where it is written beside its final name and renamed into place, so a killed worker
   leaves no half-written file; or an object store), and the row becomes "ready";
4. a failure is recorded on the row with its retry, in one transaction; after the last try the
   row is "failed". `reports_resend_stale` (every minute) sends again a render whose worker is
   gone (the render's advisory lock is free) and a retry whose message was lost.
"""

import contextlib
import datetime
import hashlib
import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from access import policy
from accounts.models import CASE_REPORT_INTERVALS, Municipality, User
from audit.models import AccessAction
from audit.services import access_log_record
from cases.models import Case, CaseState, FollowUp, PoliceShare
from exitprog.concurrency import locked_if_unchanged
from exitprog.pdf import render_pdf
from outbox.services import outbox_put
from reports.models import AUDIENCE_OF_KIND, Report, ReportKind, ReportState, report_storage
from reports.periods import Period, case_report_period

logger = logging.getLogger(__name__)


# Tries after the first failed one: 1, 2, 4, 8 times REPORT_RETRY_SECONDS apart.
RENDER_RETRIES = 4
# A report whose render was tried this often without recording a failure (each try killed its
# worker) is given up ("failed").
MAX_RENDER_ATTEMPTS = 8


class ReportRuleError(ValidationError):
    """A rule refused the request; the message is meant for the user."""


# --- Asking for reports -----------------------------------------------------------------------


RENDER_TASK = "reports.tasks.render_report"


def _enqueue(report_ids: Iterable[int], *, countdown: float | None = None) -> None:
    """One render job per report, through the outbox: sent after the current transaction
    commits, or by the relay if the broker is away then. Nothing waits on the broker."""
    for report_id in report_ids:
        outbox_put(RENDER_TASK, report_id, countdown=countdown)


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
        _log_request(unfinished, by=by)
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
    _enqueue([report.pk])
    _log_request(report, by=by)
    return report


def _log_request(report: Report, *, by: User) -> None:
    access_log_record(
        user=by,
        action=AccessAction.CREATE,
        case=report.case,
        obj=report,
        detail=f"{report.kind} report asked for",
        municipality=report.municipality,
    )


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
    *,
    month: Period,
    kinds: Iterable[ReportKind] = tuple(ReportKind),
    enqueue: bool = True,
    retry_failed: bool = True,
) -> list[Report]:
    """Make the periodic reports of the period that ends with `month`, once.

    Safe to run any number of times: the unique constraint keeps one report per kind,
    subject and period; reports already made are left alone, waiting ones are sent to the
    worker again and failed ones are tried again (unless `retry_failed` is False: then they
    are left failed, and not returned). Returns the reports still to be made.
    With `enqueue=False` nothing is sent: the caller renders them itself (`make_reports`).
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
    unmade = (
        Report.objects.select_for_update()
        .filter(subjects, requested_by__isnull=True)
        .exclude(state=ReportState.READY)
    )
    if not retry_failed:
        unmade = unmade.exclude(state=ReportState.FAILED)
    to_make = list(unmade.order_by("id"))
    retried = [r.pk for r in to_make if r.state == ReportState.FAILED]
    if retried:
        Report.objects.filter(pk__in=retried).update(
            state=ReportState.PENDING, progress=0, attempts=0, error=""
        )
    if enqueue:
        _enqueue([r.pk for r in to_make])
    return to_make


def reports_resend_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Send again the renders whose task was lost; the ids sent. Run every minute by beat.

    - "rendering", but its advisory lock is free: the worker that held it is gone (killed,
      or its database connection died with a restart), so it is sent again at once;
    - "rendering" for longer than REPORT_STUCK_AFTER_SECONDS although the lock is held: a
      worker hung for good;
    - waiting for a retry that is overdue by REPORT_RETRY_GRACE_SECONDS: its message was
      lost (the worker holding it died);
    - never tried and pending for longer than REPORT_RESEND_AFTER_SECONDS: its message was
      lost on the broker's side.

    Sending twice is harmless: a made report is skipped, and a render in progress holds the
    lock, so a second delivery does nothing. A retry not yet due is not sent early: a second
    chain of retries would keep a report that always fails going forever."""
    now = now or timezone.now()
    pending_before = now - datetime.timedelta(seconds=settings.REPORT_RESEND_AFTER_SECONDS)
    stuck_before = now - datetime.timedelta(seconds=settings.REPORT_STUCK_AFTER_SECONDS)
    retry_before = now - datetime.timedelta(seconds=settings.REPORT_RETRY_GRACE_SECONDS)
    ids = list(
        Report.objects.filter(
            Q(state=ReportState.PENDING, attempts=0, created_at__lt=pending_before)
            | Q(state=ReportState.PENDING, attempts__gt=0, retry_at__lt=retry_before)
            | Q(state=ReportState.RENDERING, started_at__lt=stuck_before)
        )
        .order_by("id")
        .values_list("pk", flat=True)[: settings.REPORT_RESEND_BATCH]
    )
    rendering = Report.objects.filter(state=ReportState.RENDERING).exclude(pk__in=ids)
    ids += [
        pk
        for pk in rendering.order_by("id").values_list("pk", flat=True)[
            : settings.REPORT_RESEND_BATCH
        ]
        if _render_abandoned(pk)
    ]
    with transaction.atomic():
        _enqueue(sorted(ids))
    return sorted(ids)


def _render_abandoned(report_id: int) -> bool:
    """Whether the report is "rendering" with nobody holding its render lock."""
    with _render_lock(report_id) as free:
        if not free:
            return False
        # Checked under the lock: a render that ended just now has moved the state on.
        return Report.objects.filter(pk=report_id, state=ReportState.RENDERING).exists()


def municipality_set_case_report_cadence(
    *, municipality: Municipality, months: int, by: User, seen: datetime.datetime | None = None
) -> Municipality:
    """How often the periodic follow-up report is made for each active case (1, 3, 6, 12).

    `seen` is the municipality's `updated_at` when the form was opened: if it has changed
    since, the save is refused with StaleEditError (exitprog.concurrency)."""
    if not policy.is_manager_of(by, municipality):
        raise ReportRuleError(
            _("Only the municipality's manager can change this."), code="forbidden"
        )
    if months not in dict(CASE_REPORT_INTERVALS):
        raise ReportRuleError(_("Choose one of the offered intervals."), code="months")
    municipality = locked_if_unchanged(
        Municipality.objects.all(),
        pk=municipality.pk,
        seen=seen,
        message=_(
            "Someone else changed the municipality's settings after you opened the form. "
            "Nothing was saved: the current setting is shown above, and your choice is kept "
            "below. Check it and save again."
        ),
    )
    municipality.case_report_months = months
    municipality.save(update_fields=["case_report_months", "updated_at"])
    return municipality


# --- Rendering --------------------------------------------------------------------------------


def _set_progress(report_id: int, progress: int) -> None:
    Report.objects.filter(pk=report_id, state=ReportState.RENDERING).update(progress=progress)


def report_render(*, report_id: int) -> Report:
    """Make the report's PDF, unless it is made already. Runs in the worker.

    Not one transaction: each step commits, so the person waiting sees the progress.
    """
    with _render_lock(report_id) as mine:
        if not mine:  # another process renders it right now; its result will do
            return Report.objects.get(pk=report_id)
        return _render(report_id)


# Advisory lock keys of report renders: this prefix in the high bits, the report's id below.
_LOCK_PREFIX = 0x7265706F << 32  # "repo"


@contextlib.contextmanager
def _render_lock(report_id: int) -> Iterator[bool]:
    """Hold a PostgreSQL session lock on the report while it renders, so two deliveries of
    its task (a resend, a retry) never render it at once. A worker that dies loses its
    connection and with it the lock."""
    key = _LOCK_PREFIX + report_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        row = cursor.fetchone()
    mine = bool(row and row[0])
    try:
        yield mine
    finally:
        if mine:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                # The connection died (a database restart) and the lock with it; the
                # render's own error is what the caller must see.
                logger.warning("the render lock of report %s went with its connection", report_id)


def _render(report_id: int) -> Report:
    from reports.documents import report_document

    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("case__client", "case__municipality", "municipality")
            .get(pk=report_id)
        )
        if report.state == ReportState.READY:
            return report
        if report.attempts >= MAX_RENDER_ATTEMPTS:
            # Each try killed its worker (say, out of memory): Celery's retry count never
            # moves then, so the count on the row is what stops it.
            report.state = ReportState.FAILED
            report.progress = 0
            report.error = f"gave up after {report.attempts} attempts"
            report.finished_at = timezone.now()
            report.save(update_fields=["state", "progress", "error", "finished_at"])
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
    # The name is the report's own: a retry writes over it (see reports/storage.py).
    name = report_storage.save(
        f"{report.kind}/{report.created_at:%Y}/{report.pk}.pdf", ContentFile(pdf)
    )
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


def report_render_failed(*, report_id: int, error: str) -> bool:
    """Record that a render failed, and queue its retry unless it was the last try (then the
    report is "failed"). Whether it was the last."""
    attempts = Report.objects.filter(pk=report_id).values_list("attempts", flat=True).first()
    final = (attempts or 0) > RENDER_RETRIES
    retry_in = None if final else settings.REPORT_RETRY_SECONDS * 2 ** max((attempts or 1) - 1, 0)
    report_attempt_failed(report_id=report_id, error=error, retry_in=retry_in)
    return final


@transaction.atomic
def report_attempt_failed(*, report_id: int, error: str, retry_in: float | None) -> None:
    """Record a failed attempt. With `retry_in` (seconds) the report goes back to pending
    and its retry is queued in the same transaction; without, it is "failed"."""
    final = retry_in is None
    now = timezone.now()
    changed = (
        Report.objects.filter(pk=report_id)
        .exclude(state__in=(ReportState.READY, ReportState.FAILED))
        .update(
            state=ReportState.FAILED if final else ReportState.PENDING,
            progress=0,
            error=error[:300],
            finished_at=now if final else None,
            retry_at=None if final else now + datetime.timedelta(seconds=retry_in or 0),
        )
    )
    if changed and not final:
        _enqueue([report_id], countdown=retry_in)


def report_read(*, report: Report) -> bytes:
    """The PDF's bytes, checked against the digest taken when it was made."""
    if not report.is_ready or not report.file:
        raise ReportRuleError(_("The report is not ready yet."), code="not_ready")
    try:
        with report_storage.open(str(report.file.name), "rb") as stored:
            pdf = stored.read()
    except FileNotFoundError:
        # Say, a database restored without its report folder.
        raise ReportRuleError(
            _("The report's file is missing. Ask for the report again."), code="missing"
        ) from None
    if hashlib.sha256(pdf).hexdigest() != report.sha256:
        raise ReportRuleError(
            _("The report's file is damaged. Ask for the report again."), code="damaged"
        )
    return bytes(pdf)
