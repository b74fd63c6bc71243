"""Reads of cases for the home pages. Every list starts from the permission policy."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from accounts import policy
from accounts.models import Municipality
from accounts.policy import AnyUser, MunicipalityPerm
from cases.models import OPEN_STATES, Case, CaseState, CaseUserObjectPermission


@dataclass
class CaseworkerHome:
    my_cases: list[Case]
    due: list[Case]


def caseworker_home(*, user: AnyUser, today: datetime.date, due_within_days: int) -> CaseworkerHome:
    """The caseworker's open assigned cases, and those whose review is due soon (one query)."""
    cases = list(
        policy.cases_assigned_to(user)
        .filter(state__in=OPEN_STATES)
        .select_related("client", "municipality")
        .order_by("next_review_on", "reference")
    )
    due = [c for c in cases if c.review_is_due(today, due_within_days)]
    return CaseworkerHome(my_cases=cases, due=due)


@dataclass
class MunicipalityOverview:
    municipality: Municipality
    by_state: list[tuple[str, str, int]] = field(default_factory=list)
    open_total: int = 0
    unassigned: int = 0
    review_overdue: int = 0
    per_caseworker: list[tuple[str, int]] = field(default_factory=list)


def manager_overview(*, user: AnyUser, today: datetime.date) -> list[MunicipalityOverview]:
    """The caseload at a glance for each municipality the user manages (three queries)."""
    managed = policy.municipalities_where(user, MunicipalityPerm.MANAGE_CASES)
    overviews = {m.pk: MunicipalityOverview(municipality=m) for m in managed.order_by("name")}
    if not overviews:
        return []
    cases = policy.cases_visible_to(user).filter(municipality_id__in=overviews)
    assigned = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename=policy.ASSIGNMENT_PERM
    )
    counts = (
        cases.values("municipality_id", "state")
        .annotate(
            n=Count("id"),
            unassigned=Count("id", filter=~Q(Exists(assigned))),
            overdue=Count("id", filter=Q(next_review_on__lt=today)),
        )
        .order_by()
    )
    totals: dict[int, Counter[str]] = {}
    for row in counts:
        overview = overviews[row["municipality_id"]]
        totals.setdefault(overview.municipality.pk, Counter())[row["state"]] += row["n"]
        if row["state"] in OPEN_STATES:
            overview.open_total += row["n"]
            overview.unassigned += row["unassigned"]
            overview.review_overdue += row["overdue"]
    for muni_id, overview in overviews.items():
        counter = totals.get(muni_id, Counter())
        overview.by_state = [(s.value, str(s.label), counter[s.value]) for s in CaseState]
    workload = (
        CaseUserObjectPermission.objects.filter(
            permission__codename=policy.ASSIGNMENT_PERM,
            content_object__municipality_id__in=overviews,
            content_object__state__in=OPEN_STATES,
        )
        .values("content_object__municipality_id", "user__first_name", "user__last_name")
        .annotate(n=Count("id"))
        .order_by("content_object__municipality_id", "-n", "user__last_name")
    )
    for load in workload:
        name = f"{load['user__first_name']} {load['user__last_name']}"
        overviews[load["content_object__municipality_id"]].per_caseworker.append((name, load["n"]))
    return list(overviews.values())


def police_home(*, user: AnyUser) -> list[Case]:
    """The cases shared with a police liaison (one query)."""
    return list(
        policy.cases_shared_with(user)
        .select_related("client", "municipality")
        .order_by("municipality__name", "reference")
    )
