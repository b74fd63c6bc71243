"""What each kind of report shows: the template and its context, read for one report.

`report_document` runs inside `translation.override(report.language)` (see
`reports.services.report_render`), so labels come out in the report's language. It expects the
report with its case, the case's client and municipality, and its municipality loaded
(`select_related`), as `report_render` loads it; each kind then reads a fixed number of queries.

Templates never see a client object: the identity reaches them as `common.Identity`, which is
empty for a protected identity, so no report can print a protected client's name or number.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from reports.documents.case_follow_up import case_follow_up_context
from reports.documents.caseload import caseload_context
from reports.documents.common import head_context
from reports.documents.police_summary import police_summary_context
from reports.models import Report, ReportKind
from reports.periods import Period

__all__ = ["report_document"]


def report_document(report: Report) -> tuple[str, dict[str, Any]]:
    """The template name and context of `report`'s PDF."""
    context = head_context(report, now=timezone.now())
    period: Period = context["period"]
    kind = ReportKind(report.kind)
    if kind == ReportKind.CASELOAD:
        template, body = caseload_context(
            municipality=report.municipality, period=period, today=context["today"]
        )
    else:
        if report.case is None:
            raise ValueError(f"a {kind.value} report needs a case (report {report.pk})")
        if kind == ReportKind.CASE_FOLLOW_UP:
            template, body = case_follow_up_context(
                case=report.case, period=period, today=context["today"]
            )
        else:
            template, body = police_summary_context(case=report.case)
    return template, {**context, **body}
