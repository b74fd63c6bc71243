"""Tasks and notifications for the demo caseworker (`manage.py seed_demo`): a few open tasks
in their cases (one overdue, one given by their manager), one done, and the notifications
such days leave. Written directly, like the rest of the demo data: no e-mail is sent."""

import datetime

from django.utils import timezone

from access import policy
from accounts.models import User
from cases.models import OPEN_STATES
from notifications.models import Notification, NotificationKind
from reminders.models import Task

TITLES = [
    "Ring klienten om bostadsbesöket",
    "Boka SIP-möte med psykiatrin",
    "Begär uppdaterat samtycke",
    "Skicka underlag till Kronofogden",
]


def tasks_demo(*, caseworker: User, manager: User, today: datetime.date) -> int:
    """Tasks and notifications in the caseworker's open cases; the number of tasks made."""
    if Task.objects.filter(assigned_to=caseworker).exists():
        return 0
    cases = list(
        policy.cases_assigned_to(caseworker).filter(state__in=OPEN_STATES).order_by("pk")[:4]
    )
    if not cases:
        return 0
    now = timezone.now()
    day = datetime.timedelta(days=1)
    plans = [
        (-2, manager, False),
        (0, caseworker, False),
        (5, manager, False),
        (-6, caseworker, True),
    ]
    tasks = [
        Task(
            case=case,
            title=title,
            due_on=today + offset * day,
            assigned_to=caseworker,
            created_by=by,
            created_at=now - 10 * day,
            done_at=now - day if done else None,
            done_by=caseworker if done else None,
        )
        for case, title, (offset, by, done) in zip(cases, TITLES, plans, strict=False)
    ]
    Task.objects.bulk_create(tasks)
    notes = [
        Notification(recipient=caseworker, kind=NotificationKind.TASK_ASSIGNED, case=t.case)
        for t in tasks
        if t.created_by_id == manager.pk
    ]
    notes.append(
        Notification(
            recipient=caseworker,
            kind=NotificationKind.TASK_DUE,
            case=tasks[0].case,
            key=f"task-due:{tasks[0].pk}:{tasks[0].due_on.isoformat()}",
        )
    )
    notes.append(
        Notification(
            recipient=caseworker,
            kind=NotificationKind.REFERRAL_ANSWERED,
            case=cases[-1],
            read_at=now - day,
        )
    )
    Notification.objects.bulk_create(notes)
    return len(tasks)
