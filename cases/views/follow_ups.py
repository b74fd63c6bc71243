"""The page that records what a follow-up after the end of a case found.

Built like the pages of `cases.views.records`: the policy decides whether the user may edit
the case (404 otherwise), the follow-up is fetched through the case so an id of another case
is "not found", the service does the write and the access log records it in the same
transaction. A follow-up is recorded once; afterwards the page shows what was recorded.

A form opened before someone else recorded the follow-up (its hidden `seen` field, as in
exitprog.concurrency) is refused on the form page: what was recorded is shown above the
user's input, kept, for them to move what is new into the journal.
"""

from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases import services
from cases.forms.follow_ups import FollowUpForm
from cases.models import FollowUp
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from cases.views.stale import UNREADABLE_SEEN
from exitprog.concurrency import StaleEditError

require_GET_or_POST = require_http_methods(["GET", "POST"])

SECTION = "follow-ups"


@require_GET_or_POST
def follow_up_record(request: HttpRequest, case_id: int, follow_up_id: int) -> HttpResponse:
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.EDIT)
    # The policy lets only an authenticated user edit, and AUTH_USER_MODEL is accounts.User.
    user = cast(User, request.user)
    follow_up = get_object_or_404(case.follow_ups.select_related("recorded_by"), pk=follow_up_id)
    case_url = case_section_url(case.pk, SECTION)
    context = {"case": case, "follow_up": follow_up, "cancel_url": case_url}

    # A post from the form page carries `seen`: refused below, with the user's input kept. A
    # post without it (not from the form page) goes to the recorded outcome with a message.
    from_form = request.method == "POST" and "seen" in request.POST
    if follow_up.is_recorded and not from_form:
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

    refused: StaleEditError[FollowUp] | None = None
    if request.method == "POST":
        form = FollowUpForm(request.POST, record=follow_up)
        if follow_up.is_recorded:
            refused = services.follow_up_recorded_refusal(follow_up)
        elif form.is_valid():
            try:
                with transaction.atomic():
                    recorded = services.follow_up_record(
                        follow_up=follow_up,
                        by=user,
                        seen=form.cleaned_data["seen"],
                        **form.values(),
                    )
            except StaleEditError as exc:
                refused = exc
            except CaseRuleError as exc:
                # Rolled back; the page comes again with everything the user chose.
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("The follow-up %(months)s months after the end was recorded.")
                    % {"months": recorded.months},
                )
                return redirect(case_url)
        elif "seen" in form.errors:
            # Only a tampered post: the input is kept, checked against the follow-up as it is.
            form.rebind_seen(follow_up)
            form.add_error(None, str(UNREADABLE_SEEN))
    else:
        form = FollowUpForm(record=follow_up)
    current = None if refused is None else _refusal_shown(request, form, refused)
    access_log_form_view(request=request, case=case, what="follow-up form", obj=follow_up)
    return render(
        request,
        "cases/follow_ups/record_form.html",
        {**context, "form": form, "current": current},
    )


def _refusal_shown(
    request: HttpRequest, form: FollowUpForm, refused: StaleEditError[FollowUp]
) -> FollowUp:
    """Put a stale refusal on the form; the follow-up as it is now, for the page to show."""
    current = refused.current
    if not current.is_recorded:  # changed otherwise: saving again is a choice over it
        form.rebind_seen(current)
    form.add_error(None, refused)
    if current.is_recorded:
        # The page shows the recorded outcome (case content): reading it is logged.
        access_log_record(
            user=request.user,
            action=AccessAction.VIEW,
            case=current.case,
            obj=current,
            detail="follow-up",
            request=request,
        )
    return current
