"""The case page's task section, rendered by the reminders app itself (the case page lives
in `cases`, below `reminders`: its template loads this tag, as for the plan section)."""

from typing import Any

from django import template
from django.utils import timezone

from access.policy import CaseAccess
from cases.models import Case
from cases.tabs import case_section_url
from reminders import selectors

register = template.Library()


@register.inclusion_tag("reminders/_case_section.html")
def case_task_section(case: Case, access: CaseAccess) -> dict[str, Any]:
    """The case's tasks, open ones first (one query)."""
    tasks = selectors.case_tasks(case=case) if access.read else []
    return {
        "case": case,
        "tasks": tasks,
        "open_count": sum(1 for t in tasks if not t.is_done),
        "today": timezone.localdate(),
        "can_edit": access.edit,
        "can_add": case.is_open and access.edit,
    }


@register.inclusion_tag("reminders/_overview_tasks.html")
def case_open_tasks(case: Case, printing: bool = False) -> dict[str, Any]:
    """The number of open tasks of the case, for the case page's overview (one query)."""
    return {
        "count": selectors.case_open_task_count(case=case),
        "url": case_section_url(case.pk, "tasks"),
        "printing": printing,
    }
