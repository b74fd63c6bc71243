"""The Celery application: configured from Django's settings (CELERY_*), tasks found in apps.

Jobs are never sent with `.delay()` from the apps: they go through the outbox
(`outbox.services.outbox_put`), written in the transaction of the change that calls for them.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import task_failure

from exitprog.db import close_unusable_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitprog.settings")

app = Celery("exitprog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect
def _close_broken_connections(**kwargs: Any) -> None:
    """A task that failed on a dead database connection (a restart) leaves no broken
    connection behind for the next task. (Celery's Django fixup closes the connections
    before and after each task; this covers the failure path of every task.)"""
    close_unusable_connections()
