"""The case page's plan section, rendered by the records app itself.

The case page lives in `cases`, below `records`; its template loads this tag instead of its
view importing records (../shared/STYLE.md, the layout).
"""

from typing import Any

from django import template

from access.policy import CaseAccess
from cases.models import Case
from records import selectors

register = template.Library()


@register.inclusion_tag("records/_case_section.html")
def case_plan_section(case: Case, access: CaseAccess) -> dict[str, Any]:
    """The plan in force and the latest review (three queries)."""
    section = selectors.case_plan_section(case=case)
    return {
        "case": case,
        "plan": section.plan,
        "review": section.latest_review,
        "can_edit": case.is_open and access.edit,
    }
