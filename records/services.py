"""Writing the case plan and recording reviews.

Both need the right to edit the case (`CaseAction.EDIT`: its assigned caseworkers and the
municipality's managers), an open case, and set the case's next review date, which is what
clears it from the "review overdue" lists. Each writes its access-log row in its transaction.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_record
from cases.models import Case, Intervention
from cases.services import CaseRuleError, case_next_review_set
from records.models import CasePlan, PlanGoal, Review, ReviewOutcome
from records.selectors import plan_responsible_choices

MAX_GOALS = 8
# How far ahead a next review may be set: the social services' plans are followed up at least
# twice a year.
MAX_REVIEW_INTERVAL = datetime.timedelta(days=183)


@dataclass(frozen=True)
class GoalInput:
    goal: str
    responsible: User
    interventions: Sequence[Intervention] = field(default_factory=tuple)


def _require_open_editable(case: Case, by: User) -> None:
    if not policy.may(by, CaseAction.EDIT, case):
        raise CaseRuleError(_("You are not allowed to do this in this case."), code="forbidden")
    if not case.is_open:
        raise CaseRuleError(
            _("The case is closed: its plan and reviews can no longer change."), code="closed"
        )


def _check_next_review(next_review_on: datetime.date, *, after: datetime.date) -> None:
    if next_review_on <= after:
        raise CaseRuleError(
            _("The next review must come after %(date)s.") % {"date": after.isoformat()},
            code="next_review",
        )
    if next_review_on > after + MAX_REVIEW_INTERVAL:
        raise CaseRuleError(
            _("The next review must be within six months, by %(date)s at the latest.")
            % {"date": (after + MAX_REVIEW_INTERVAL).isoformat()},
            code="next_review",
        )


@transaction.atomic
def plan_write(
    *, case: Case, by: User, goals: Sequence[GoalInput], next_review_on: datetime.date
) -> CasePlan:
    """A new version of the case's plan; the earlier versions stay as they were written."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open_editable(case, by)
    goals = [g for g in goals if g.goal.strip()]
    if not goals:
        raise CaseRuleError(_("A plan needs at least one goal."), code="no_goal")
    if len(goals) > MAX_GOALS:
        raise CaseRuleError(
            _("A plan has at most %(count)d goals.") % {"count": MAX_GOALS}, code="goals"
        )
    _check_next_review(next_review_on, after=timezone.localdate())
    allowed = set(plan_responsible_choices(case=case).values_list("pk", flat=True))
    if any(g.responsible.pk not in allowed for g in goals):
        raise CaseRuleError(
            _("Only a caseworker of the case or a manager of the municipality can be responsible."),
            code="responsible",
        )
    if any(i.case_id != case.pk for g in goals for i in g.interventions):
        raise CaseRuleError(_("Choose interventions of this case."), code="intervention")
    last = CasePlan.objects.filter(case=case).aggregate(v=Max("version"))["v"] or 0
    plan = CasePlan.objects.create(
        case=case, version=last + 1, written_by=by, next_review_on=next_review_on
    )
    for order, goal in enumerate(goals, start=1):
        row = PlanGoal.objects.create(
            plan=plan, order=order, goal=goal.goal.strip(), responsible=goal.responsible
        )
        row.interventions.set(goal.interventions)
    case_next_review_set(case=case, on=next_review_on)
    access_log_record(user=by, action=AccessAction.CREATE, case=case, obj=plan, detail="case plan")
    return plan


@transaction.atomic
def review_record(
    *,
    case: Case,
    by: User,
    reviewed_on: datetime.date,
    reviewed: str,
    outcome: ReviewOutcome,
    next_review_on: datetime.date,
    note: str = "",
) -> Review:
    """Record a review of the case and its plan; it sets the next review date."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open_editable(case, by)
    today = timezone.localdate()
    if reviewed_on > today:
        raise CaseRuleError(_("A review cannot be dated in the future."), code="future")
    if reviewed_on < case.opened_on:
        raise CaseRuleError(
            _("A review cannot be dated before the case was opened (%(date)s).")
            % {"date": case.opened_on.isoformat()},
            code="before_opened",
        )
    if not reviewed.strip():
        raise CaseRuleError(_("Say what was reviewed."), code="reviewed")
    _check_next_review(next_review_on, after=max(reviewed_on, today))
    review = Review.objects.create(
        case=case,
        plan=CasePlan.objects.filter(case=case).order_by("-version").first(),
        reviewed_on=reviewed_on,
        reviewed=reviewed.strip(),
        outcome=outcome,
        note=note.strip(),
        next_review_on=next_review_on,
        recorded_by=by,
    )
    case_next_review_set(case=case, on=next_review_on)
    access_log_record(user=by, action=AccessAction.CREATE, case=case, obj=review, detail="review")
    return review
