"""What every report shows: its head (title, municipality, period, when it was made), the
client's identity with protected identities masked, and numbers in the report's language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from cases.models import Client
from reports.models import Report
from reports.periods import Period


@dataclass(frozen=True)
class Identity:
    """Who the report is about, as a PDF may show it.

    For a client with a protected identity only `protected` is set: the name, the identity
    numbers and the birth date never reach the template, whoever the report is for.
    """

    protected: bool
    name: str = ""
    identity_number: str = ""  # "YYYYMMDD-NNNN"
    reserve_identity: str = ""


def identity_of(client: Client) -> Identity:
    if client.protected_identity:
        return Identity(protected=True)
    number = client.identity_number
    return Identity(
        protected=False,
        name=client.full_name,
        identity_number=f"{number[:8]}-{number[8:]}" if number else "",
        reserve_identity=client.reserve_identity,
    )


def day_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as [start, end) instants in the current time zone, for timestamp fields."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def bilingual(swedish: str, english: str) -> str:
    """The Swedish or English name of a codebook entry read with `.values()`."""
    return english if (get_language() or "sv").startswith("en") else swedish


def head_context(report: Report, *, now: datetime.datetime) -> dict[str, Any]:
    """The context of the report's head (templates/reports/pdf/base.html)."""
    return {
        "report": report,
        "title": report.get_kind_display(),
        "municipality": report.municipality,
        "period": Period(report.period_start, report.period_end),
        "made_at": timezone.localtime(now),
        "today": timezone.localdate(now),
    }
