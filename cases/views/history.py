"""The history of a case's records: who changed what, when, from which value to which."""

from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_record
from cases import history
from cases.tabs import case_section_url


def record_history(request: HttpRequest, case_id: int, kind: str, pk: int) -> HttpResponse:
    """The changes of one record of the case, for whoever may read the whole case.

    A police liaison reads only the shared parts of a case, never its history: the policy's
    READ refuses them (404, logged). A record that is not the case's is "not found" too.
    """
    # "record history": the page's name in the access log (audit.sentences.PAGES).
    case = policy.get_case_for_user(
        request.user, case_id, action=CaseAction.READ, what="record history"
    )
    # The policy lets only an authenticated user read a case, and AUTH_USER_MODEL is accounts.User.
    user = cast(User, request.user)
    found = history.record_history(user=user, case=case, kind=kind, pk=pk)
    if found is None:
        raise Http404
    access_log_record(
        user=user,
        action=AccessAction.VIEW,
        case=case,
        obj=found.record,
        detail="record history",
        request=request,
    )
    back = reverse("cases:detail", args=[case.pk])
    if found.section:
        back = case_section_url(case.pk, found.section)
    return render(
        request,
        "cases/history.html",
        {
            "case": case,
            "history": found,
            "back_url": back,
        },
    )
