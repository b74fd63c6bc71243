"""The pages of the youth section: record a report of concern, record a joint meeting, read
one meeting.

The forms are for those who may edit the case (`CaseAction.EDIT`); anyone else gets 404. A
meeting is read by whoever may read the case, or, of its police part only, by a police
liaison the case is shared with (`CaseAction.VIEW_SHARED`, the access module's answer). The
services log every write; opening a page is logged as a read of case content.
"""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access import policy
from access.policy import CaseAction
from accounts.models import User, YouthRules
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases.models import Case
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from youth import selectors, services
from youth.forms import ActionFormSet, JointMeetingForm, ParticipantFormSet, ReportOfConcernForm
from youth.models import ConcernChannel, OrganisationKind

SECTION = "youth"
require_GET_or_POST = require_http_methods(["GET", "POST"])


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only a signed-in user in; AUTH_USER_MODEL is accounts.User.
    return cast(User, request.user)


def _child_unit(case: Case) -> str:
    """The child unit as the municipality's youth rules name it: the report's usual
    recipient, offered as the form's first answer."""
    rules = YouthRules.of(case.municipality)
    return rules.child_unit_name


@require_GET_or_POST
def report_of_concern_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(
        user, case_id, action=CaseAction.EDIT, what="report of concern form"
    )
    back = case_section_url(case.pk, SECTION)
    makers = policy.case_editors(case)
    if request.method == "POST":
        form = ReportOfConcernForm(request.POST, makers=makers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_of_concern_record(
                    case=case,
                    by=user,
                    made_on=data["made_on"],
                    made_by=data["made_by"],
                    made_to=data["made_to"],
                    how=ConcernChannel(data["how"]),
                    what_was_said=data["what_was_said"],
                )
            except CaseRuleError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The report of concern was recorded."))
                return redirect(back)
    else:
        form = ReportOfConcernForm(
            makers=makers, initial={"made_by": user.pk, "made_to": _child_unit(case)}
        )
    access_log_form_view(request=request, case=case, what="report of concern form")
    return render(
        request,
        "youth/report_of_concern_form.html",
        {"case": case, "form": form, "cancel_url": back},
    )


@require_GET_or_POST
def joint_meeting_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(
        user, case_id, action=CaseAction.EDIT, what="joint meeting form"
    )
    back = case_section_url(case.pk, SECTION)
    data = request.POST if request.method == "POST" else None
    form = JointMeetingForm(
        data,
        consents=selectors.meeting_consent_choices(case=case, day=timezone.localdate()),
    )
    participants = ParticipantFormSet(data, prefix="participants")
    actions = ActionFormSet(
        data,
        prefix="actions",
        form_kwargs={"responsible": selectors.responsible_choices(case=case)},
    )
    if data is not None and all([form.is_valid(), participants.is_valid(), actions.is_valid()]):
        values = form.cleaned_data
        try:
            services.joint_meeting_record(
                case=case,
                by=user,
                held_on=values["held_on"],
                consent=values["consent"],
                notes=values["notes"],
                police_part=values["police_part"],
                participants=[
                    services.Participant(
                        name=row["name"], organisation=OrganisationKind(row["organisation"])
                    )
                    for row in participants.cleaned_data
                    if row.get("name")
                ],
                actions=[
                    services.Action(
                        title=row["title"], responsible=row["responsible"], due_on=row["due_on"]
                    )
                    for row in actions.cleaned_data
                    if row.get("title")
                ],
            )
        except CaseRuleError as exc:
            form.add_error("consent" if exc.code == "consent" else None, exc)
        else:
            messages.success(request, _("The joint meeting was recorded."))
            return redirect(back)
    access_log_form_view(request=request, case=case, what="joint meeting form")
    return render(
        request,
        "youth/joint_meeting_form.html",
        {
            "case": case,
            "form": form,
            "participants": participants,
            "actions": actions,
            "cancel_url": back,
        },
    )


@require_GET
def joint_meeting(request: HttpRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """One meeting: all of it for who may read the case, the police part only for a police
    liaison the case is shared with."""
    user = _user(request)
    case = policy.get_case_for_user(
        user, case_id, action=CaseAction.VIEW_SHARED, what="joint meeting"
    )
    whole = policy.case_access(user, case).read
    if whole:
        meeting = selectors.joint_meeting_of_case(case=case, meeting_id=meeting_id)
    else:
        meeting = selectors.case_police_parts(case=case).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    access_log_record(
        user=user,
        action=AccessAction.VIEW,
        case=case,
        obj=meeting,
        detail="joint meeting" if whole else "joint meeting police part",
        request=request,
    )
    return render(
        request,
        "youth/joint_meeting.html",
        {
            "case": case,
            "meeting": meeting,
            "whole": whole,
            "back_url": (
                case_section_url(case.pk, SECTION)
                if whole
                else reverse("cases:shared", args=[case.pk]) + "#joint-meetings"
            ),
        },
    )
