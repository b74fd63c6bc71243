"""The case follow-up report: the state of one case, its plan and motivation trend, what was
done (interventions, referrals, journal entries of the period), follow-ups and what is due.

Read in a fixed number of queries (nine, with the report's case, client and municipalities
already loaded), whatever the size of the case. The sections that describe the case as it
stands (state, threat level, needs, tasks) are read on the day the report is made; the
journal is that of the period, and the motivation trend runs up to the period's end.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from cases.charts import TrendPoint, motivation_trend_svg
from cases.models import (
    Case,
    CaseUserObjectPermission,
    FollowUp,
    Instrument,
    Intervention,
    InterventionStatus,
    JournalEntry,
    StageOfChange,
)
from cases.selectors import journal_corrections_annotation
from exitprog.numbers import sek
from records.selectors import case_plan_at
from referrals.models import Referral, ReferralState
from referrals.selectors import is_unanswered, waiting_days
from reports.documents.common import day_bounds, identity_of
from reports.periods import Period

TEMPLATE = "reports/pdf/case_follow_up.html"


class TaskKind(StrEnum):
    REVIEW = "review"
    REFERRAL = "referral"
    FOLLOW_UP = "follow_up"
    INTERVENTION = "intervention"


@dataclass(frozen=True)
class Task:
    """Something due in the case: what, by when, whether that day has passed, and what it
    concerns (an agency, an intervention type, the months of a follow-up)."""

    kind: TaskKind
    day: datetime.date
    overdue: bool
    subject: str = ""


@dataclass(frozen=True)
class ReferralLine:
    referral: Referral
    waiting_days: int | None
    unanswered: bool


def _tasks(
    *,
    case: Case,
    referrals: list[ReferralLine],
    follow_ups: list[FollowUp],
    interventions: list[Intervention],
    today: datetime.date,
    answer_days: int,
) -> list[Task]:
    """What is due within EXITPROG_DUE_SOON_DAYS or overdue, soonest first: the next review,
    answers to referrals (overdue from the day the municipality's answer days ran out),
    follow-ups, and planned interventions whose start comes soon or has passed."""
    soon = today + datetime.timedelta(days=settings.EXITPROG_DUE_SOON_DAYS)
    tasks: list[Task] = []
    if case.is_open and case.next_review_on is not None and case.next_review_on <= soon:
        tasks.append(
            Task(TaskKind.REVIEW, case.next_review_on, overdue=case.next_review_on < today)
        )
    for line in referrals:
        sent_at = line.referral.sent_at
        if line.unanswered and sent_at is not None:
            deadline = timezone.localdate(sent_at) + datetime.timedelta(days=answer_days)
            tasks.append(
                Task(TaskKind.REFERRAL, deadline, overdue=True, subject=line.referral.agency.name)
            )
    for follow_up in follow_ups:
        if not follow_up.is_recorded and follow_up.due_on <= soon:
            tasks.append(
                Task(
                    TaskKind.FOLLOW_UP,
                    follow_up.due_on,
                    overdue=follow_up.due_on < today,
                    subject=str(follow_up.months),
                )
            )
    for intervention in interventions:
        start = intervention.planned_start
        if (
            intervention.status == InterventionStatus.PLANNED
            and intervention.actual_start is None
            and start is not None
            and start <= soon
        ):
            tasks.append(
                Task(
                    TaskKind.INTERVENTION,
                    start,
                    overdue=start < today,
                    subject=intervention.type.label,
                )
            )
    return sorted(tasks, key=lambda task: (task.day, task.kind))


def case_follow_up_context(
    *, case: Case, period: Period, today: datetime.date
) -> tuple[str, dict[str, Any]]:
    assignments = list(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename=policy.ASSIGNMENT_PERM
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    instrument = (
        Instrument.objects.filter(code="motivation", is_current=True)
        .annotate(total=Sum("items__max_score"))
        .first()
    )
    max_score = (instrument.total if instrument is not None else 0) or 0
    assessments = list(
        case.assessments.filter(assessed_on__lte=period.end).order_by("assessed_on", "id")
    )
    chart = ""
    if assessments and max_score:
        chart = motivation_trend_svg(
            [
                TrendPoint(a.assessed_on, a.total_score, str(StageOfChange(a.stage).label))
                for a in assessments
            ],
            max_score=max_score,
            title=_("Motivation over time"),
            desc=_(
                "Total score of each motivation assessment, by date; "
                "the table below has the same figures."
            ),
        )
    threat = case.threats.order_by("-assessed_on", "-id").first()
    needs = list(
        case.needs.filter(resolved_on__isnull=True).select_related("need").order_by("need__order")
    )
    interventions = list(
        case.interventions.select_related("type", "provider").order_by(
            F("planned_start").asc(nulls_last=True), "id"
        )
    )
    answer_days = case.municipality.referral_answer_days
    referrals = [
        ReferralLine(
            referral=r,
            waiting_days=waiting_days(r, today=today),
            unanswered=is_unanswered(r, today=today, days=answer_days),
        )
        for r in Referral.objects.filter(case=case)
        .exclude(state=ReferralState.DRAFT)
        .select_related("agency")
        .order_by("sent_at", "id")
    ]
    start_at, end_at = day_bounds(period)
    journal = list(
        JournalEntry.objects.filter(case=case)
        .filter(
            Q(occurred_on__range=(period.start, period.end))
            | Q(written_at__gte=start_at, written_at__lt=end_at)
        )
        .select_related("author", "corrects")
        .annotate(corrected=Exists(JournalEntry.objects.filter(corrects=OuterRef("pk"))))
        .annotate(**journal_corrections_annotation())
        .order_by("occurred_on", "written_at", "id")
    )
    in_report = {entry.pk for entry in journal}
    for entry in journal:
        entry.corrects_in_report = entry.corrects_id in in_report  # type: ignore[attr-defined]
        # Which entries correct it: linked when the report holds them (issue 11).
        entry.corrected_by = [  # type: ignore[attr-defined]
            {"pk": pk, "written_at": at, "in_report": pk in in_report}
            for pk, at in zip(
                entry.correction_ids or [],  # type: ignore[attr-defined]
                entry.correction_times or [],  # type: ignore[attr-defined]
                strict=False,
            )
        ]
    follow_ups = list(case.follow_ups.select_related("recorded_by").order_by("months", "id"))
    for follow_up in follow_ups:
        follow_up.overdue = follow_up.is_overdue(today)  # type: ignore[attr-defined]

    tasks = _tasks(
        case=case,
        referrals=referrals,
        follow_ups=follow_ups,
        interventions=interventions,
        today=today,
        answer_days=answer_days,
    )
    total_cost = sum((i.cost_sek or Decimal(0) for i in interventions), Decimal(0))
    for intervention in interventions:
        intervention.cost_text = sek(intervention.cost_sek)  # type: ignore[attr-defined]
    return TEMPLATE, {
        "case": case,
        "plan": case_plan_at(case=case, end=end_at),
        "identity": identity_of(case.client),
        "assignments": assignments,
        "threat": threat,
        "needs": needs,
        "assessments": assessments,
        "max_score": max_score,
        "chart": chart,
        "interventions": interventions,
        "total_cost": sek(total_cost),
        "referrals": referrals,
        "answer_days": answer_days,
        "journal": journal,
        "follow_ups": follow_ups,
        "tasks": tasks,
        "due_soon_days": settings.EXITPROG_DUE_SOON_DAYS,
    }
