"""Reads of reports for a user, always starting from the policy's `reports_visible_to`."""

from django.db.models import QuerySet

from access import policy
from access.policy import AnyUser
from cases.models import Case
from reports.models import Report, ReportKind

RECENT = 10


def report_list_for(*, user: AnyUser) -> QuerySet[Report]:
    """Every report the user may read, newest first, with what a list row shows."""
    return policy.reports_visible_to(user).select_related("case", "municipality", "requested_by")


def reports_for_case(
    *, user: AnyUser, case: Case, kinds: tuple[ReportKind, ...] = tuple(ReportKind)
) -> list[Report]:
    """The newest reports of one case that the user may read (one query)."""
    return list(
        policy.reports_visible_to(user)
        .filter(case=case, kind__in=kinds)
        .select_related("requested_by")
        .order_by("-created_at", "-id")[:RECENT]
    )
