"""The manager's intake queue: the cases waiting for an intake decision, oldest first."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from access import policy
from access.policy import AnyUser
from audit.models import AccessAction
from audit.services import access_log_record
from cases import selectors
from cases.models import Case, CaseState, Recommendation, StageOfChange

CASES_PER_PAGE = 50


@dataclass(frozen=True)
class LatestAssessment:
    """The summary of a case's latest motivation assessment, where the intake is decided."""

    assessed_on: datetime.date
    stage: str
    criteria_met: bool
    recommendation: str


@dataclass(frozen=True)
class QueueRow:
    case: Case
    show_protected: bool
    state_label: str
    waiting_days: int
    latest: LatestAssessment | None


def _row(user: AnyUser, case: Case, today: datetime.date) -> QueueRow:
    assessed_on = getattr(case, "latest_assessed_on", None)
    latest = None
    if assessed_on is not None:
        latest = LatestAssessment(
            assessed_on=assessed_on,
            stage=str(StageOfChange(case.latest_stage).label),  # type: ignore[attr-defined]
            criteria_met=bool(case.latest_criteria_met),  # type: ignore[attr-defined]
            recommendation=str(Recommendation(case.latest_recommendation).label),  # type: ignore[attr-defined]
        )
    return QueueRow(
        case=case,
        show_protected=policy.may_see_protected_identity(user, case),
        state_label=str(CaseState(case.state).label),
        waiting_days=(today - case.opened_on).days,
        latest=latest,
    )


def _municipality_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("municipality", "")
    return int(raw) if raw.isdigit() and int(raw) < 2**31 else None


@require_GET
def intake_queue(request: HttpRequest) -> HttpResponse:
    """The cases of the user's municipalities waiting for an intake decision (inquiry or
    assessment), oldest first, with the days waited and the latest assessment; `?municipality=`
    narrows it to one of them. For managers only (404 for anyone else); a fixed number of
    queries whatever the number of cases. Listing clients is reading case content: logged."""
    user = request.user
    if not policy.managed_municipality_ids(user):
        raise Http404
    municipality_id = _municipality_param(request)
    cases = selectors.intake_queue_for(user=user, municipality_id=municipality_id)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [_row(user, case, today) for case in page.object_list]
    access_log_record(user=user, action=AccessAction.VIEW, detail="intake queue", request=request)
    return render(
        request,
        "dashboard/intake_queue.html",
        {"page": page, "rows": rows, "municipality_id": municipality_id},
    )
