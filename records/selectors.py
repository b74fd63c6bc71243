"""What the plan pages and the case page's plan section show, in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from access import policy
from accounts.models import Role, User
from cases.models import Case, CaseUserObjectPermission, Intervention
from records.models import CasePlan, PlanGoal, Review


def _goals() -> Prefetch:
    return Prefetch(
        "goals",
        queryset=PlanGoal.objects.select_related("responsible").prefetch_related(
            Prefetch("interventions", queryset=Intervention.objects.select_related("type"))
        ),
    )


@dataclass
class PlanSection:
    """The plan in force and the latest review (the case page's section)."""

    plan: CasePlan | None
    latest_review: Review | None


def case_plan_current(*, case: Case) -> CasePlan | None:
    """The plan in force (the newest version), with its goals."""
    return (
        CasePlan.objects.filter(case=case)
        .select_related("written_by")
        .prefetch_related(_goals())
        .order_by("-version")
        .first()
    )


def case_plan_section(*, case: Case) -> PlanSection:
    plan = case_plan_current(case=case)
    review = (
        Review.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("-reviewed_on", "-id")
        .first()
    )
    return PlanSection(plan=plan, latest_review=review)


def case_plan_at(*, case: Case, end: datetime.datetime) -> CasePlan | None:
    """The version of the plan in force at `end` (written before it), with its goals."""
    return (
        CasePlan.objects.filter(case=case, written_at__lt=end)
        .select_related("written_by")
        .prefetch_related(_goals())
        .order_by("-version")
        .first()
    )


@dataclass
class PlanPage:
    versions: list[CasePlan]  # newest first; the first is the plan in force
    reviews: list[Review]

    @property
    def current(self) -> CasePlan | None:
        return self.versions[0] if self.versions else None


def case_plan_page(*, case: Case) -> PlanPage:
    """Every version of the plan with its goals, and every review (five queries)."""
    return PlanPage(
        versions=list(
            CasePlan.objects.filter(case=case)
            .select_related("written_by")
            .prefetch_related(_goals())
            .order_by("-version")
        ),
        reviews=list(
            Review.objects.filter(case=case)
            .select_related("recorded_by", "plan")
            .order_by("-reviewed_on", "-id")
        ),
    )


def plan_responsible_choices(*, case: Case) -> QuerySet[User]:
    """Who may be responsible for a goal: the caseworkers assigned to the case and the
    managers of its municipality (those who work the case), active accounts only."""
    assigned = CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename=policy.ASSIGNMENT_PERM
    ).values("user_id")
    managers = Q(
        groups__role_group__role=Role.MANAGER,
        groups__role_group__municipality_id=case.municipality_id,
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=assigned) | managers)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def plan_intervention_choices(*, case: Case) -> QuerySet[Intervention]:
    return case.interventions.select_related("type").order_by("-planned_start", "-id")
