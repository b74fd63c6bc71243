"""The caseload list: the cases a caseworker or manager may read, filtered and sorted."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from access import policy
from access.policy import AnyUser
from audit.models import AccessAction
from audit.services import access_log_record
from cases import selectors
from cases.forms.caseload import DEFAULT_SORT, SORT_LABELS, CaseloadFilterForm
from cases.models import Case, ThreatLevel

CASES_PER_PAGE = 50


@dataclass(frozen=True)
class CaseloadRow:
    """One case as the list shows it, with what the template may not work out itself."""

    case: Case
    show_protected: bool
    threat_label: str
    caseworkers: list[str]
    overdue: bool


@dataclass(frozen=True)
class SortableColumn:
    label: Promise
    sort: str  # the key a click on the header sorts by
    aria_sort: str  # "ascending", "descending" or "" when the list is not sorted by it


# (label, key of the natural direction, key of the other direction, the natural direction)
_COLUMNS: dict[str, tuple[Promise, str, str, str]] = {
    "reference": (_("Case"), "reference", "-reference", "ascending"),
    "name": (_("Client"), "name", "", "ascending"),
    "state": (_("State"), "state", "", "ascending"),
    # The highest threat first is what a caseworker looks for: a descending sort.
    "threat": (_("Threat level"), "threat", "-threat", "descending"),
    "next_review": (_("Next review"), "next_review_on", "-next_review_on", "ascending"),
}
_OPPOSITE = {"ascending": "descending", "descending": "ascending"}


def _columns(current: str) -> dict[str, SortableColumn]:
    columns = {}
    for name, (label, natural, other, direction) in _COLUMNS.items():
        if current == natural:
            columns[name] = SortableColumn(label, other or natural, direction)
        elif other and current == other:
            columns[name] = SortableColumn(label, natural, _OPPOSITE[direction])
        else:
            columns[name] = SortableColumn(label, natural, "")
    return columns


def _row(user: AnyUser, case: Case, today: datetime.date) -> CaseloadRow:
    level = getattr(case, "threat_level", None)
    return CaseloadRow(
        case=case,
        show_protected=selectors.may_see_protected_name(user=user, case=case),
        threat_label="" if level is None else str(ThreatLevel(level).label),
        caseworkers=[
            grant.user.get_full_name() or grant.user.get_username()
            for grant in getattr(case, "assignments", ())
        ],
        overdue=case.is_open and case.next_review_on is not None and case.next_review_on < today,
    )


@require_GET
def caseload_list(request: HttpRequest) -> HttpResponse:
    """The caseload, in pages of 50; a fixed number of queries whatever the number of cases.

    Browsing is logged once per page view, without a case: the list opens no case file.
    """
    user = request.user
    if not policy.grants_for(user).municipality_perms:
        raise Http404  # police, analysts and administrators have no caseload
    today = timezone.localdate()
    due_within_days = settings.EXITPROG_DUE_SOON_DAYS
    form = CaseloadFilterForm(request.GET, user=user, due_within_days=due_within_days)
    filters = form.filters()
    cases = selectors.caseload_for(
        user=user, filters=filters, today=today, due_within_days=due_within_days
    )
    # get_page turns a missing or malformed number into page 1 and a too large one into the last.
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [_row(user, case, today) for case in page.object_list]
    sort = filters.sort if filters.sort in selectors.CASELOAD_SORTS else DEFAULT_SORT
    access_log_record(user=user, action=AccessAction.VIEW, detail="caseload", request=request)
    return render(
        request,
        "cases/caseload.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "columns": _columns(sort),
            "sort_label": SORT_LABELS.get(sort, sort),
            "filtered": filters != selectors.CaseloadFilters(sort=filters.sort),
        },
    )
