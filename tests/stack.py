"""A whole background stack for the fault tests: a private Redis, a Celery worker and beat.

The shared Redis must not be stopped (other tests, other xdist workers use it), so each fault
test gets a `redis-server` of its own on a free port, which it may stop, start again, pause
(SIGSTOP) and resume. The worker and beat run as in production (`tests.worker` as their app:
a queue of the test's own), beat with short intervals: the outbox relay every second and the
sweep of stuck renders every two (production: 15 s and a minute).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from exitprog.celery import app
from tests.worker import (
    BASE_DIR,
    CeleryWorker,
    WorkerError,
    _database_url,
    worker_environment,
)

RELAY_SECONDS = 1
SWEEP_SECONDS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PrivateRedis:
    """A `redis-server` of the test's own, which it may stop, pause and start again."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command)
            [
                "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.exceptions.RedisError):
                if client.ping():
                    return
            if time.monotonic() > deadline:
                raise WorkerError("the private redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it for good (as `systemctl stop redis` does): its port refuses connections."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)  # a paused server cannot exit
            process.terminate()
            process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: connections are accepted by the kernel, and nothing ever answers."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


class CeleryBeat:
    """`celery beat` with the test's queue and short intervals; see the module."""

    def __init__(self, *, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.log_path = folder / "beat.log"
        self.process: subprocess.Popen[bytes] | None = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed args)
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "--app=tests.worker",
                    "beat",
                    f"--schedule={self.folder / 'beat-schedule'}",
                    "--pidfile=",
                    "--loglevel=INFO",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@dataclass
class Stack:
    redis: PrivateRedis
    worker: CeleryWorker
    beat: CeleryBeat
    env: dict[str, str]

    def logs(self) -> str:
        return f"--- worker\n{self.worker.log()}\n--- beat\n{self.beat.log()}"

    def kill_worker(self) -> None:
        """SIGKILL the worker whole, main process and pool, as a host that dies would."""
        process = self.worker.process
        assert process is not None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def replace_worker(self, **extra: str) -> CeleryWorker:
        """Start a new worker on the same queue (after the old one was killed)."""
        worker = CeleryWorker(
            queue=self.worker.queue,
            report_root=self.worker.report_root,
            log_path=self.worker.log_path.with_name(f"worker-{uuid.uuid4().hex[:6]}.log"),
            env={**self.env, **extra},
        )
        worker.start()
        self.worker = worker
        return worker


def _point_app_at(url: str) -> None:
    """Make this process's Celery app publish to `url`: its pools are forgotten (as Celery
    does after a fork) and made anew for the new address on their next use. They are not
    closed: a producer pool made for the old address may still hold them."""
    app.conf.broker_url = url
    app.conf.broker_write_url = None
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


@pytest.fixture(name="stack")
def stack_fixture(request, transactional_db, settings, tmp_path) -> Iterator[Stack]:
    """A private Redis, a Celery worker and beat against the test database; see the module.
    `@pytest.mark.worker_env(...)` adds to the worker's (not beat's) environment."""
    settings.REPORT_ROOT = tmp_path / "reports"
    settings.REPORT_ROOT.mkdir()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    private = PrivateRedis(folder=tmp_path)
    private.start()
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "broker_write_url", "task_default_queue", "task_always_eager")
    }
    _point_app_at(private.url)
    queue = f"fault-{uuid.uuid4().hex[:12]}"
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    env = worker_environment(
        database_url=_database_url(),
        report_root=settings.REPORT_ROOT,
        queue=queue,
        EXITPROG_OUTBOX_RELAY_SECONDS=str(RELAY_SECONDS),
        EXITPROG_REPORT_SWEEP_SECONDS=str(SWEEP_SECONDS),
    )
    env["REDIS_URL"] = private.url
    extra: dict[str, str] = {}
    for marker in reversed(list(request.node.iter_markers("worker_env"))):
        extra.update({name: str(value) for name, value in marker.kwargs.items()})
    worker = CeleryWorker(
        queue=queue,
        report_root=settings.REPORT_ROOT,
        log_path=tmp_path / "worker.log",
        env={**env, **extra},
    )
    beat = CeleryBeat(env=env, folder=tmp_path)
    running = Stack(redis=private, worker=worker, beat=beat, env=env)
    try:
        try:
            worker.start()
        except WorkerError as error:
            pytest.fail(str(error), pytrace=False)
        beat.start()
        yield running
    finally:
        beat.stop()
        with contextlib.suppress(Exception):
            running.worker.stop()
        private.stop()
        app.conf.update(saved)
        _point_app_at(saved["broker_url"])
        app.conf.broker_write_url = saved["broker_write_url"]
