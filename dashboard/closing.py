"""The checklist before a case is closed (completed or discontinued).

Composed here, above the apps that know each part: the case's interventions still planned or
running and the follow-ups closing schedules (cases), its open referrals (referrals' own
selector) and its open tasks (reminders'). The decision form on the case page sends a closing
here first (`cases.views.case.case_transition_view`); this page posts it back to the same
decision view with the confirmation ticked, and the service closes the case.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from access import policy
from access.policy import CaseAction
from audit.models import AccessAction
from audit.services import access_log_record
from cases import selectors, services
from cases.forms.case import TransitionForm
from cases.models import Case
from cases.tabs import case_section_url
from cases.views.case import closing_input_key, decision_input_key
from exitprog.http import input_keep, input_kept
from referrals.selectors import open_referrals_for_case
from reminders.selectors import case_tasks


def _closing_choices(request: HttpRequest, case: Case) -> list[tuple[str, str]]:
    """The closing decisions (completed, discontinued) the user may take in the case's state."""
    access = policy.case_access(request.user, case)
    return [
        (to.value, str(to.label))
        for to, action in services.transitions_from(case.state)
        if to in services.ENDING_STATES and access.allows(action)
    ]


@require_GET
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    """What is still open in the case and the follow-ups closing schedules, with the decision
    (kept from the case page, or `?to=completed|discontinued`) to confirm.

    For those who may close the case (its managers; 404 for anyone else, logged). A case
    that can no longer be closed (someone decided meanwhile) goes back to its page, with
    what it is now and the reason typed kept. Reading the page is logged.
    """
    user = request.user
    case = policy.get_case_for_user(
        user, case_id, action=CaseAction.MANAGE, what="closing checklist"
    )
    kept = input_kept(request, closing_input_key(case.pk))
    choices = _closing_choices(request, case)
    if not choices:
        messages.error(request, services.case_now(case))
        if kept:
            input_keep(request, decision_input_key(case.pk), kept)  # type: ignore[arg-type]
        return HttpResponseRedirect(case_section_url(case.pk, "decisions"))
    wanted = (kept.get("to_state") if kept else None) or request.GET.get("to")
    initial = {"to_state": wanted if wanted in dict(choices) else choices[0][0]}
    if kept:
        initial["reason"] = kept.get("reason", "")
        # The case as the user saw it on its page: a decision taken meanwhile refuses this one.
        if kept.get("seen"):
            initial["seen"] = kept.get("seen", "")
    form = TransitionForm(initial=initial, choices=choices, record=case)
    today = timezone.localdate()
    checklist = selectors.closing_checklist(case=case, today=today)
    tasks = [task for task in case_tasks(case=case) if task.done_at is None]
    access_log_record(
        user=user,
        action=AccessAction.VIEW,
        case=case,
        obj=case,
        detail="closing checklist",
        request=request,
    )
    return render(
        request,
        "dashboard/closing.html",
        {
            "case": case,
            "form": form,
            "interventions": checklist.interventions,
            "follow_ups": checklist.follow_ups,
            "referrals": open_referrals_for_case(case=case),
            "tasks": tasks,
            "today": today,
            "cancel_url": case_section_url(case.pk, "decisions"),
        },
    )
