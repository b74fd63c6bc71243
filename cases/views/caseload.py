"""The caseload list: the cases a caseworker or manager may read, filtered and sorted."""

import datetime
import secrets
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.policy import AnyUser
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_record
from cases import selectors, services
from cases.forms.caseload import (
    SCOPE_FIELD,
    SEARCH_FIELD,
    SORT_LABELS,
    CaseloadFilterForm,
    SavedFilterForm,
)
from cases.models import Case, CaseState, ThreatLevel

CASES_PER_PAGE = 50

# The searches of a session, by token (see `caseload_list`). Only the newest are kept, so a
# day of searching does not grow the session; an older token is treated as expired.
SEARCHES_SESSION_KEY = "caseload_searches"
SEARCHES_KEPT = 20
# Longer than the search field allows, so that a too long search still reaches the form and
# is reported there, but bounded, so that no request can fill the session.
SEARCH_KEPT_CHARS = 1000


@dataclass(frozen=True)
class CaseloadRow:
    """One case as the list shows it, worked out here rather than by the template: its 50
    rows were half of the page's render through includes, `{% url %}` and the date filter
    (`bench/caseload.py`)."""

    case: Case
    url: str
    client_name: str | None  # None: a protected identity the user may not see
    young: bool  # under 18 (cases.age, the stored flag)
    state_label: str
    threat_label: str
    caseworkers: list[str]
    overdue: bool
    review_iso: str  # "" without a next review
    review_shown: str


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


@dataclass(frozen=True)
class _RowWords:
    """What every row of a page shows alike, worked out once for the page."""

    state_labels: dict[str, str]
    threat_labels: dict[int, str]
    short_date: str  # the active language's SHORT_DATE_FORMAT
    url_pattern: str  # the case page's URL for the case id _URL_ID

    @classmethod
    def now(cls) -> "_RowWords":
        return cls(
            state_labels={value: str(label) for value, label in CaseState.choices},
            threat_labels={value: str(label) for value, label in ThreatLevel.choices},
            short_date=get_format("SHORT_DATE_FORMAT"),
            url_pattern=reverse("cases:detail", args=[_URL_ID]),
        )

    def url(self, case_id: int) -> str:
        # One reverse() a page rather than a row (10 µs each); the id is all that differs.
        return self.url_pattern.replace(str(_URL_ID), str(case_id))


# A case id no URL of the case page holds otherwise ("/cases/987654321987/").
_URL_ID = 987654321987


def _row(
    user: AnyUser, case: Case, today: datetime.date, words: _RowWords, caseworkers: list[str]
) -> CaseloadRow:
    level = getattr(case, "threat_level", None)
    client = case.client
    shown = not client.protected_identity or policy.may_see_protected_identity(user, case)
    review = case.next_review_on
    return CaseloadRow(
        case=case,
        url=words.url(case.pk),
        client_name=client.full_name if shown else None,
        young=client.young,
        state_label=words.state_labels.get(case.state, case.state),
        threat_label="" if level is None else words.threat_labels.get(level, str(level)),
        caseworkers=caseworkers,
        overdue=case.is_open and review is not None and review < today,
        review_iso=review.isoformat() if review else "",
        review_shown=dateformat.format(review, words.short_date) if review else "",
    )


def _search_keep(request: HttpRequest, query: str) -> str:
    """Keep `query` in the session under a new random token, and return the token."""
    token = secrets.token_urlsafe(16)
    searches = dict(request.session.get(SEARCHES_SESSION_KEY, {}))
    searches[token] = query[:SEARCH_KEPT_CHARS]
    # The session's JSON keeps the order of insertion: the oldest searches are dropped first.
    request.session[SEARCHES_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return token


def _search_kept(request: HttpRequest, token: str) -> str | None:
    """The search kept under `token` in this session, or None (unknown or expired)."""
    query = request.session.get(SEARCHES_SESSION_KEY, {}).get(token)
    return query if isinstance(query, str) else None


def _list_url(params: QueryDict) -> str:
    url = reverse("cases:caseload")
    return f"{url}?{params.urlencode()}" if params else url


def _redirect_to_search(request: HttpRequest, params: QueryDict, query: str) -> HttpResponse:
    """To the list with `params` in the URL and, for a search, the token of the kept search."""
    params = params.copy()
    params.pop("search", None)
    if query := query.strip():
        params["search"] = _search_keep(request, query)
    return redirect(_list_url(params))


# The list's filters of the last visit, restored when the caseload is opened without any.
KEPT_SESSION_KEY = "caseload_kept_filters"
# Parameters that say where in the list, not what: never kept, never saved.
PAGING_PARAMS = ("after", "before", "page")


def _has_caseload(user: AnyUser) -> None:
    if not policy.grants_for(user).municipality_perms:
        raise Http404  # police, analysts and administrators have no caseload


def _kept_params(params: QueryDict) -> QueryDict:
    kept = params.copy()
    for name in PAGING_PARAMS:
        kept.pop(name, None)
    return kept


def _cursor(request: HttpRequest, name: str) -> int | None:
    """The case id of a page link (`after`/`before`); a malformed one is said and ignored."""
    raw = request.GET.get(name)
    if raw is None:
        return None
    if raw.isdigit() and 0 < int(raw) < 2**63:
        return int(raw)
    messages.warning(request, _("That page link is not valid. The first page is shown."))
    return None


@require_http_methods(["GET", "POST"])
def caseload_list(request: HttpRequest) -> HttpResponse:
    """The caseload, in pages of 50 by keys; a fixed number of queries whatever the page.

    A caseworker opens on their own cases and a manager on the whole caseload (`scope`). The
    filters of the last visit are kept in the session and restored when the list is opened
    without parameters (`?clear=1` forgets them). Pages are links `?after=<case id>` and
    `?before=<case id>` (keyset pagination, see `selectors.caseload_page`).

    The search never travels in the URL, where server logs and the browser's history would
    keep a personal identity number: the form posts it, it is kept in the session under a
    random token, and the list is shown at `?search=<token>` with the other filters beside
    it. An old link that still carries `q=` is redirected the same way; an unknown or expired
    token leads to the list without the search, and a message says so.

    Browsing is logged once per page view, without a case: the list opens no case file.
    """
    _has_caseload(request.user)
    if request.method == "POST":
        params = CaseloadFilterForm.url_params(request.POST)
        return _redirect_to_search(request, params, request.POST.get(SEARCH_FIELD, ""))
    if SEARCH_FIELD in request.GET:
        params = request.GET.copy()
        del params[SEARCH_FIELD]
        return _redirect_to_search(request, params, request.GET.get(SEARCH_FIELD, ""))
    if "clear" in request.GET:
        request.session.pop(KEPT_SESSION_KEY, None)
        return redirect(reverse("cases:caseload"))
    if not request.GET:
        kept = request.session.get(KEPT_SESSION_KEY)
        if isinstance(kept, str) and kept:
            return redirect(_list_url(QueryDict(kept)))
    data = request.GET.copy()
    if token := request.GET.get("search"):
        query = _search_kept(request, token)
        if query is None:
            messages.info(
                request,
                _("That search has expired. The list is shown without it; search again."),
            )
            return _redirect_to_search(request, _kept_params(data), "")
        data[SEARCH_FIELD] = query
    kept_params = _kept_params(request.GET)
    if kept_params:
        request.session[KEPT_SESSION_KEY] = kept_params.urlencode()[:SEARCH_KEPT_CHARS]
    else:
        request.session.pop(KEPT_SESSION_KEY, None)
    return _render_caseload(request, data)


def _render_caseload(
    request: HttpRequest, data: QueryDict, save_form: SavedFilterForm | None = None
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    due_within_days = settings.EXITPROG_DUE_SOON_DAYS
    form = CaseloadFilterForm(data, user=user, due_within_days=due_within_days)
    filters = form.filters()
    page = selectors.caseload_page(
        user=user,
        filters=filters,
        today=today,
        due_within_days=due_within_days,
        size=CASES_PER_PAGE,
        after=_cursor(request, "after"),
        before=_cursor(request, "before"),
    )
    words = _RowWords.now()
    rows = [
        _row(user, case, today, words, page.caseworkers.get(case.pk, [])) for case in page.cases
    ]
    scope = form.scope_shown()
    saveable = CaseloadFilterForm.url_params(data)
    saveable.setlist(SCOPE_FIELD, [scope])
    access_log_record(user=user, action=AccessAction.VIEW, detail="caseload", request=request)
    return render(
        request,
        "cases/caseload.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "columns": _columns(page.sort),
            "sort_label": SORT_LABELS.get(page.sort, page.sort),
            "scope": scope,
            "filtered": filters != selectors.CaseloadFilters(sort=filters.sort, mine=filters.mine),
            "kept": bool(_kept_params(request.GET)) or request.method == "POST",
            "saved_filters": selectors.saved_caseload_filters(user=user),
            "save_form": save_form or SavedFilterForm(initial={"filters": saveable.urlencode()}),
        },
    )


@require_POST
def caseload_filter_save(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters under a name, for the user alone; the search is not
    saved (it may hold an identity number), only the filters, the sort and the scope."""
    _has_caseload(request.user)
    form = SavedFilterForm(request.POST)
    params = CaseloadFilterForm.url_params(QueryDict(request.POST.get("filters", "")))
    if not form.is_valid():
        return _render_caseload(request, params, save_form=form)
    user = cast(User, request.user)
    saved = services.caseload_filter_save(
        user=user, name=form.cleaned_data["name"], query=params.urlencode()
    )
    messages.success(request, _("The filter “%(name)s” is saved.") % {"name": saved.name})
    return redirect(_list_url(params))


@require_GET
def caseload_filter_apply(request: HttpRequest, filter_id: int) -> HttpResponse:
    """The caseload with one of the user's saved filters, validated again by the form (a
    caseworker or need that is no longer a choice is left out, and the user told)."""
    _has_caseload(request.user)
    saved = policy.get_saved_caseload_filter_for_user(request.user, filter_id)
    params = CaseloadFilterForm.url_params(QueryDict(saved.query))
    form = CaseloadFilterForm(
        params, user=request.user, due_within_days=settings.EXITPROG_DUE_SOON_DAYS
    )
    if not form.is_valid():
        for name in form.errors:
            params.pop(name, None)
        messages.warning(
            request,
            _("Part of the saved filter “%(name)s” no longer applies and was left out.")
            % {"name": saved.name},
        )
    if not params.get(SCOPE_FIELD):
        params[SCOPE_FIELD] = form.scope_shown()
    return redirect(_list_url(params))


@require_POST
def caseload_filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    _has_caseload(request.user)
    saved = policy.get_saved_caseload_filter_for_user(request.user, filter_id)
    name = saved.name
    services.caseload_filter_delete(user=cast(User, request.user), saved=saved)
    messages.success(request, _("The saved filter “%(name)s” is deleted.") % {"name": name})
    return redirect(reverse("cases:caseload"))
