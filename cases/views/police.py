"""The police liaison's view of a shared case, police notes, sharing with the police, placements.

Every view first asks the policy (404 otherwise), lets a service do the write, logs it in the
same transaction, and sends the user back: the liaison to the shared view, the program's staff
to the police section of the case page.
"""

from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases import selectors, services
from cases.forms.police import PlacementForm, PoliceNoteForm, ShareForm
from cases.forms.records import SeenForm
from cases.models import Case, PoliceVisit
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from cases.views.stale import unreadable_seen
from exitprog.concurrency import StaleEditError

require_GET_or_POST = require_http_methods(["GET", "POST"])


def _user(request: HttpRequest) -> User:
    # The policy lets only an authenticated user in, and AUTH_USER_MODEL is accounts.User.
    return cast(User, request.user)


def _liaison_case(request: HttpRequest, case_id: int) -> Case:
    """The case if it is shared with the user as a police liaison; otherwise 404.

    `VIEW_SHARED` also admits the staff who read the whole file; these pages are the
    liaison's (they record the liaison's visits), so they ask for the share itself, which is
    what `ADD_POLICE_NOTE` allows.
    """
    return policy.get_case_for_user(request.user, case_id, action=CaseAction.ADD_POLICE_NOTE)


def _section_url(case: Case) -> str:
    return case_section_url(case.pk, "police")


# --- The liaison's view -----------------------------------------------------------------------


@require_GET
def shared_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """The shared parts of a case, with what is new since the liaison's last visit."""
    user = _user(request)
    case = policy.get_case_for_user(
        request.user, case_id, action=CaseAction.ADD_POLICE_NOTE, what="shared view"
    )
    page = selectors.shared_case_page(user=user, case=case)
    with transaction.atomic():
        access_log_record(
            user=user,
            action=AccessAction.VIEW,
            case=case,
            obj=case,
            detail="shared parts",
            request=request,
        )
        # After the page has its "new since" markers: this visit is the next page's baseline.
        PoliceVisit.objects.bulk_create(
            [PoliceVisit(user=user, case=case, seen_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["user", "case"],
            update_fields=["seen_at"],
        )
    return render(
        request,
        "cases/police/shared_case.html",
        # The liaison reads and asks for the police summary only (the template's
        # case_report_section, police_summary_only).
        {"case": case, "page": page},
    )


@require_GET_or_POST
def police_note_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = _liaison_case(request, case_id)
    back = reverse("cases:shared", args=[case.pk]) + "#notes"
    if request.method == "POST":
        form = PoliceNoteForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.police_note_add(
                        case=case,
                        by=user,
                        text=form.cleaned_data["text"],
                        threat_level=form.cleaned_data["threat_level"],
                    )
            except CaseRuleError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The police note was saved."))
                return redirect(back)
    else:
        form = PoliceNoteForm()
    access_log_form_view(request=request, case=case, what="police note form")
    return render(
        request,
        "cases/police/police_note_form.html",
        {"case": case, "form": form, "cancel_url": back},
    )


# --- Sharing with the police (the manager) ----------------------------------------------------


@require_GET_or_POST
def share_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.MANAGE)
    region = case.municipality.police_region
    form = ShareForm(
        request.POST if request.method == "POST" else None,
        region=region,
        liaisons=selectors.police_liaisons_for(case=case),
        consents=selectors.consents_covering_police(case=case, today=timezone.localdate()),
    )
    if request.method == "POST" and form.is_valid():
        liaison, to_region = form.chosen_recipient()
        try:
            with transaction.atomic():
                services.case_share_with_police(
                    case=case,
                    by=user,
                    liaison=liaison,
                    region=to_region,
                    consent=form.cleaned_data["consent"],
                    legal_basis=form.cleaned_data["legal_basis"],
                )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The case was shared with the police."))
            return redirect(_section_url(case))
    access_log_form_view(request=request, case=case, what="police share form")
    return render(
        request,
        "cases/police/share_form.html",
        {"case": case, "form": form, "cancel_url": _section_url(case), "region": region},
    )


@require_POST
def share_end(request: HttpRequest, case_id: int, share_id: int) -> HttpResponse:
    """End a share (the button sits on the case page). A button shown before someone else
    ended or changed the share is refused, saying what it is now."""
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.MANAGE)
    share = get_object_or_404(case.police_shares.select_related("case"), pk=share_id)
    form = SeenForm(request.POST)
    if not form.is_valid():
        unreadable_seen(request)
        return redirect(_section_url(case))
    try:
        with transaction.atomic():
            services.police_share_end(share=share, by=user, seen=form.cleaned_data["seen"])
    except (StaleEditError, CaseRuleError) as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The share with the police was ended."))
    return redirect(_section_url(case))


# --- Placements -------------------------------------------------------------------------------


@require_GET_or_POST
def placement_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.EDIT)
    if request.method == "POST":
        form = PlacementForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.placement_add(
                        case=case,
                        by=user,
                        municipality=data["municipality"],
                        kind=data["kind"],
                        started_on=data["started_on"],
                        ended_on=data["ended_on"],
                    )
                    # The police home reads this entry to tell a liaison about the placement.
            except CaseRuleError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The placement was saved."))
                return redirect(_section_url(case))
    else:
        form = PlacementForm()
    access_log_form_view(request=request, case=case, what="placement form")
    return render(
        request,
        "cases/police/placement_form.html",
        {"case": case, "form": form, "cancel_url": _section_url(case)},
    )
