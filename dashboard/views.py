"""The home page per role."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from access import policy
from access.policy import AnyUser
from accounts.models import Role
from cases import selectors
from cases.models import AWAITING_INTAKE_STATES, OPEN_STATES, Case, CaseState
from cases.selectors import SCOPE_ALL
from cases.youth_figures import YouthFigures, youth_figures_visible_to
from referrals.selectors import overdue_referrals_for
from reminders.selectors import tasks_open_for
from reports.forms import CaseloadReportForm


@dataclass(frozen=True)
class FigureLink:
    """A figure of the manager's home and the list behind it, which shows as many."""

    label: str
    count: int
    url: str
    value: str = ""  # a state's value (its colour), for the table of states


@dataclass(frozen=True)
class OverviewPanel:
    """One municipality's caseload at a glance, every figure a link to the list behind it."""

    overview: selectors.MunicipalityOverview
    open_cases: FigureLink
    unassigned: FigureLink
    review_overdue: FigureLink
    waiting: FigureLink
    states: list[FigureLink]
    caseworkers: list[FigureLink]
    youth: YouthFigures | None = None  # the young clients' figures (cases.youth_figures)


def _caseload_url(municipality_id: int, **params: str | list[str]) -> str:
    """The caseload of one municipality (all its cases, not "my cases"), filtered by `params`
    (the caseload form's fields)."""
    query = QueryDict(mutable=True)
    query["scope"] = SCOPE_ALL
    query["municipality"] = str(municipality_id)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return f"{reverse('cases:caseload')}?{query.urlencode()}"


def _overview_panel(
    overview: selectors.MunicipalityOverview, youth: YouthFigures | None = None
) -> OverviewPanel:
    muni = overview.municipality.pk
    open_states = [s.value for s in CaseState if s in OPEN_STATES]
    counts = {value: count for value, _label, count in overview.by_state}
    return OverviewPanel(
        overview=overview,
        open_cases=FigureLink(
            gettext("open cases"), overview.open_total, _caseload_url(muni, state=open_states)
        ),
        unassigned=FigureLink(
            gettext("open cases without a caseworker"),
            overview.unassigned,
            _caseload_url(muni, unassigned="on"),
        ),
        review_overdue=FigureLink(
            gettext("reviews overdue"),
            overview.review_overdue,
            _caseload_url(muni, overdue="on"),
        ),
        waiting=FigureLink(
            gettext("cases waiting for an intake decision"),
            sum(counts.get(state, 0) for state in AWAITING_INTAKE_STATES),
            f"{reverse('intake_queue')}?municipality={muni}",
        ),
        states=[
            FigureLink(label, count, _caseload_url(muni, state=value), value)
            for value, label, count in overview.by_state
        ],
        caseworkers=[
            FigureLink(name, count, _caseload_url(muni, caseworker=str(user_id), state=open_states))
            for name, count, user_id in overview.per_caseworker
        ],
        youth=youth,
    )


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
    if roles & {Role.CASEWORKER, Role.MANAGER}:
        context["my_tasks"] = list(tasks_open_for(user=user))
    if Role.MANAGER in roles:
        youth = youth_figures_visible_to(user=user, today=today)
        context["overviews"] = [
            _overview_panel(overview, youth.get(overview.municipality.pk))
            for overview in selectors.manager_overview(user=user, today=today)
        ]
        context["overdue_referrals"] = overdue_referrals_for(user=user, today=today)
        context["incoming_transfers"] = selectors.transfers_awaiting_answer(user=user)
        managed = policy.managed_municipalities(user).order_by("name")
        context["caseload_report_form"] = CaseloadReportForm(municipalities=managed)
    if Role.POLICE_LIAISON in roles:
        shared_cases = selectors.police_home(user=user)
        _decide_identities(user, shared_cases)
        context["shared_cases"] = shared_cases
    return render(request, "home.html", context)
