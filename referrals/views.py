"""Pages for referrals: new referral on a case, state moves, inbound referrals, the list and
the letter.

Every view asks the policy about the referral's case first (404 for anyone who may not)
and lets a service do the write, which logs it in the same transaction.
"""

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.policy import CaseAction, MunicipalityPerm
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record, access_log_refusal
from cases.models import Case
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from exitprog.concurrency import StaleEditError
from exitprog.http import input_keep
from exitprog.pdf import render_pdf
from referrals import selectors, services
from referrals.forms import InboundReferralForm, ReferralFilterForm, ReferralForm, TransitionForm
from referrals.models import Referral, ReferralState

require_GET_or_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only authenticated users here; AUTH_USER_MODEL is User.
    return cast(User, request.user)


def _case_url(case: Case) -> str:
    return case_section_url(case.pk, "referrals")


def _referral_for(
    request: HttpRequest, referral_id: int, action: CaseAction, what: str = ""
) -> Referral:
    """The referral, if the user may do `action` to its case; otherwise 404.

    A refusal on an existing referral is logged by the policy with the referral's case."""
    referral = selectors.referral_get_with_case(referral_id=referral_id)
    if referral is None:
        access_log_refusal(user=request.user, what=what or action.value)
        raise Http404
    referral.case = policy.get_case_for_user(
        request.user, referral.case_id, action=action, what=what
    )
    return referral


@require_GET_or_POST
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.EDIT)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_create(
                case=case,
                by=user,
                agency=form.cleaned_data["agency"],
                purpose=form.cleaned_data["purpose"],
                letter_language=form.cleaned_data["letter_language"],
            )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The referral was saved as a draft. Send it when it is ready.")
            )
            return redirect(_case_url(case))
    access_log_form_view(request=request, case=case, what="referral form")
    return render(
        request,
        "referrals/referral_form.html",
        {"case": case, "form": form, "cancel_url": _case_url(case)},
    )


def referral_move_key(referral_id: int) -> str:
    """The session key of a referral's move form input kept after an error (`exitprog.http`)."""
    return f"referral-move:{referral_id}"


@require_POST
def referral_transition(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Move a referral (the form sits on the case page; an error goes back there, with the
    choice and the note as they were typed)."""
    user = _user(request)
    referral = _referral_for(request, referral_id, CaseAction.EDIT)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened with the referral."))
        input_keep(request, referral_move_key(referral.pk), request.POST)
        return redirect(_case_url(referral.case))
    to_state = ReferralState(form.cleaned_data["to_state"])
    try:
        with transaction.atomic():
            services.referral_transition(
                referral=referral,
                to_state=to_state,
                by=user,
                note=form.cleaned_data["note"],
                seen=form.cleaned_data["seen"],
                without_consent=form.cleaned_data["without_consent"],
            )
    except services.ConsentMissingError as exc:
        # Nothing was sent: the warning, and the same move again with the sender's confirmation.
        access_log_record(
            user=user,
            action=AccessAction.VIEW,
            case=referral.case,
            obj=referral,
            detail="referral consent warning",
            request=request,
        )
        return render(
            request,
            "referrals/send_warning.html",
            {
                "case": referral.case,
                "referral": referral,
                "warning": " ".join(exc.messages),
                "note": form.cleaned_data["note"],
                "seen": request.POST.get("seen", ""),
                "cancel_url": _case_url(referral.case),
            },
        )
    except (StaleEditError, CaseRuleError) as exc:
        # A stale move's message names the state the referral is in now; the case page comes
        # back with that state (and a fresh `seen`) and the choice and note as they were typed.
        messages.error(request, " ".join(exc.messages))
        input_keep(request, referral_move_key(referral.pk), request.POST)
    else:
        messages.success(
            request,
            _("The referral to %(agency)s is now “%(state)s”.")
            % {"agency": referral.agency, "state": to_state.label},
        )
    return redirect(_case_url(referral.case))


@require_GET_or_POST
def inbound_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    municipalities = policy.municipalities_where(user, MunicipalityPerm.WORK_CASES)
    if not municipalities.exists():
        raise Http404
    form = InboundReferralForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                referral = services.referral_receive_inbound(
                    by=user,
                    municipality=data["municipality"],
                    agency=data["agency"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    identity_number=data["identity_number"],
                    reserve_identity=data["reserve_identity"],
                    protected_identity=data["protected_identity"],
                    purpose=data["purpose"],
                )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The referral was received and the inquiry %(reference)s was opened.")
                % {"reference": referral.case.reference},
            )
            return redirect("cases:detail", referral.case.pk)
    return render(request, "referrals/inbound_form.html", {"form": form})


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    grants = policy.grants_for(user)
    if not (
        grants.municipalities_with(MunicipalityPerm.VIEW_CASES)
        or grants.municipalities_with(MunicipalityPerm.WORK_CASES)
    ):
        raise Http404
    form = ReferralFilterForm(request.GET or None)
    state, unanswered = None, False
    if form.is_valid():
        state = form.cleaned_data["state"] or None
        unanswered = form.cleaned_data["unanswered"]
    referrals = selectors.referral_list_for(user=user, state=state, unanswered=unanswered)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.referral_rows(page.object_list, today=timezone.localdate())
    return render(
        request,
        "referrals/list.html",
        {"form": form, "page": page, "rows": rows, "filtered": bool(state or unanswered)},
    )


@require_GET
def referral_letter(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = _referral_for(request, referral_id, CaseAction.READ, what="referral letter")
    context = selectors.referral_letter_context(referral=referral, today=timezone.localdate())
    # The letter is in the language chosen for it, whatever the sender's screen shows; the
    # template's <html lang> (and so the PDF's language) follows.
    with translation.override(referral.letter_language):
        pdf = render_pdf(template_name="referrals/letter.html", context=context)
    access_log_record(
        user=user,
        action=AccessAction.DOWNLOAD,
        case=referral.case,
        obj=referral,
        detail="referral letter",
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"remiss-{referral.case.reference}-{referral.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
