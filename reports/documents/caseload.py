"""The caseload report of one municipality, for its managers: cases by state and caseworker,
overdue items, waiting times and costs, with charts.

Every figure is an aggregate query over the municipality's cases (eleven queries in all,
whatever the number of cases: two of them the young clients' figures, cases.youth_figures); the
overdue lists name cases by reference only, never by client.
Counts by state, caseworkers' loads and overdue items are read on the day the report is made;
cases opened and closed, referrals started and intervention costs are those of the period.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from access import policy
from accounts.models import Municipality
from agencies.models import AgencyKind
from cases.models import (
    AWAITING_INTAKE_STATES,
    OPEN_STATES,
    Case,
    CaseState,
    CaseUserObjectPermission,
    FollowUp,
    Intervention,
    InterventionStatus,
)
from cases.youth_figures import Median, youth_figures
from exitprog.numbers import number, sek
from referrals.models import Referral, ReferralDirection, ReferralState
from reports.charts import Bar, bar_chart_svg
from reports.documents.common import bilingual, day_bounds
from reports.periods import Period

TEMPLATE = "reports/pdf/caseload.html"

# The states whose cases wait for the program's decision (one definition, in cases).
WAITING_STATES = AWAITING_INTAKE_STATES


def _days_between(later: str, earlier: str) -> Func:
    """Calendar days from `earlier` to `later` (timestamps, as local dates): date - date."""
    return Func(
        TruncDate(later),
        TruncDate(earlier),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class StateRow:
    state: str
    label: str
    count: int
    opened: int
    closed: int


@dataclass(frozen=True)
class Overdue:
    """An overdue item of a case, named by the case's reference: since when, how many days,
    and what it concerns (an agency, the months of a follow-up, the case's state)."""

    reference: str
    day: datetime.date
    days: int
    subject: str = ""


@dataclass(frozen=True)
class WaitRow:
    """Waiting days (sent to started) of the referrals started in the period."""

    label: str
    count: int
    median_days: float
    median: str
    mean: str
    longest: int


@dataclass(frozen=True)
class CostRow:
    label: str
    count: int
    without_cost: int
    total: Decimal

    @property
    def total_text(self) -> str:
        return sek(self.total)


def _by_state(cases: QuerySet[Case], period: Period) -> tuple[list[StateRow], int]:
    """Cases per state with those opened and closed in the period, and the number of open
    cases without a caseworker (one query)."""
    in_period = (period.start, period.end)
    assigned = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename=policy.ASSIGNMENT_PERM
    )
    counted: dict[str, Mapping[str, Any]] = {
        row["state"]: row
        for row in cases.values("state")
        .annotate(
            n=Count("id"),
            unassigned=Count("id", filter=~Q(Exists(assigned))),
            opened=Count("id", filter=Q(opened_on__range=in_period)),
            closed=Count("id", filter=Q(closed_on__range=in_period)),
        )
        .order_by()
    }
    none = {"n": 0, "opened": 0, "closed": 0, "unassigned": 0}
    rows = [
        StateRow(
            state=state.value,
            label=str(state.label),
            count=counted.get(state.value, none)["n"],
            opened=counted.get(state.value, none)["opened"],
            closed=counted.get(state.value, none)["closed"],
        )
        for state in CaseState
    ]
    unassigned = sum(counted.get(state, none)["unassigned"] for state in OPEN_STATES)
    return rows, unassigned


def _per_caseworker(municipality: Municipality) -> list[tuple[str, int]]:
    """Open cases per assigned caseworker, most first; a case with two caseworkers counts for
    both (one query)."""
    rows = (
        CaseUserObjectPermission.objects.filter(
            permission__codename=policy.ASSIGNMENT_PERM,
            content_object__municipality=municipality,
            content_object__state__in=OPEN_STATES,
        )
        .values("user_id", "user__first_name", "user__last_name", "user__username")
        .annotate(n=Count("id"))
        .order_by("-n", "user__last_name", "user__first_name", "user_id")
    )
    return [
        (f"{r['user__first_name']} {r['user__last_name']}".strip() or r["user__username"], r["n"])
        for r in rows
    ]


def _overdue(
    cases: QuerySet[Case], municipality: Municipality, today: datetime.date
) -> dict[str, list[Overdue]]:
    """Reviews, referral answers and follow-ups that are overdue, oldest first (three
    queries). A referral is unanswered as `referrals.selectors.is_unanswered` counts: sent
    before the day that lies the municipality's answer days back."""
    reviews: list[Mapping[str, Any]] = list(
        cases.filter(state__in=OPEN_STATES, next_review_on__lt=today)
        .order_by("next_review_on", "reference")
        .values("reference", "next_review_on")
    )
    cutoff = today - datetime.timedelta(days=municipality.referral_answer_days)
    referrals: list[Mapping[str, Any]] = list(
        Referral.objects.filter(
            case__municipality=municipality,
            direction=ReferralDirection.OUTBOUND,
            state=ReferralState.SENT,
            sent_at__lt=day_bounds(Period(cutoff, cutoff))[0],
        )
        .annotate(sent_on=TruncDate("sent_at"))
        .order_by("sent_at", "id")
        .values("case__reference", "agency__name", "sent_on")
    )
    follow_ups: list[Mapping[str, Any]] = list(
        FollowUp.objects.filter(
            case__municipality=municipality, recorded_at__isnull=True, due_on__lt=today
        )
        .order_by("due_on", "case__reference", "months")
        .values("case__reference", "months", "due_on")
    )
    return {
        "reviews": [
            Overdue(r["reference"], r["next_review_on"], (today - r["next_review_on"]).days)
            for r in reviews
        ],
        "referrals": [
            Overdue(
                r["case__reference"], r["sent_on"], (today - r["sent_on"]).days, r["agency__name"]
            )
            for r in referrals
        ],
        "follow_ups": [
            Overdue(r["case__reference"], r["due_on"], (today - r["due_on"]).days, str(r["months"]))
            for r in follow_ups
        ],
    }


def _wait_row(label: str, row: Mapping[str, Any]) -> WaitRow:
    return WaitRow(
        label=label,
        count=row["n"],
        median_days=row["median"] or 0.0,
        median=number(row["median"] or 0, 1),
        mean=number(row["mean"] or 0, 1),
        longest=row["longest"] or 0,
    )


def _waits(municipality: Municipality, period: Period) -> tuple[list[WaitRow], WaitRow | None]:
    """Waiting days of the outbound referrals started in the period, per kind of agency and
    over all (two aggregate queries)."""
    start_at, end_at = day_bounds(period)
    started = Referral.objects.filter(
        case__municipality=municipality,
        direction=ReferralDirection.OUTBOUND,
        sent_at__isnull=False,
        started_at__gte=start_at,
        started_at__lt=end_at,
    ).annotate(days=_days_between("started_at", "sent_at"))
    figures = {
        "n": Count("id"),
        "median": Median("days"),
        "mean": Avg("days"),
        "longest": Max("days"),
    }
    per_kind: list[Mapping[str, Any]] = list(
        started.values("agency__kind").annotate(**figures).order_by()
    )
    per_kind.sort(key=lambda row: (-(row["median"] or 0), row["agency__kind"]))
    overall = started.aggregate(**figures)
    return (
        [_wait_row(str(AgencyKind(row["agency__kind"]).label), row) for row in per_kind],
        _wait_row(_("All agencies"), overall) if overall["n"] else None,
    )


def _costs(municipality: Municipality, period: Period) -> list[CostRow]:
    """Intervention costs of the period by type, highest first (one query).

    Each intervention counts in the period in which it started (or, not started yet, is
    planned to start), with its whole cost, so consecutive reports never count one twice.
    Cancelled interventions are left out.
    """
    rows = (
        Intervention.objects.filter(case__municipality=municipality)
        .exclude(status=InterventionStatus.CANCELLED)
        .annotate(start=Coalesce("actual_start", "planned_start"))
        .filter(start__range=(period.start, period.end))
        .values("type_id", "type__name_sv", "type__name_en", "type__order")
        .annotate(
            n=Count("id"),
            without_cost=Count("id", filter=Q(cost_sek__isnull=True)),
            total=Sum("cost_sek"),
        )
        .order_by(F("total").desc(nulls_last=True), "type__order", "type_id")
    )
    return [
        CostRow(
            label=bilingual(row["type__name_sv"], row["type__name_en"]),
            count=row["n"],
            without_cost=row["without_cost"],
            total=row["total"] or Decimal(0),
        )
        for row in rows
    ]


def caseload_context(
    *, municipality: Municipality, period: Period, today: datetime.date
) -> tuple[str, dict[str, Any]]:
    cases = Case.objects.filter(municipality=municipality)
    by_state, unassigned = _by_state(cases, period)
    per_caseworker = _per_caseworker(municipality)
    overdue = _overdue(cases, municipality, today)
    waits, waits_overall = _waits(municipality, period)
    # Cases waiting for the program's decision on the intake, oldest first (one query).
    waiting_cases = [
        Overdue(
            r["reference"],
            r["opened_on"],
            (today - r["opened_on"]).days,
            str(CaseState(r["state"]).label),
        )
        for r in cases.filter(state__in=WAITING_STATES)
        .order_by("opened_on", "reference")
        .values("reference", "state", "opened_on")
    ]
    waiting_days = [row.days for row in waiting_cases]
    costs = _costs(municipality, period)
    # The young clients' figures, as the manager's home shows them, up to the period's end.
    youth = youth_figures(
        cases=cases, municipality_ids=[municipality.pk], until=min(period.end, today)
    )[municipality.pk]

    charts = {
        "states": bar_chart_svg(
            [Bar(row.label, row.count, number(row.count)) for row in by_state],
            title=_("Cases by state"),
            desc=_("The number of cases in each state; the table has the same figures."),
            chart_id="chart-states",
        ),
        "caseworkers": bar_chart_svg(
            [Bar(name, n, number(n)) for name, n in per_caseworker]
            + ([Bar(_("Not assigned"), unassigned, number(unassigned))] if unassigned else []),
            title=_("Open cases per caseworker"),
            desc=_("Open cases per assigned caseworker; the table has the same figures."),
            chart_id="chart-caseworkers",
        ),
        "waits": bar_chart_svg(
            [Bar(row.label, row.median_days, row.median) for row in waits],
            title=_("Median waiting days by kind of agency"),
            desc=_(
                "Median days from sent to started of the referrals started in the period, "
                "by kind of agency; the table has the same figures."
            ),
            chart_id="chart-waits",
        ),
        "costs": bar_chart_svg(
            [Bar(row.label, float(row.total), row.total_text) for row in costs],
            title=_("Intervention costs by type"),
            desc=_("Cost in kronor of the interventions started in the period, by type."),
            chart_id="chart-costs",
        ),
    }
    return TEMPLATE, {
        "by_state": by_state,
        "open_total": sum(row.count for row in by_state if row.state in OPEN_STATES),
        "all_total": sum(row.count for row in by_state),
        "opened_total": sum(row.opened for row in by_state),
        "closed_total": sum(row.closed for row in by_state),
        "unassigned": unassigned,
        "per_caseworker": per_caseworker,
        "reviews_overdue": overdue["reviews"],
        "unanswered": overdue["referrals"],
        "answer_days": municipality.referral_answer_days,
        "follow_ups_overdue": overdue["follow_ups"],
        "waits": waits,
        "waits_overall": waits_overall,
        "waiting_cases": waiting_cases,
        "waiting_median": number(statistics.median(waiting_days), 1) if waiting_days else "",
        "waiting_longest": max(waiting_days, default=0),
        "costs": costs,
        "total_cost": sek(sum((row.total for row in costs), Decimal(0))),
        "youth": youth,
        "charts": charts,
    }
