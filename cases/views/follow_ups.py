"""The page that records what a follow-up after the end of a case found.

Built like the pages of `cases.views.records`: the policy decides whether the user may edit
the case (404 otherwise), the follow-up is fetched through the case so an id of another case
is "not found", the service does the write and the access log records it in the same
transaction. A follow-up is recorded once; afterwards the page shows what was recorded.
"""

from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases import services
from cases.forms.follow_ups import FollowUpForm
from cases.services import CaseRuleError

require_GET_or_POST = require_http_methods(["GET", "POST"])

SECTION = "follow-ups"


@require_GET_or_POST
def follow_up_record(request: HttpRequest, case_id: int, follow_up_id: int) -> HttpResponse:
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.EDIT)
    # The policy lets only an authenticated user edit, and AUTH_USER_MODEL is accounts.User.
    user = cast(User, request.user)
    follow_up = get_object_or_404(case.follow_ups.select_related("recorded_by"), pk=follow_up_id)
    case_url = reverse("cases:detail", args=[case.pk]) + f"#{SECTION}"
    context = {"case": case, "follow_up": follow_up, "cancel_url": case_url}

    if follow_up.is_recorded:
        if request.method == "POST":
            messages.error(
                request,
                _("This follow-up was already recorded. Write what is new in the journal."),
            )
            return redirect(request.path)
        # The outcome is case content (re-offending is data about crime): reading it is logged.
        access_log_record(
            user=user,
            action=AccessAction.VIEW,
            case=case,
            obj=follow_up,
            detail="follow-up",
            request=request,
        )
        return render(request, "cases/follow_ups/recorded.html", context)

    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    follow_up = services.follow_up_record(
                        follow_up=follow_up, by=user, **form.values()
                    )
            except CaseRuleError as exc:
                # Rolled back; the page comes again with everything the user chose.
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("The follow-up %(months)s months after the end was recorded.")
                    % {"months": follow_up.months},
                )
                return redirect(case_url)
    else:
        form = FollowUpForm()
    access_log_form_view(request=request, case=case, what="follow-up form", obj=follow_up)
    return render(request, "cases/follow_ups/record_form.html", {**context, "form": form})
