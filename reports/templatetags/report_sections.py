"""The reports section of a case, for the case page and the liaison's shared view.

The reports app renders its own section, so the case pages (in `cases`, below `reports`) need
not import it: their templates load this tag.
"""

from typing import Any

from django import template

from access import policy
from access.policy import CaseAccess
from cases.models import Case
from reports import selectors
from reports.forms import ReportRequestForm
from reports.models import ReportKind

register = template.Library()


@register.inclusion_tag("reports/_case_section.html", takes_context=True)
def case_report_section(
    context: template.Context,
    case: Case,
    access: CaseAccess | None = None,
    police_summary_only: bool = False,
    read_only: bool = False,
) -> dict[str, Any]:
    """The case's newest reports the user may read, and the form to ask for one.

    `access` is the case page's CaseAccess (so the section costs one query, the reports);
    `police_summary_only` is the liaison's view: the police summary and nothing else;
    `read_only` (the case's print view) leaves the form out.
    """
    user = context["request"].user
    if police_summary_only:
        kinds: list[ReportKind] = [ReportKind.POLICE_SUMMARY]
        shown: tuple[ReportKind, ...] = (ReportKind.POLICE_SUMMARY,)
    else:
        kinds = policy.case_report_kinds(access or policy.case_access(user, case))
        shown = tuple(ReportKind)
    return {
        "case": case,
        "reports": selectors.reports_for_case(user=user, case=case, kinds=shown),
        "report_form": ReportRequestForm(kinds=kinds) if kinds and not read_only else None,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }
