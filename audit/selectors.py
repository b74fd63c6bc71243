"""Reads of the access log. Callers have already asked the permission policy.

A log page takes a fixed number of queries however long the log: one (`access_log_summary`)
for the people in the log and the number of entries that match, one for the page of entries
(`access_log_entries`), whose links to cases come from a subquery, not a query per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry

if TYPE_CHECKING:  # the audit sink imports no app above accounts at run time
    from accounts.models import Municipality
    from cases.models import Case


@dataclass(frozen=True)
class AccessLogFilters:
    """What a reader of a log page narrows it to; every field optional."""

    user_id: int | None = None
    action: str = ""
    date_from: datetime.date | None = None  # local dates, both days included
    date_to: datetime.date | None = None
    security_only: bool = False  # refused attempts only

    def __bool__(self) -> bool:
        return self != AccessLogFilters()


@dataclass(frozen=True)
class LogPerson:
    user_id: int
    name: str  # "Full Name (username)": two staff may share a name, never a username


@dataclass(frozen=True)
class LogSummary:
    """The people who appear in a log, and how many entries of each match the filters."""

    people: list[LogPerson] = field(default_factory=list)
    matching: dict[int | None, int] = field(default_factory=dict)  # user id (None: no user)

    def count(self, user_id: int | None) -> int:
        """The entries that match, of `user_id` only if given."""
        if user_id is None:
            return sum(self.matching.values())
        return self.matching.get(user_id, 0)


def case_log(*, case: Case) -> QuerySet[AccessLogEntry]:
    """Every entry of the case (its refused attempts among them)."""
    return AccessLogEntry.objects.filter(case=case)


def municipality_log(*, municipality: Municipality) -> QuerySet[AccessLogEntry]:
    """Every entry concerning the municipality as it was then: its cases' entries, the attempts
    refused on them and on its reports and pages."""
    return AccessLogEntry.objects.filter(municipality=municipality)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _matching(filters: AccessLogFilters, *, with_user: bool) -> Q:
    """The filters as a condition on an entry's own columns (the time by index-friendly range)."""
    condition = Q()
    if with_user and filters.user_id is not None:
        condition &= Q(user_id=filters.user_id)
    if filters.action:
        condition &= Q(action=filters.action)
    if filters.security_only:
        condition &= Q(action=AccessAction.DENIED)
    if filters.date_from is not None:
        condition &= Q(at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        condition &= Q(at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    return condition


def access_log_summary(
    *, entries: QuerySet[AccessLogEntry], filters: AccessLogFilters
) -> LogSummary:
    """The people of `entries` and the count of entries matching `filters` per person: one
    grouped query gives both the choices of the person filter and the size of the result."""
    rows = (
        entries.order_by()
        .values("user_id", "user__first_name", "user__last_name", "user__username")
        .annotate(matching=Count("pk", filter=_matching(filters, with_user=False)))
    )
    people: list[LogPerson] = []
    matching: dict[int | None, int] = {}
    for row in rows:
        user_id = row["user_id"]
        matching[user_id] = row["matching"]
        if user_id is not None:
            full = f"{row['user__first_name']} {row['user__last_name']}".strip()
            username = row["user__username"]
            people.append(LogPerson(user_id, f"{full} ({username})" if full else username))
    people.sort(key=lambda person: (person.name.casefold(), person.user_id))
    return LogSummary(people=people, matching=matching)


def access_log_entries(
    *,
    entries: QuerySet[AccessLogEntry],
    filters: AccessLogFilters,
    readable_cases: QuerySet[Case],
) -> QuerySet[AccessLogEntry]:
    """`entries` matching `filters`, newest first, with their users and cases.

    Each carries `case_readable`: whether its case is among `readable_cases` (the access
    module's answer for the reader), as a subquery of the same query.
    """
    return (
        entries.filter(_matching(filters, with_user=True))
        .select_related("user", "case")
        .annotate(case_readable=Exists(readable_cases.filter(pk=OuterRef("case_id"))))
        .order_by("-at", "-id")
    )
