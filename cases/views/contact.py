"""The contact card: how to reach the client safely, and the client's network.

Only those who may edit the case and may see the card (`policy.may_see_contact_card`: a
protected identity's card is identity data) open these forms; anyone else gets 404. The
services log every write; opening a form is logged as a read of case content.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.services import access_log_form_view
from cases import selectors, services
from cases.forms.contact import ContactCardForm, ContactPersonForm, ContactPersonRemoveForm
from cases.models import Case, SafeContact
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from exitprog.concurrency import StaleEditError

SECTION = "contact"
require_GET_or_POST = require_http_methods(["GET", "POST"])


def _card_case(request: HttpRequest, case_id: int) -> tuple[Case, User]:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (LoginRequiredMiddleware)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.EDIT)
    if not policy.may_see_contact_card(user, case, policy.case_access(user, case)):
        raise Http404
    return case, user


@require_GET_or_POST
def contact_card_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _card_case(request, case_id)
    back = case_section_url(case.pk, SECTION)
    card = selectors.case_contact(case=case).card
    form = ContactCardForm(
        request.POST if request.method == "POST" else None,
        initial=ContactCardForm.initial_of(card),
        record=card,
    )
    current = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_card_save(
                case=case,
                by=user,
                phone=data["phone"],
                safe_contact=SafeContact(data["safe_contact"]),
                times=data["times"],
                note=data["note"],
                seen=data["seen"],
            )
        except StaleEditError as exc:
            # Someone else saved the card since this form was opened: their card is shown
            # above the input, which is kept, and the next save is checked against theirs.
            current = exc.current
            form.rebind_seen(current)
            form.add_error(None, exc)
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The contact card was saved."))
            return redirect(back)
    access_log_form_view(request=request, case=case, what="contact card form", obj=card)
    return render(
        request,
        "cases/contact_card_form.html",
        {"case": case, "form": form, "cancel_url": back, "current": current},
    )


@require_GET_or_POST
def contact_person_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _card_case(request, case_id)
    back = case_section_url(case.pk, SECTION)
    form = ContactPersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_person_add(
                case=case,
                by=user,
                name=data["name"],
                relation=data["relation"],
                reach=data["reach"],
                note=data["note"],
            )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The person was added to the network."))
            return redirect(back)
    access_log_form_view(request=request, case=case, what="contact person form")
    return render(
        request, "cases/contact_person_form.html", {"case": case, "form": form, "cancel_url": back}
    )


@require_GET_or_POST
def contact_person_remove(
    request: HttpRequest, case_id: int, contact_person_id: int
) -> HttpResponse:
    """Take a person off the client's network: a confirmation page that asks why. The person
    stays in the record's history; the contact card no longer lists them."""
    case, user = _card_case(request, case_id)
    back = case_section_url(case.pk, SECTION)
    person = get_object_or_404(
        case.contact_people.filter(removed_at__isnull=True), pk=contact_person_id
    )
    form = ContactPersonRemoveForm(
        request.POST if request.method == "POST" else None, record=person
    )
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_person_remove(
                person=person,
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
            messages.success(request, _("The person was removed from the network."))
            return redirect(back)
    access_log_form_view(request=request, case=case, what="contact person removal form", obj=person)
    return render(
        request,
        "cases/contact_person_remove.html",
        {"case": case, "form": form, "cancel_url": back, "person": current or person},
    )
