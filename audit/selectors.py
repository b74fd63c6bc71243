"""Reads of the access log. Callers have already asked the permission policy."""

from django.db.models import QuerySet

from audit.models import AccessLogEntry
from cases.models import Case


def case_access_log(*, case: Case, limit: int | None = 500) -> QuerySet[AccessLogEntry]:
    """The case's log entries with their users, newest first (one query per slice or count).

    `limit=None` returns the whole log, for a caller that pages through it.
    """
    entries = AccessLogEntry.objects.filter(case=case).select_related("user").order_by("-at", "-id")
    return entries if limit is None else entries[:limit]
