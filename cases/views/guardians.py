"""A young client's guardians, on the case page's contact card: add, change, remove.

Only those who may edit the case and may see its contact card (`policy.may_see_contact_card`:
of a protected identity, the guardians are identity data) open these forms; anyone else gets
404. The services log every write; opening a form is logged as a read of case content.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.services import access_log_form_view
from cases import guardian_services
from cases.forms.guardians import GuardianForm, GuardianRemoveForm
from cases.guardians import Guardian, GuardianRelation
from cases.history import HistoryKind, history_kind_register
from cases.models import Case
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from exitprog.concurrency import StaleEditError

SECTION = "contact"
require_GET_or_POST = require_http_methods(["GET", "POST"])

# The history page of a guardian: identity data, masked as the contact card is.
history_kind_register(
    "guardian",
    HistoryKind(
        Guardian,
        lambda case: Q(client_id=case.client_id),
        lambda g: _("Guardian"),
        section=SECTION,
        owner="client",
        masked=frozenset({"name", "relation", "phone", "contact", "safety_note"}),
    ),
)


def _guardian_case(request: HttpRequest, case_id: int) -> tuple[Case, User]:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (LoginRequiredMiddleware)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.EDIT)
    if not policy.may_see_contact_card(user, case, policy.case_access(user, case)):
        raise Http404
    return case, user


def _guardian(case: Case, guardian_id: int) -> Guardian:
    """A guardian of the case's client, not removed (else 404)."""
    return get_object_or_404(
        Guardian.objects.filter(client_id=case.client_id, removed_at__isnull=True),
        pk=guardian_id,
    )


@require_GET_or_POST
def guardian_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _guardian_case(request, case_id)
    back = case_section_url(case.pk, SECTION)
    form = GuardianForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            guardian_services.guardian_add(
                case=case,
                by=user,
                name=data["name"],
                relation=GuardianRelation(data["relation"]),
                phone=data["phone"],
                contact=data["contact"],
                safe_to_contact=data["safe_to_contact"] == "yes",
                safety_note=data["safety_note"],
            )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The guardian was recorded."))
            return redirect(back)
    access_log_form_view(request=request, case=case, what="guardian form")
    return render(
        request,
        "cases/guardian_form.html",
        {"case": case, "form": form, "cancel_url": back, "guardian": None, "current": None},
    )


@require_GET_or_POST
def guardian_edit(request: HttpRequest, case_id: int, guardian_id: int) -> HttpResponse:
    case, user = _guardian_case(request, case_id)
    back = case_section_url(case.pk, SECTION)
    guardian = _guardian(case, guardian_id)
    form = GuardianForm(
        request.POST if request.method == "POST" else None,
        initial=GuardianForm.initial_of(guardian),
        record=guardian,
    )
    current = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            guardian_services.guardian_update(
                case=case,
                guardian=guardian,
                by=user,
                name=data["name"],
                relation=GuardianRelation(data["relation"]),
                phone=data["phone"],
                contact=data["contact"],
                safe_to_contact=data["safe_to_contact"] == "yes",
                safety_note=data["safety_note"],
                seen=data["seen"],
            )
        except StaleEditError as exc:
            # Someone else changed the guardian since the form was opened: their version is
            # shown above the input, which is kept; the next save is checked against theirs.
            current = exc.current
            form.rebind_seen(current)
            form.add_error(None, exc)
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The guardian was saved."))
            return redirect(back)
    access_log_form_view(request=request, case=case, what="guardian edit form", obj=guardian)
    return render(
        request,
        "cases/guardian_form.html",
        {
            "case": case,
            "form": form,
            "cancel_url": back,
            "guardian": guardian,
            "current": current,
        },
    )


@require_GET_or_POST
def guardian_remove(request: HttpRequest, case_id: int, guardian_id: int) -> HttpResponse:
    """Take a guardian off the client: a confirmation page that asks why. The guardian stays
    in the record's history; the contact card no longer lists them."""
    case, user = _guardian_case(request, case_id)
    back = case_section_url(case.pk, SECTION)
    guardian = _guardian(case, guardian_id)
    form = GuardianRemoveForm(request.POST if request.method == "POST" else None, record=guardian)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            guardian_services.guardian_remove(
                case=case,
                guardian=guardian,
                by=user,
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"],
            )
        except StaleEditError as exc:
            current = exc.current
            form.rebind_seen(current)
            form.add_error(None, exc)
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The guardian was removed."))
            return redirect(back)
    access_log_form_view(request=request, case=case, what="guardian removal form", obj=guardian)
    return render(
        request,
        "cases/guardian_remove.html",
        {"case": case, "form": form, "cancel_url": back, "guardian": current or guardian},
    )
