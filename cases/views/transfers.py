"""Transfers of a case to another municipality: the proposal, the managers' list, the answer.

The sending manager proposes from the case page; the receiving manager answers from the list
without opening the case (they may not read it until they accept: the list shows the case's
reference, never the client). On acceptance the case, and with it its visibility, moves.
Every view asks the policy first; a transfer outside the user's municipalities is "not found".
"""

import datetime
from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases import selectors, services
from cases.forms.records import SeenForm
from cases.forms.transfers import NOTE_MAX_LENGTH, TransferAnswerForm, TransferProposeForm
from cases.models import Case, Transfer, TransferState
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from cases.views.stale import keep_refused_input, unreadable_seen
from exitprog.concurrency import StaleEditError
from exitprog.http import input_kept


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware guarantees an authenticated accounts.User here.
    return cast(User, request.user)


def _case_url(case_id: int) -> str:
    return case_section_url(case_id, "transfer")


def _list_url() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cases:transfers"))


def _error(request: HttpRequest, exc: CaseRuleError | StaleEditError[Transfer]) -> None:
    messages.error(request, " ".join(exc.messages))


@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Propose to move the case to another municipality (the case's manager only)."""
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.MANAGE)
    form = TransferProposeForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                transfer = services.transfer_propose(
                    case=case,
                    by=user,
                    to_municipality=data["to_municipality"],
                    reason=data["reason"],
                )
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The transfer to %(municipality)s is proposed. Its manager will answer.")
                % {"municipality": transfer.to_municipality.name},
            )
            return HttpResponseRedirect(_case_url(case.pk))
    access_log_form_view(request=request, case=case, what="transfer form")
    return render(
        request,
        "cases/transfers/transfer_form.html",
        {"case": case, "form": form, "cancel_url": _case_url(case.pk)},
    )


@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    """The manager's incoming and outgoing transfers; 404 for anyone who manages nowhere."""
    user = _user(request)
    managed = policy.managed_municipality_ids(user)
    if not managed:
        raise Http404
    incoming = selectors.transfers_incoming(user=user)
    outgoing = selectors.transfers_outgoing(user=user)
    proposed = TransferState.PROPOSED
    incoming_open = [t for t in incoming if t.state == proposed]
    return render(
        request,
        "cases/transfers/list.html",
        {
            "incoming_open": incoming_open,
            "kept_answer": _kept_answer(request, incoming_open),
            "incoming_history": [t for t in incoming if t.state != proposed],
            "outgoing_open": [t for t in outgoing if t.state == proposed],
            "outgoing_history": [t for t in outgoing if t.state != proposed],
            # Cases now in a managed municipality: their reference links to the case page.
            "openable": {
                t.case_id for t in (*incoming, *outgoing) if t.case.municipality_id in managed
            },
            "note_max_length": NOTE_MAX_LENGTH,
        },
    )


def _answer_key(transfer_id: int) -> str:
    """The session key of an answer's input kept after an error (`exitprog.http`)."""
    return f"transfer-answer:{transfer_id}"


def _kept_answer(request: HttpRequest, transfers: list[Transfer]) -> dict[str, object] | None:
    """The answer to one of `transfers` refused a moment ago, as it was typed: the transfer's
    id, the note and the `seen` it goes with (a newer error replaces an older one, so there
    is at most one)."""
    for transfer in transfers:
        kept = input_kept(request, _answer_key(transfer.pk))
        if kept is not None:
            return {
                "transfer_id": transfer.pk,
                "note": kept.get("note", ""),
                "seen": kept.get("seen", ""),
            }
    return None


@require_POST
def transfer_answer(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """Accept or decline a proposed transfer (the receiving municipality's manager only).

    After acceptance the case page opens: the case now belongs to the receiving municipality.
    An answer to a list shown before the transfer was withdrawn or answered by someone else is
    refused, saying what became of it (its note has nowhere to go then, so it is not kept).
    """
    user = _user(request)
    transfer = policy.get_transfer_for_user(user, transfer_id)
    key = _answer_key(transfer.pk)
    form = TransferAnswerForm(request.POST)
    if not form.is_valid():
        if "seen" in form.errors:
            unreadable_seen(request)
        if "decision" in form.errors:
            messages.error(request, _("Choose whether to accept or decline the transfer."))
        for error in form.errors.get("note", []):
            messages.error(request, str(error))
        keep_refused_input(
            request, key, request.POST, current=transfer if "seen" in form.errors else None
        )
        return _list_url()
    accept = form.cleaned_data["decision"] == "accept"
    note = form.cleaned_data["note"]
    seen = form.cleaned_data["seen"]
    case: Case = transfer.case
    try:
        with transaction.atomic():
            if accept:
                transfer = services.transfer_accept(
                    transfer=transfer, by=user, note=note, seen=seen
                )
            else:
                transfer = services.transfer_decline(
                    transfer=transfer, by=user, note=note, seen=seen
                )
            if accept:  # transfer_decline logs itself; the acceptance's log is still here
                access_log_record(
                    user=user,
                    action=AccessAction.CHANGE,
                    case=case,
                    obj=transfer,
                    detail="transfer accepted",
                    request=request,
                )
    except StaleEditError as exc:
        _error(request, exc)
        if exc.current.state == TransferState.PROPOSED:  # still open: its form comes back
            keep_refused_input(request, key, request.POST, current=exc.current)
        return _list_url()
    except CaseRuleError as exc:
        _error(request, exc)
        keep_refused_input(request, key, request.POST)
        return _list_url()
    if accept:
        messages.success(
            request,
            _("Case %(reference)s now belongs to %(municipality)s.")
            % {"reference": case.reference, "municipality": transfer.to_municipality.name},
        )
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
    messages.success(
        request,
        _("The transfer of case %(reference)s is declined.") % {"reference": case.reference},
    )
    return _list_url()


@require_POST
def transfer_withdraw_view(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """Withdraw a proposal that has no answer yet (the sending municipality's manager).

    From the case page (`from_case` in the form) the user goes back there, else to the list.
    A button shown before the transfer was answered is refused, saying what became of it.
    """
    user = _user(request)
    transfer = policy.get_transfer_for_user(user, transfer_id)
    case = transfer.case
    form = SeenForm(request.POST)
    if form.is_valid():
        _withdraw(request, transfer, by=user, seen=form.cleaned_data["seen"])
    else:
        unreadable_seen(request)
    if request.POST.get("from_case") and policy.may(user, CaseAction.READ, case):
        return HttpResponseRedirect(_case_url(case.pk))
    return _list_url()


def _withdraw(
    request: HttpRequest, transfer: Transfer, *, by: User, seen: datetime.datetime | None
) -> None:
    try:
        with transaction.atomic():
            services.transfer_withdraw(transfer=transfer, by=by, seen=seen)
    except (StaleEditError, CaseRuleError) as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("The transfer of case %(reference)s is withdrawn.")
            % {"reference": transfer.case.reference},
        )
