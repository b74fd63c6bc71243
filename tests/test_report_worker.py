"""The report pipeline against a real Celery worker and the real Redis (STYLE.md, habit 6):
the periodic schedule runs once however often it is sent, a failed render is retried and ends
"failed" when it keeps failing, a worker killed mid-render leaves no half-written file and the
report is made when the task comes back, nothing is sent before the commit, and the outbox
resends a lost task. Select them with `pytest -m worker`.
"""

import datetime
import subprocess
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.db import transaction
from django.utils import timezone

from cases.models import CaseState
from reports.models import AUDIENCE_OF_KIND, Report, ReportKind, ReportState
from reports.periods import Period
from reports.services import report_request
from reports.tasks import RENDER_RETRIES, make_periodic_reports, resend_stale_reports
from tests.factories import CaseFactory
from tests.worker import PAUSE_ENV, CeleryWorker, wait_for

pytestmark = pytest.mark.worker

RENDER = "reports.tasks.render_report"


# The month just ended (October 2026 when this was written): the schedule's default month,
# and one the cast's case (opened 90 days ago) was open in. Read when used: a run may span midnight.
def last_month() -> Period:
    return Period.previous_month(timezone.localdate())


def folder_of(worker: CeleryWorker, report: Report) -> Path:
    """Where the report's file goes (see `reports.storage.ReportFileStorage`)."""
    return worker.report_root / report.kind / f"{report.created_at:%Y}"


def assert_whole_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), f"{path} is not a PDF"
    assert b"%%EOF" in data[-1024:], f"{path} is cut short"
    result = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.strip(), f"{path} has no text"


def fetch(report_id: int) -> Report:
    return Report.objects.get(pk=report_id)


def state_of(report_id: int) -> str:
    report = fetch(report_id)
    return f"{report.state}, attempts {report.attempts}, error {report.error!r}"


def request_follow_up(cast) -> Report:
    return report_request(
        kind=ReportKind.CASE_FOLLOW_UP, by=cast.caseworker, period=last_month(), case=cast.case
    )


def block_folder_of_next_report(worker: CeleryWorker, cast) -> Report:
    """Put a regular file where the next follow-up report's folder must be made: writing the
    PDF fails (FileExistsError) until the file is gone. Returns the requested report."""
    with transaction.atomic():  # the task is sent when this block commits
        report = request_follow_up(cast)
        blocker = folder_of(worker, report)
        blocker.parent.mkdir(parents=True)
        blocker.write_text("not a folder")
    return report


def test_periodic_reports_are_made_once_however_often_the_schedule_runs(celery_worker, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    # Cases not yet active get no follow-up report, but count in their caseload report.
    CaseFactory(municipality=cast.malmo, created_by=cast.manager, state=CaseState.INQUIRY)
    CaseFactory(municipality=cast.stockholm, created_by=cast.manager, state=CaseState.ASSESSMENT)
    month = f"{last_month().start:%Y-%m}"
    expected = {
        (ReportKind.CASE_FOLLOW_UP, cast.case.pk, cast.stockholm.pk),
        (ReportKind.CASE_FOLLOW_UP, other.pk, cast.stockholm.pk),
        (ReportKind.CASELOAD, None, cast.stockholm.pk),
        (ReportKind.CASELOAD, None, cast.malmo.pk),
        (ReportKind.POLICE_SUMMARY, cast.case.pk, cast.stockholm.pk),
    }

    first = make_periodic_reports.delay(month)
    second = make_periodic_reports.delay(month)
    assert first.get(timeout=30) == len(expected)
    second.get(timeout=30)
    celery_worker.drain(timeout=60)  # the renders both runs sent

    reports = list(Report.objects.all())
    made = {(r.kind, r.case_id, r.municipality_id) for r in reports}
    assert made == expected
    assert len(reports) == len(expected)
    for report in reports:
        assert report.state == ReportState.READY, (report, report.error)
        assert (report.period_start, report.period_end) == (last_month().start, last_month().end)
        assert report.audience == AUDIENCE_OF_KIND[ReportKind(report.kind)]
        assert report.attempts == 1, f"{report} was rendered {report.attempts} times"
        assert_whole_pdf(Path(report.file.path))
    # The second run found the reports waiting and sent them again: those tasks saw them
    # made and did nothing.
    renders = celery_worker.received(RENDER)
    assert len(expected) <= renders <= 2 * len(expected)
    before = {r.pk: (r.sha256, r.finished_at) for r in reports}

    assert make_periodic_reports.delay(month).get(timeout=30) == 0
    celery_worker.drain()
    assert celery_worker.received(RENDER) == renders, "a made report was sent again"
    assert Report.objects.count() == len(expected)
    assert {r.pk: (r.sha256, r.finished_at) for r in Report.objects.all()} == before


# Retried 2 s after the failure; the outbox would resend any report waiting since it was made.
@pytest.mark.worker_env(EXITPROG_REPORT_RETRY_SECONDS="2", EXITPROG_REPORT_RESEND_AFTER_SECONDS="0")
def test_failed_render_is_retried_and_then_made(celery_worker, cast):
    report = block_folder_of_next_report(celery_worker, cast)
    blocker = folder_of(celery_worker, report)

    def failed_once() -> bool:
        row = fetch(report.pk)
        return row.state == ReportState.PENDING and row.attempts == 1 and bool(row.error)

    wait_for(failed_once, 20, interval=0.02, message=lambda: state_of(report.pk))
    row = fetch(report.pk)
    assert row.error.startswith(("FileExistsError", "NotADirectoryError")), row.error
    assert not row.file
    # Its retry is on its way: the outbox does not send it a second time.
    assert resend_stale_reports.delay().get(timeout=10) == 0
    blocker.unlink()

    wait_for(lambda: fetch(report.pk).is_finished, 20, message=lambda: state_of(report.pk))
    row = fetch(report.pk)
    assert row.state == ReportState.READY, row.error
    assert row.attempts == 2
    assert row.error == ""
    assert_whole_pdf(Path(row.file.path))
    assert celery_worker.received(RENDER) == 2  # the first try and its retry


@pytest.mark.worker_env(EXITPROG_REPORT_RETRY_SECONDS="0")  # all retries at once
def test_render_that_keeps_failing_ends_failed(celery_worker, cast):
    report = block_folder_of_next_report(celery_worker, cast)

    wait_for(lambda: fetch(report.pk).is_finished, 20, message=lambda: state_of(report.pk))
    row = fetch(report.pk)
    assert row.state == ReportState.FAILED
    assert row.attempts == 1 + RENDER_RETRIES
    assert row.error.startswith(("FileExistsError", "NotADirectoryError")), row.error
    assert row.finished_at is not None
    assert not row.file
    # The last try's error goes on to Celery (logged just after the row is marked failed).
    wait_for(lambda: "raised unexpected: FileExistsError" in celery_worker.log(), 10)


@pytest.mark.worker_env(**{PAUSE_ENV: "1"})  # each render waits 1 s before its file is flushed
def test_worker_killed_mid_render_leaves_no_partial_file_and_the_report_is_made(
    celery_worker, cast
):
    report = request_follow_up(cast)
    folder = folder_of(celery_worker, report)
    temporary = f".{report.pk}.pdf.*.tmp"

    def caught_writing() -> bool:
        row = fetch(report.pk)
        return row.state == ReportState.RENDERING and any(folder.glob(temporary))

    wait_for(caught_writing, 30, interval=0.02, message=lambda: state_of(report.pk))
    killed = celery_worker.kill_pool_process()

    row = fetch(report.pk)
    if row.state == ReportState.READY or row.attempts != 1:
        pytest.fail(f"the kill came too late to test anything: {state_of(report.pk)}")
    assert list(folder.glob(temporary)), "the killed render left no temporary file to clean"
    assert not (folder / f"{report.pk}.pdf").exists(), "a file under the final name"

    wait_for(lambda: fetch(report.pk).is_finished, 30, message=lambda: state_of(report.pk))
    row = fetch(report.pk)
    assert row.state == ReportState.READY, row.error
    assert row.attempts == 2, "the task was not delivered again after the kill"
    assert celery_worker.received(RENDER) == 2
    assert "WorkerLostError" in celery_worker.log()
    assert killed not in celery_worker.pool_pids()
    assert sorted(p.name for p in folder.iterdir()) == [f"{report.pk}.pdf"]
    assert_whole_pdf(Path(row.file.path))
    assert row.size == Path(row.file.path).stat().st_size


def test_report_is_sent_to_the_worker_only_after_commit(celery_worker, cast):
    class Rollback(Exception):
        pass

    sent: list[str] = []

    def record(sender: str, **kwargs: object) -> None:
        sent.append(sender)

    before_task_publish.connect(record)
    try:
        with pytest.raises(Rollback), transaction.atomic():
            request_follow_up(cast)
            raise Rollback
    finally:
        before_task_publish.disconnect(record)
    assert sent == []
    assert not Report.objects.exists()
    assert celery_worker.queue_length() == 0

    report = request_follow_up(cast)  # commits on its own (no transaction around it)
    wait_for(lambda: fetch(report.pk).is_finished, 20, message=lambda: state_of(report.pk))
    assert fetch(report.pk).state == ReportState.READY
    # The worker takes messages in order: a task of the rolled-back request would have come
    # first.
    assert celery_worker.received(RENDER) == 1
    assert Report.objects.count() == 1


@pytest.mark.worker_env(EXITPROG_REPORT_RESEND_AFTER_SECONDS="0")
def test_outbox_sends_a_lost_report_again(celery_worker, cast):
    # A report whose message was lost (the broker was down at the commit): a row, no task.
    lost = Report.objects.create(
        kind=ReportKind.CASE_FOLLOW_UP,
        audience=AUDIENCE_OF_KIND[ReportKind.CASE_FOLLOW_UP],
        case=cast.case,
        municipality=cast.stockholm,
        period_start=last_month().start,
        period_end=last_month().end,
        requested_by=cast.caseworker,
        created_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    celery_worker.drain()
    assert fetch(lost.pk).state == ReportState.PENDING

    assert resend_stale_reports.delay().get(timeout=20) == 1
    wait_for(lambda: fetch(lost.pk).is_finished, 20, message=lambda: state_of(lost.pk))
    row = fetch(lost.pk)
    assert row.state == ReportState.READY, row.error
    assert row.attempts == 1
    assert_whole_pdf(Path(row.file.path))
