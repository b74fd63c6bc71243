"""The home page per role."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from access import policy
from access.policy import MunicipalityPerm
from accounts.models import Role
from cases import selectors
from referrals.selectors import overdue_referrals_for
from reports.forms import CaseloadReportForm


def home(request: HttpRequest) -> HttpResponse:
    """One page with a section for each role the user holds."""
    user = request.user
    roles = policy.grants_for(user).role_set
    today = timezone.localdate()
    context: dict[str, object] = {"roles": roles, "Role": Role, "today": today}
    if Role.CASEWORKER in roles:
        context["caseworker"] = selectors.caseworker_home(
            user=user, today=today, due_within_days=settings.EXITPROG_DUE_SOON_DAYS
        )
    if Role.MANAGER in roles:
        context["overviews"] = selectors.manager_overview(user=user, today=today)
        context["overdue_referrals"] = overdue_referrals_for(user=user, today=today)
        context["incoming_transfers"] = selectors.transfers_awaiting_answer(user=user)
        managed = policy.municipalities_where(user, MunicipalityPerm.MANAGE_CASES).order_by("name")
        context["caseload_report_form"] = CaseloadReportForm(municipalities=managed)
    if Role.POLICE_LIAISON in roles:
        context["shared_cases"] = selectors.police_home(user=user)
    return render(request, "home.html", context)
