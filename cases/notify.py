"""The time-based notifications of the dates cases own: a review overdue, a follow-up due,
a police share whose consent is about to expire, a young client's 18th birthday. Services run
daily by beat (cases.tasks).

Each notifies the case's assigned caseworkers (`policy.case_caseworkers`) once per thing and
date: the key names the case, the record and the date it is about, so the job run again the
same day or the next notifies nobody twice (`notifications.services.notification_send`), and a
new date (a review moved, a consent renewed) is a new thing to hear about.
"""

import datetime

from django.db import transaction

from access import policy
from access.policy import CaseAction
from audit.models import AccessAction
from audit.services import access_log_record
from cases.age import is_young
from cases.models import OPEN_STATES, Case, Client, FollowUp, PoliceShare
from notifications.models import NotificationKind
from notifications.services import notification_send

# How long before its consent expires a police share is announced.
SHARE_EXPIRY_NOTICE_DAYS = 14


def reviews_notify_overdue(*, today: datetime.date) -> int:
    """The caseworkers of each open case whose review date has passed; the number notified."""
    notified = 0
    cases = Case.objects.filter(state__in=OPEN_STATES, next_review_on__lt=today).order_by("pk")
    for case in cases.iterator(chunk_size=500):
        if case.next_review_on is None:  # the filter says it is not; for the type checker
            continue
        notified += len(
            notification_send(
                recipients=policy.case_caseworkers(case),
                kind=NotificationKind.REVIEW_OVERDUE,
                case=case,
                key=f"review-overdue:{case.pk}:{case.next_review_on.isoformat()}",
            )
        )
    return notified


def follow_ups_notify_due(*, today: datetime.date) -> int:
    """The caseworkers of each case with a follow-up due today or before and not recorded."""
    notified = 0
    due = (
        FollowUp.objects.filter(recorded_at__isnull=True, due_on__lte=today)
        .select_related("case")
        .order_by("due_on", "pk")
    )
    for follow_up in due.iterator(chunk_size=500):
        notified += len(
            notification_send(
                recipients=policy.case_caseworkers(follow_up.case),
                kind=NotificationKind.FOLLOW_UP_DUE,
                case=follow_up.case,
                key=f"follow-up-due:{follow_up.pk}:{follow_up.due_on.isoformat()}",
            )
        )
    return notified


def police_shares_notify_expiring(
    *, today: datetime.date, within_days: int = SHARE_EXPIRY_NOTICE_DAYS
) -> int:
    """The caseworkers of the case, and the manager who made the share while they still
    manage it, hear of each open share whose consent expires within `within_days` (a share
    on a legal basis does not expire)."""
    notified = 0
    expiring = (
        PoliceShare.objects.filter(
            ended_at__isnull=True,
            consent__revoked_at__isnull=True,
            consent__valid_until__gte=today,
            consent__valid_until__lte=today + datetime.timedelta(days=within_days),
        )
        .filter(legal_basis="")
        .select_related("case", "consent", "created_by")
        .order_by("pk")
    )
    for share in expiring.iterator(chunk_size=500):
        if share.consent is None or share.consent.valid_until is None:  # filtered out above
            continue
        recipients = list(policy.case_caseworkers(share.case))
        if policy.may(share.created_by, CaseAction.MANAGE, share.case):
            recipients.append(share.created_by)
        notified += len(
            notification_send(
                recipients=recipients,
                kind=NotificationKind.SHARE_EXPIRING,
                case=share.case,
                key=f"share-expiring:{share.pk}:{share.consent.valid_until.isoformat()}",
            )
        )
    return notified


def clients_notify_turned_adult(*, today: datetime.date) -> int:
    """Clear the `young` flag of the clients no longer under 18 on `today` (cases.age: the 18th
    birthday, or an age band aged past it) and notify the caseworkers of their open cases; the
    number notified. Each client in its own transaction, with its access-log row; a client's
    change is notified once (the key names the client), however often the job runs."""
    notified = 0
    for pk in Client.objects.filter(young=True).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            client = Client.objects.select_for_update().filter(pk=pk, young=True).first()
            if client is None or is_young(client, today):
                continue
            Client.objects.filter(pk=pk).update(young=False)
            cases = list(client.cases.filter(state__in=OPEN_STATES).order_by("pk"))
            if not cases:  # no open case: the log row is the municipality's
                access_log_record(
                    user=None,
                    action=AccessAction.CHANGE,
                    obj=client,
                    municipality=client.municipality,
                    detail="client turned 18",
                )
            for case in cases:
                access_log_record(
                    user=None,
                    action=AccessAction.CHANGE,
                    case=case,
                    obj=client,
                    detail="client turned 18",
                )
                notified += len(
                    notification_send(
                        recipients=policy.case_caseworkers(case),
                        kind=NotificationKind.CLIENT_TURNED_18,
                        case=case,
                        key=f"client-turned-18:{client.pk}:{case.pk}",
                    )
                )
    return notified
