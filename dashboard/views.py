"""The home page per role."""

from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from access import policy
from access.policy import AnyUser
from accounts.models import Role
from cases import selectors
from cases.models import Case
from referrals.selectors import overdue_referrals_for
from reports.forms import CaseloadReportForm


def _decide_identities(user: AnyUser, cases: Iterable[Case]) -> None:
    """Put the policy's answer on each listed case as `show_protected`, for the template to
    show: may the user see the client's identity? (Without a query: the selectors annotate
    what the policy needs.)"""
    for case in cases:
        case.show_protected = policy.may_see_protected_identity(user, case)  # type: ignore[attr-defined]


def home(request: HttpRequest) -> HttpResponse:
    """One page with a section for each role the user holds."""
    user = request.user
    roles = policy.grants_for(user).role_set
    today = timezone.localdate()
    context: dict[str, object] = {"roles": roles, "Role": Role, "today": today}
    if Role.CASEWORKER in roles:
        caseworker = selectors.caseworker_home(
            user=user, today=today, due_within_days=settings.EXITPROG_DUE_SOON_DAYS
        )
        _decide_identities(user, caseworker.my_cases)
        _decide_identities(user, (follow_up.case for follow_up in caseworker.follow_ups_due))
        context["caseworker"] = caseworker
    if Role.MANAGER in roles:
        context["overviews"] = selectors.manager_overview(user=user, today=today)
        context["overdue_referrals"] = overdue_referrals_for(user=user, today=today)
        context["incoming_transfers"] = selectors.transfers_awaiting_answer(user=user)
        managed = policy.managed_municipalities(user).order_by("name")
        context["caseload_report_form"] = CaseloadReportForm(municipalities=managed)
    if Role.POLICE_LIAISON in roles:
        shared_cases = selectors.police_home(user=user)
        _decide_identities(user, shared_cases)
        context["shared_cases"] = shared_cases
    return render(request, "home.html", context)
