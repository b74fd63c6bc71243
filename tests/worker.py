"""A real Celery worker for the tests of retries, idempotency and crashes (STYLE.md, habit 6).

`celery_worker` starts `celery worker` as a subprocess against the test database and the real
Redis, and stops it after the test:

1. it needs committed data (`transactional_db`, which `live_server` brings too): the worker is
   another process and sees nothing of a test's open transaction;
2. the worker's DATABASE_URL is built from the test connection (the test database's name,
   host, port and user), its REDIS_URL is the test process's broker;
3. every use gets a queue of its own: the test process's `.delay()` calls are routed to it
   (`task_default_queue`, restored afterwards) and so are the tasks the worker itself sends
   (it runs this module as its Celery app, see `_configure_worker` below), so a developer's
   `make run` worker on the same Redis never takes a test's task, nor the test worker theirs;
4. REPORT_ROOT is a fresh temporary folder shared by both processes; renders are retried after
   1 s (EXITPROG_REPORT_RETRY_SECONDS); eager mode is off in both processes;
5. it waits for the worker's "ready" line; on teardown it sends SIGTERM, then SIGKILL, and
   purges the queue. The worker's log is in a file and is added to the report of a failed test.

Extra environment for one test's worker: `@pytest.mark.worker_env(NAME="value", ...)`.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from celery.signals import worker_process_init, worker_ready

from exitprog.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent
# Set only in the worker's environment (never in the test process).
QUEUE_ENV = "EXITPROG_TEST_WORKER_QUEUE"
# Test hook, worker side: sleep this many seconds before the fsync of a report's temporary
# file, so that a test can kill the worker while the file is half-way to its final name.
PAUSE_ENV = "EXITPROG_TEST_PAUSE_BEFORE_FSYNC"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


# --- Worker side: `celery -A tests.worker worker` imports this module as its app --------------


def _configure_worker() -> None:
    queue = os.environ.get(QUEUE_ENV)
    if queue:
        # The tasks the worker sends (a schedule run enqueues renders, the outbox resends,
        # retries) go to the test's queue too, not to the shared default queue.
        app.conf.task_default_queue = queue
    if os.environ.get(PAUSE_ENV):
        worker_process_init.connect(_pause_before_fsync, weak=False)
    if queue:
        worker_ready.connect(_exit_fast_after_shutdown, weak=False)


def _exit_fast_after_shutdown(**kwargs: Any) -> None:
    """Once the worker is up: when it exits after its warm shutdown (pool joined, messages
    given back, broker connection closed), skip Python's teardown of its modules, which costs
    a second or two per test and does nothing a test needs."""

    def exit_now() -> None:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    atexit.register(exit_now)


def _pause_before_fsync(**kwargs: Any) -> None:
    """In the pool process: make `reports.storage` wait before it flushes a temporary file."""
    import types

    from reports import storage

    seconds = float(os.environ[PAUSE_ENV])
    real_os = storage.os

    class PausingOS(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            return getattr(real_os, name)

        @staticmethod
        def fsync(descriptor: int) -> None:
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/self/fd/{descriptor}").endswith(".tmp"):
                    time.sleep(seconds)
            real_os.fsync(descriptor)

    storage.os = PausingOS("os")


_configure_worker()


# --- Test side ---------------------------------------------------------------------------------


def wait_for[T](
    predicate: Callable[[], T],
    timeout: float = 10.0,
    *,
    interval: float = 0.05,
    message: str | Callable[[], str] = "",
) -> T:
    """Call `predicate` until it returns something truthy and return that; fail the test
    after `timeout` seconds (with `message`, or its result when it is callable)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            pytest.fail(f"gave up after {timeout:.1f} s: {text or predicate}", pytrace=False)
        time.sleep(interval)


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (read from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return sorted(children)


class WorkerError(RuntimeError):
    """The worker did not start."""


def worker_environment(
    *, database_url: str, report_root: Path, queue: str, **extra: str
) -> dict[str, str]:
    """The environment of a worker on `queue` that uses this database and report folder and
    the test process's broker, with eager mode off and renders retried after 1 s."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "exitprog.settings",
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true"),
        "DATABASE_URL": database_url,
        "REDIS_URL": str(app.conf.broker_url),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Celery runs Django's system checks at start (about 1.5 s); `make test` runs them.
        "CELERY_SKIP_CHECKS": "1",
        "EXITPROG_REPORT_ROOT": str(report_root),
        "EXITPROG_REPORT_RETRY_SECONDS": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
        QUEUE_ENV: queue,
        **extra,
    }


@dataclass
class CeleryWorker:
    queue: str
    report_root: Path
    log_path: Path
    env: dict[str, str]
    concurrency: int = 1
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def pool_pids(self) -> list[int]:
        """The pool's child processes (one, with --concurrency=1), which run the tasks."""
        return child_pids(self.pid)

    def kill_pool_process(self) -> int:
        """SIGKILL the pool process, as the kernel's OOM killer would; return its pid."""
        pids = self.pool_pids()
        assert len(pids) == 1, f"expected one pool process, found {pids}"
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def received(self, task_name: str) -> int:
        """How many messages of `task_name` the worker has taken so far."""
        return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] received", self.log()))

    def succeeded(self, task_name: str) -> int:
        """How many runs of `task_name` have ended well so far (retries are not counted)."""
        return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", self.log()))

    def drain(self, timeout: float = 20.0) -> None:
        """Wait until the worker has taken every message sent so far: send a task that does
        nothing and wait for it (one process takes the queue's messages in order)."""
        app.tasks["celery.accumulate"].delay("drain").get(timeout=timeout)

    def queue_length(self) -> int:
        with app.connection_for_write() as connection:
            return int(connection.default_channel.client.llen(self.queue))

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "--app=tests.worker",
            "worker",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--queues={self.queue}",
            f"--hostname={self.queue}@%h",
            "--loglevel=INFO",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed args)
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )
        ready = re.compile(rf"{re.escape(self.queue)}@\S+ ready\.")
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.search(self.log()):
            if self.process.poll() is not None:
                raise WorkerError(f"the Celery worker exited at start:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise WorkerError(f"the Celery worker was not ready in time:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (a warm shutdown: unacknowledged messages go back to the queue), then
        SIGKILL to the whole process group; then empty the queue."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(STOP_TIMEOUT)
        if process is not None:
            # A pool process orphaned by a killed main process keeps the group id.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(self.queue)


class _LogOnFailure:
    """Adds the worker's log to the report of the test when it fails."""

    def __init__(self, item: pytest.Item, worker: CeleryWorker) -> None:
        self.item = item
        self.worker = worker

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if item is self.item and report.failed:
            report.sections.append(
                (f"Celery worker log ({self.worker.log_path})", self.worker.log())
            )
        return report


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def celery_worker(request, transactional_db, settings, tmp_path) -> Iterator[CeleryWorker]:
    """A real Celery worker (one prefork process) on a queue of its own; see the module."""
    from django.db import connection

    if connection.in_atomic_block:
        pytest.fail("celery_worker needs committed data: use transactional_db or live_server")
    settings.REPORT_ROOT = tmp_path / "reports"  # reports.models resets its storage
    settings.REPORT_ROOT.mkdir()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue = f"test-{uuid.uuid4().hex[:12]}"
    extra: dict[str, str] = {}
    for marker in reversed(list(request.node.iter_markers("worker_env"))):
        extra.update({name: str(value) for name, value in marker.kwargs.items()})
    env = worker_environment(
        database_url=_database_url(), report_root=settings.REPORT_ROOT, queue=queue, **extra
    )
    worker = CeleryWorker(
        queue=queue, report_root=settings.REPORT_ROOT, log_path=tmp_path / "worker.log", env=env
    )
    saved = {key: app.conf[key] for key in ("task_default_queue", "task_always_eager")}
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    plugin = _LogOnFailure(request.node, worker)
    request.config.pluginmanager.register(plugin, f"celery-worker-log-{queue}")
    try:
        try:
            worker.start()
        except WorkerError as error:
            pytest.fail(str(error), pytrace=False)
        yield worker
    finally:
        try:
            worker.stop()
        finally:
            app.conf.update(saved)
            request.config.pluginmanager.unregister(plugin)
