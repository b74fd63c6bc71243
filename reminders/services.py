"""Creating tasks, marking them done, and the daily "task due" notifications.

A task is created and marked done by whoever may edit its case (`CaseAction.EDIT`), and given
to one of them (`policy.case_editors`); the assignee, when it is someone else, is notified.
Each write logs itself in its transaction.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_record
from cases.models import Case
from cases.services import CaseRuleError
from notifications.models import NotificationKind
from notifications.services import notification_send
from reminders import selectors
from reminders.models import Task

TITLE_MAX = 200
# How far ahead a task may be due: beyond a year it belongs in the plan.
MAX_AHEAD = datetime.timedelta(days=366)


def _require_edit(by: User, case: Case) -> None:
    if not policy.may(by, CaseAction.EDIT, case):
        raise CaseRuleError(_("You are not allowed to do this in this case."), code="forbidden")


@transaction.atomic
def task_create(
    *,
    case: Case,
    by: User,
    title: str,
    due_on: datetime.date,
    assigned_to: User,
    note: str = "",
) -> Task:
    """A task in an open case for `assigned_to` (who may edit the case), due on `due_on`."""
    _require_edit(by, case)
    if not case.is_open:
        raise CaseRuleError(_("The case is closed: it gets no new tasks."), code="closed")
    title = title.strip()
    if not title:
        raise CaseRuleError(_("Say what is to be done."), code="title")
    if len(title) > TITLE_MAX:
        raise CaseRuleError(
            _("A task is at most %(count)d characters; put the rest in the note.")
            % {"count": TITLE_MAX},
            code="title",
        )
    today = timezone.localdate()
    if due_on < today:
        raise CaseRuleError(_("A task cannot be due in the past."), code="due_on")
    if due_on > today + MAX_AHEAD:
        raise CaseRuleError(
            _("A task must be due within a year, by %(date)s at the latest.")
            % {"date": (today + MAX_AHEAD).isoformat()},
            code="due_on",
        )
    if not selectors.task_assignee_choices(case=case).filter(pk=assigned_to.pk).exists():
        raise CaseRuleError(
            _("A task can be given only to a caseworker of the case or a manager."),
            code="assigned_to",
        )
    task = Task.objects.create(
        case=case,
        title=title,
        note=note.strip(),
        due_on=due_on,
        assigned_to=assigned_to,
        created_by=by,
    )
    access_log_record(user=by, action=AccessAction.CREATE, case=case, obj=task, detail="task")
    notification_send(
        recipients=[assigned_to], kind=NotificationKind.TASK_ASSIGNED, case=case, exclude=by
    )
    return task


@transaction.atomic
def task_complete(*, task: Task, by: User) -> Task:
    """Mark the task done (once: a task already done is refused, saying by whom)."""
    task = Task.objects.select_for_update(of=("self",)).select_related("case").get(pk=task.pk)
    _require_edit(by, task.case)
    if task.done_at is not None:
        raise CaseRuleError(_("The task is already marked as done."), code="done")
    task.done_at = timezone.now()
    task.done_by = by
    task.save(update_fields=["done_at", "done_by"])
    access_log_record(
        user=by, action=AccessAction.CHANGE, case=task.case, obj=task, detail="task done"
    )
    return task


def tasks_notify_due(*, today: datetime.date) -> int:
    """Notify each assignee of their open tasks due today or before, once per task and due
    date (run again the same day, or the next, it notifies nobody twice); only while they
    may still read the case. The number notified."""
    notified = 0
    for task in selectors.tasks_due(today=today):
        if not policy.may(task.assigned_to, CaseAction.READ, task.case):
            continue
        notified += len(
            notification_send(
                recipients=[task.assigned_to],
                kind=NotificationKind.TASK_DUE,
                case=task.case,
                key=f"task-due:{task.pk}:{task.due_on.isoformat()}",
            )
        )
    return notified
