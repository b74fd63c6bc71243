"""Faults injected into a running stack: nothing is lost, no request waits on Redis.

Each test runs a private Redis, a real Celery worker and beat (tests/stack.py) against the
test database, and asks for a report through the web the way a caseworker does:

- Redis stopped, and Redis paused (SIGSTOP, a hung server), while the report is asked for:
  the page answers within a second, the job waits in the outbox, and the report is made once
  Redis is back (the relay sends it);
- the database connection of the worker cut mid-render: what a PostgreSQL restart does to
  every session (the server ends each backend; `pg_terminate_backend` is that same end for
  the worker's sessions only, so the other tests on the server go on): the failure is
  recorded on a fresh connection and the retry makes the report;
- the worker killed whole (main process and pool) mid-render: its message goes with it, the
  render's advisory lock is freed, and the sweep sends it again to a new worker;
each well within the two minutes the issue allows.
"""

import time

import pytest
from django.db import connection
from django.urls import reverse

from outbox.models import OutboxMessage
from reports.models import Report, ReportState
from tests.stack import Stack, stack_fixture  # noqa: F401 (the fixture `stack`)
from tests.worker import PAUSE_ENV, wait_for

pytestmark = pytest.mark.worker

RENDER = "reports.tasks.render_report"
MADE_WITHIN = 120  # seconds: "the report is made within 2 minutes"


def ask_for_report(client, case) -> tuple[float, Report]:
    """POST the case's report form as the caseworker; the seconds it took and the report."""
    started = time.monotonic()
    response = client.post(
        reverse("reports:case_new", args=[case.pk]),
        {"kind": "case_follow_up", "period": "last_month"},
    )
    took = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    return took, Report.objects.get(case=case)


def wait_until_made(stack: Stack, report: Report, timeout: float = MADE_WITHIN) -> Report:
    def made() -> bool:
        return Report.objects.get(pk=report.pk).is_finished

    wait_for(
        made,
        timeout,
        interval=0.1,
        message=lambda: f"{Report.objects.get(pk=report.pk).__dict__}\n{stack.logs()}",
    )
    row = Report.objects.get(pk=report.pk)
    assert row.state == ReportState.READY, row.error
    return row


def test_redis_stopped_during_a_report_request(stack, cast, login):
    client = login(cast.caseworker)
    client.get(reverse("home"))  # the session and the first queries are made
    stack.redis.stop()

    took, report = ask_for_report(client, cast.case)
    assert took < 1.0, f"the request waited {took:.2f} s on a stopped Redis"
    assert report.state == ReportState.PENDING
    message = OutboxMessage.objects.get(task=RENDER)
    assert message.sent_at is None and message.failures == 1
    # Another page answers at once meanwhile.
    started = time.monotonic()
    assert client.get(reverse("cases:caseload")).status_code == 200
    assert time.monotonic() - started < 1.0

    stack.redis.start()  # the same port: the worker and beat reconnect, the relay sends it
    row = wait_until_made(stack, report)
    assert row.attempts == 1
    assert OutboxMessage.objects.get(task=RENDER).sent_at is not None


def test_redis_paused_during_a_report_request(stack, cast, login):
    client = login(cast.caseworker)
    client.get(reverse("home"))
    stack.redis.pause()
    try:
        took, report = ask_for_report(client, cast.case)
    finally:
        stack.redis.resume()  # a paused Redis left behind would hang the teardown
    assert took < 1.0, f"the request waited {took:.2f} s on a hung Redis"
    assert report.state == ReportState.PENDING
    assert OutboxMessage.objects.get(task=RENDER).sent_at is None
    row = wait_until_made(stack, report)
    assert row.attempts == 1


def worker_sessions() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.worker_env(**{PAUSE_ENV: "2"})  # each render waits 2 s before its file is flushed
def test_database_restart_mid_render(stack, cast, login):
    _, report = ask_for_report(login(cast.caseworker), cast.case)

    def rendering() -> bool:
        return Report.objects.get(pk=report.pk).state == ReportState.RENDERING

    wait_for(rendering, 30, interval=0.02, message=stack.logs)
    sessions = wait_for(worker_sessions, 10, message="the worker has no database session")
    with connection.cursor() as cursor:
        for pid in sessions:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    row = wait_until_made(stack, report)
    assert row.attempts == 2, "the render was not tried again after the restart"
    assert row.error == ""
    log = stack.worker.log()
    assert "terminating connection" in log or "server closed the connection" in log, log


@pytest.mark.worker_env(**{PAUSE_ENV: "3"})
def test_worker_killed_whole_mid_render(stack, cast, login):
    _, report = ask_for_report(login(cast.caseworker), cast.case)

    def rendering() -> bool:
        return Report.objects.get(pk=report.pk).state == ReportState.RENDERING

    wait_for(rendering, 30, interval=0.02, message=stack.logs)
    killed_at = time.monotonic()
    stack.kill_worker()
    assert Report.objects.get(pk=report.pk).state == ReportState.RENDERING

    stack.replace_worker(**{PAUSE_ENV: ""})
    row = wait_until_made(stack, report)
    assert time.monotonic() - killed_at < MADE_WITHIN
    assert row.attempts == 2
    assert "reports.tasks.resend_stale_reports" in stack.beat.log()
