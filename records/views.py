"""The plan page (every version and every review), the plan form and the review form.

Reading the plan needs the right to read the case; writing it or recording a review, the
right to edit it (404 otherwise, as every case page). Every page shown is logged; the writes
log themselves (records.services).
"""

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases.models import Case
from cases.services import CaseRuleError
from records import selectors, services
from records.forms import PlanForm, ReviewForm, goal_formset
from records.models import ReviewOutcome

EMPTY_GOAL_ROWS = 2


def _plan_url(case: Case) -> str:
    return reverse("records:plan", args=[case.pk])


@require_GET
def plan(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.READ, what="case plan")
    page = selectors.case_plan_page(case=case)
    access_log_record(
        user=request.user, action=AccessAction.VIEW, case=case, obj=case, detail="case plan"
    )
    return render(
        request,
        "records/plan.html",
        {
            "case": case,
            "page": page,
            "can_edit": case.is_open and policy.may(request.user, CaseAction.EDIT, case),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """A new version of the plan, starting from the one in force."""
    case = policy.get_case_for_user(
        request.user, case_id, action=CaseAction.EDIT, what="case plan form"
    )
    user = cast(User, request.user)
    current = selectors.case_plan_current(case=case)
    choices = {
        "responsible": selectors.plan_responsible_choices(case=case),
        "interventions": selectors.plan_intervention_choices(case=case),
    }
    initial = (
        [
            {
                "goal": g.goal,
                "responsible": g.responsible_id,
                "interventions": [i.pk for i in g.interventions.all()],
            }
            for g in current.goals.all()
        ]
        if current
        else []
    )
    extra = max(0, min(EMPTY_GOAL_ROWS, services.MAX_GOALS - len(initial)))
    Goals = goal_formset(extra)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, initial={"next_review_on": current.next_review_on if current else None})
    goals = Goals(data, initial=initial, prefix="goal", form_kwargs=choices)
    if data is not None and form.is_valid() and goals.is_valid():
        try:
            services.plan_write(
                case=case,
                by=user,
                next_review_on=form.cleaned_data["next_review_on"],
                goals=[
                    services.GoalInput(
                        goal=row["goal"],
                        responsible=row["responsible"],
                        interventions=list(row.get("interventions") or ()),
                    )
                    for row in goals.cleaned_data
                    if row.get("goal")
                ],
            )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The plan is saved as a new version."))
            return redirect(_plan_url(case))
    access_log_form_view(request=request, case=case, what="case plan form")
    return render(
        request,
        "records/plan_form.html",
        {
            "case": case,
            "form": form,
            "goals": goals,
            "current": current,
            "cancel_url": _plan_url(case),
        },
    )


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_case_for_user(
        request.user, case_id, action=CaseAction.EDIT, what="review form"
    )
    user = cast(User, request.user)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_record(
                case=case,
                by=user,
                reviewed_on=data["reviewed_on"],
                reviewed=data["reviewed"],
                outcome=ReviewOutcome(data["outcome"]),
                note=data["note"],
                next_review_on=data["next_review_on"],
            )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The review is recorded. The next review is on %(date)s.")
                % {"date": data["next_review_on"].isoformat()},
            )
            return redirect(_plan_url(case))
    access_log_form_view(request=request, case=case, what="review form")
    return render(
        request,
        "records/review_form.html",
        {"case": case, "form": form, "cancel_url": _plan_url(case)},
    )
