"""The access log pages."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access import policy
from access.policy import CaseAction
from audit import selectors
from audit.models import AccessAction
from audit.services import access_log_record

ENTRIES_PER_PAGE = 100


@require_GET
def case_access_log(request: HttpRequest, case_id: int) -> HttpResponse:
    """Who read and changed a case, for its municipality's managers. Reading it is logged too."""
    try:
        case = policy.get_case_for_user(request.user, case_id, action=CaseAction.VIEW_ACCESS_LOG)
    except Http404:
        # Not tied to the case: whether it exists is not for this request to find out.
        access_log_record(
            user=request.user,
            action=AccessAction.DENIED,
            detail=f"access log of case id {case_id}",
            request=request,
        )
        raise
    access_log_record(
        user=request.user,
        action=AccessAction.VIEW,
        case=case,
        obj=case,
        detail="access log",
        request=request,
    )
    paginator = Paginator(selectors.case_access_log(case=case, limit=None), ENTRIES_PER_PAGE)
    # get_page turns a missing or malformed number into page 1 and a too large one into the last.
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "audit/case_access_log.html", {"case": case, "page": page})
