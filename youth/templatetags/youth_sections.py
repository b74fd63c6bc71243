"""The case page's youth section and the police liaison's part of the joint meetings, rendered
by the youth app itself: the pages live in `cases`, below `youth`, and their templates load
these tags instead of their views importing youth (../shared/STYLE.md, the layout)."""

from typing import Any

from django import template
from django.utils import timezone

from access.policy import CaseAccess
from cases.models import Case
from youth import selectors

register = template.Library()


@register.inclusion_tag("youth/_case_section.html")
def case_youth_section(case: Case, access: CaseAccess, read_only: bool = False) -> dict[str, Any]:
    """The child unit's contact, the reports of concern and the joint meetings with their
    actions (five queries, `selectors.case_youth_section`)."""
    today = timezone.localdate()
    return {
        "case": case,
        "section": selectors.case_youth_section(case=case, today=today),
        "today": today,
        "can_add": case.is_open and access.edit and not read_only,
        "read_only": read_only,
    }


@register.inclusion_tag("youth/_police_section.html")
def police_joint_meeting_section(case: Case) -> dict[str, Any]:
    """The police part of each joint meeting (one query), for the liaison's view of a case
    shared with them; the page has checked the share."""
    return {"case": case, "meetings": list(selectors.case_police_parts(case=case))}
