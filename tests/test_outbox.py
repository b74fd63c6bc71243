"""The outbox and the sweep of stuck renders, without a worker (tests/test_faults.py has them
against a running stack).

A broker that is away here is a real one: a port nothing listens on (stopped), and a private
redis-server paused with SIGSTOP (hung).
"""

import datetime
import time

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from exitprog.celery import app
from exitprog.db import close_unusable_connections
from outbox.models import OutboxMessage
from outbox.services import outbox_purge_sent, outbox_put, outbox_relay, outbox_send
from reports import services
from reports.models import Report, ReportState
from tests.factories import ReportFactory
from tests.stack import PrivateRedis, _point_app_at, free_port

TASK = "reports.tasks.resend_stale_reports"  # any task: nothing consumes these queues


@pytest.fixture
def broker_at():
    """Point this process's Celery app at another broker for the test."""
    saved = app.conf.broker_url

    def point(url: str) -> None:
        _point_app_at(url)

    yield point
    _point_app_at(saved)


def test_a_rolled_back_change_sends_no_job(db, django_capture_on_commit_callbacks):
    class Rollback(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        outbox_put(TASK)
        raise Rollback
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("fault", ["stopped", "paused"])
def test_a_broker_that_is_away_costs_well_under_a_second(db, broker_at, tmp_path, fault):
    private = None
    if fault == "stopped":
        broker_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    else:
        private = PrivateRedis(folder=tmp_path)
        private.start()
        broker_at(private.url)
        private.pause()
    try:
        message_id = OutboxMessage.objects.create(task=TASK, args=[7]).pk
        started = time.monotonic()
        assert outbox_send([message_id]) == 0
        took = time.monotonic() - started
    finally:
        if private is not None:
            private.stop()
    assert took < 1.0, f"a {fault} broker held the caller {took:.2f} s"
    message = OutboxMessage.objects.get(pk=message_id)
    assert message.sent_at is None
    assert message.failures == 1
    assert message.last_error


def test_the_relay_sends_what_is_unsent_once_and_keeps_the_pause(db, broker_at, tmp_path):
    private = PrivateRedis(folder=tmp_path)
    private.start()
    try:
        broker_at(private.url)
        # As the broker being away at its commit left it: unsent, its retry due in 5 minutes.
        waiting = OutboxMessage.objects.create(
            task=TASK, eta=timezone.now() + datetime.timedelta(minutes=5)
        ).pk
        assert outbox_relay() == 1
        assert outbox_relay() == 0  # nothing is sent twice
        sent = OutboxMessage.objects.get(pk=waiting)
        assert sent.sent_at is not None
        assert sent.eta is not None and sent.eta > timezone.now()
    finally:
        private.stop()


def test_sent_messages_are_forgotten_after_a_week(db):
    old = OutboxMessage.objects.create(task=TASK, sent_at=timezone.now() - datetime.timedelta(8))
    recent = OutboxMessage.objects.create(task=TASK, sent_at=timezone.now())
    unsent = OutboxMessage.objects.create(
        task=TASK, created_at=timezone.now() - datetime.timedelta(30)
    )
    assert outbox_purge_sent() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


# --- The sweep of stuck renders ------------------------------------------------------------------


@pytest.fixture
def resent(monkeypatch):
    ids: list[int] = []
    monkeypatch.setattr(services, "_enqueue", lambda report_ids, **kw: ids.extend(report_ids))
    return ids


def rendering_report(cast, *, started: datetime.timedelta) -> Report:
    return ReportFactory(
        case=cast.case,
        state=ReportState.RENDERING,
        attempts=1,
        started_at=timezone.now() - started,
    )


def test_a_render_whose_worker_is_gone_is_sent_again_at_once(cast, resent):
    report = rendering_report(cast, started=datetime.timedelta(seconds=5))
    assert services.reports_resend_stale() == [report.pk]
    assert resent == [report.pk]


def test_a_render_that_holds_its_lock_is_left_alone(cast, resent):
    report = rendering_report(cast, started=datetime.timedelta(minutes=10))
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as worker:  # the rendering worker
        worker.execute("SELECT pg_advisory_lock(%s)", [services._LOCK_PREFIX + report.pk])
        assert services.reports_resend_stale() == []
        # Past REPORT_STUCK_AFTER_SECONDS it is taken for hung, lock or not.
        later = timezone.now() + datetime.timedelta(hours=1)
        assert services.reports_resend_stale(now=later) == [report.pk]
    assert resent == [report.pk]


def test_a_retry_whose_message_was_lost_is_sent_again_once_overdue(cast, resent, settings):
    report = ReportFactory(
        case=cast.case,
        state=ReportState.PENDING,
        attempts=1,
        retry_at=timezone.now() + datetime.timedelta(seconds=30),
    )
    assert services.reports_resend_stale() == []  # its retry is on its way
    overdue = timezone.now() + datetime.timedelta(seconds=31 + settings.REPORT_RETRY_GRACE_SECONDS)
    assert services.reports_resend_stale(now=overdue) == [report.pk]


def test_a_failed_attempt_and_its_retry_are_one_transaction(cast, settings):
    settings.REPORT_RETRY_SECONDS = 30
    report = ReportFactory(case=cast.case, state=ReportState.RENDERING, attempts=2)
    assert services.report_render_failed(report_id=report.pk, error="OSError: disk full") is False
    row = Report.objects.get(pk=report.pk)
    assert row.state == ReportState.PENDING
    assert row.error == "OSError: disk full"
    message = OutboxMessage.objects.get(task=services.RENDER_TASK)
    assert message.args == [report.pk]
    # The second failure waits twice the first pause.
    assert message.eta is not None and row.retry_at is not None
    assert 55 <= (message.eta - timezone.now()).total_seconds() <= 60
    assert 55 <= (row.retry_at - timezone.now()).total_seconds() <= 60


def test_the_last_try_ends_failed_without_a_retry(cast):
    report = ReportFactory(
        case=cast.case, state=ReportState.RENDERING, attempts=1 + services.RENDER_RETRIES
    )
    assert services.report_render_failed(report_id=report.pk, error="OSError: disk full")
    row = Report.objects.get(pk=report.pk)
    assert row.state == ReportState.FAILED
    assert row.finished_at is not None
    assert not OutboxMessage.objects.exists()


# --- Connections after a database restart --------------------------------------------------------


def test_a_dead_connection_is_replaced_before_the_next_work(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])  # as a restart does
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    close_unusable_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
