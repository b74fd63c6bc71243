"""The task form and "mark done", both on a case the user may edit (404 otherwise, as every
case page). The form page shown is logged; the writes log themselves (reminders.services)."""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.services import access_log_form_view
from cases.models import Case
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from reminders import selectors, services
from reminders.forms import TaskForm


def _tasks_url(case: Case) -> str:
    return case_section_url(case.pk, "tasks")


@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.EDIT, what="task form")
    user = cast(User, request.user)
    assignees = selectors.task_assignee_choices(case=case)
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        assignees=assignees,
        initial={"assigned_to": user.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(
                case=case,
                by=user,
                title=data["title"],
                due_on=data["due_on"],
                assigned_to=data["assigned_to"],
                note=data["note"],
            )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The task is saved."))
            return redirect(_tasks_url(case))
    access_log_form_view(request=request, case=case, what="task form")
    return render(
        request,
        "reminders/task_form.html",
        {"case": case, "form": form, "cancel_url": _tasks_url(case)},
    )


@require_POST
def task_done(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.EDIT, what="task")
    task = selectors.task_of_case(case=case, task_id=task_id)
    if task is None:
        raise Http404
    try:
        services.task_complete(task=task, by=cast(User, request.user))
    except CaseRuleError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The task is marked as done."))
    return redirect(_tasks_url(case))
