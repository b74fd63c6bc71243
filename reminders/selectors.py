"""What the home page's "My tasks", the case page's task section and the task form show, each
in a fixed number of queries."""

import datetime

from django.db.models import F, QuerySet

from access import policy
from accounts.models import User
from accounts.types import AnyUser
from cases.models import OPEN_STATES, Case
from reminders.models import Task

MY_TASKS_LIMIT = 50
CASE_TASKS_LIMIT = 50


def tasks_open_for(*, user: AnyUser) -> QuerySet[Task]:
    """The user's open tasks in the cases they may read now, soonest first (one query).

    A task of a case the user no longer reads (taken off it, moved away) is not shown: its
    title is case content."""
    return (
        Task.objects.filter(assigned_to__pk=policy.user_pk(user), done_at__isnull=True)
        .filter(case__in=policy.cases_visible_to(user))
        .select_related("case")
        .order_by("due_on", "id")[:MY_TASKS_LIMIT]
    )


def case_tasks(*, case: Case) -> list[Task]:
    """The case's tasks: the open ones first (soonest first), then the done ones, newest
    first (one query)."""
    return list(
        Task.objects.filter(case=case)
        .select_related("assigned_to", "created_by", "done_by")
        .order_by(F("done_at").desc(nulls_first=True), "due_on", "id")[:CASE_TASKS_LIMIT]
    )


def case_open_task_count(*, case: Case) -> int:
    return Task.objects.filter(case=case, done_at__isnull=True).count()


def task_assignee_choices(*, case: Case) -> QuerySet[User]:
    """Whom a task in `case` may be given to: whoever may edit the case (the access module)."""
    return policy.case_editors(case)


def task_of_case(*, case: Case, task_id: int) -> Task | None:
    """A task of `case` (the case already checked through the access module), or None."""
    return Task.objects.filter(case=case, pk=task_id).first()


def tasks_due(*, today: datetime.date) -> QuerySet[Task]:
    """Open tasks due today or before, in open cases: for the daily "task due" job."""
    return (
        Task.objects.filter(done_at__isnull=True, due_on__lte=today, case__state__in=OPEN_STATES)
        .select_related("case", "case__municipality", "assigned_to")
        .order_by("due_on", "id")
    )
