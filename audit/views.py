"""The access log pages: a case's, and a municipality's for its managers."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access import policy
from access.policy import CaseAction
from audit import selectors, sentences
from audit.forms import AccessLogFilterForm, MunicipalityAccessLogFilterForm
from audit.models import AccessAction, AccessLogEntry
from audit.services import access_log_record

ENTRIES_PER_PAGE = 100


class _CountedPaginator(Paginator):
    """A paginator told how many entries match: the log's summary query has counted them."""

    def __init__(self, object_list: QuerySet[AccessLogEntry], per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass(frozen=True)
class LogRow:
    entry: AccessLogEntry
    sentence: sentences.Described


def _log_page(
    request: HttpRequest,
    *,
    entries: QuerySet[AccessLogEntry],
    form: AccessLogFilterForm,
) -> dict[str, Any]:
    """The filtered, paged log and its filter form: two queries however long the log."""
    filters = form.filters()
    summary = selectors.access_log_summary(entries=entries, filters=filters)
    form.offer_people(summary.people)
    filters = form.filters()  # without a person the log does not hold
    page_entries = selectors.access_log_entries(
        entries=entries, filters=filters, readable_cases=policy.cases_visible_to(request.user)
    )
    paginator = _CountedPaginator(
        page_entries, ENTRIES_PER_PAGE, count=summary.count(filters.user_id)
    )
    # get_page turns a missing or malformed number into page 1 and a too large one into the last.
    page = paginator.get_page(request.GET.get("page"))
    rows = [LogRow(entry=entry, sentence=sentences.describe(entry)) for entry in page]
    return {"form": form, "filtered": bool(filters), "page": page, "rows": rows}


@require_GET
def case_access_log(request: HttpRequest, case_id: int) -> HttpResponse:
    """Who read and changed a case, for its municipality's managers. Reading it is logged too."""
    # A refusal is logged by the policy.
    case = policy.get_case_for_user(
        request.user, case_id, action=CaseAction.VIEW_ACCESS_LOG, what="access log"
    )
    access_log_record(
        user=request.user,
        action=AccessAction.VIEW,
        case=case,
        obj=case,
        detail="access log",
        request=request,
    )
    context = _log_page(
        request,
        entries=selectors.case_log(case=case),
        form=AccessLogFilterForm(request.GET or None),
    )
    return render(request, "audit/case_access_log.html", {"case": case, **context})


@require_GET
def municipality_access_log(request: HttpRequest, municipality_id: int) -> HttpResponse:
    """Every entry concerning a municipality, refused attempts among them, for its managers.
    Reading it is logged too."""
    # Anyone else gets a 404, and the refusal is logged by the policy.
    municipality = policy.get_municipality_log_for_user(request.user, municipality_id)
    access_log_record(
        user=request.user,
        action=AccessAction.VIEW,
        obj=municipality,
        municipality=municipality,
        detail="municipality access log",
        request=request,
    )
    context = _log_page(
        request,
        entries=selectors.municipality_log(municipality=municipality),
        form=MunicipalityAccessLogFilterForm(request.GET or None),
    )
    return render(
        request, "audit/municipality_access_log.html", {"municipality": municipality, **context}
    )
