"""Report periods: calendar months and runs of months, as inclusive date ranges."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from exitprog.dates import add_months, days_in_month

__all__ = ["Period", "add_months", "days_in_month"]


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period ends before it starts: {self.start} to {self.end}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(
            datetime.date(year, month, 1), datetime.date(year, month, days_in_month(year, month))
        )

    @classmethod
    def months_ending(cls, last: Period, months: int) -> Period:
        """The `months` calendar months that end with the month `last`."""
        return cls(add_months(last.start, -(months - 1)), last.end)

    @classmethod
    def parse_month(cls, text: str) -> Period:
        """ "2026-10" → October 2026; ValueError on anything else."""
        year, _sep, month = text.strip().partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls.month(int(year), int(month))

    @classmethod
    def previous_month(cls, today: datetime.date) -> Period:
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return cls.month(last.year, last.month)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"


def case_report_period(month: Period, every_months: int) -> Period | None:
    """The case follow-up report period that ends with `month` at a cadence of
    `every_months`, or None when none ends then (quarters end in March, June, September and
    December; half-years in June and December; years in December)."""
    if every_months <= 0 or month.end.month % every_months:
        return None
    return Period.months_ending(month, every_months)


# The periods a user can choose when asking for a report, by name.
PRESETS = ("this_month", "last_month", "last_3_months", "last_12_months")


def preset_period(name: str, today: datetime.date) -> Period:
    """The period `name` (one of PRESETS) as seen on `today`; ValueError for another name."""
    this_month = Period(today.replace(day=1), today)
    last_month = Period.previous_month(today)
    if name == "this_month":
        return this_month
    if name == "last_month":
        return last_month
    if name == "last_3_months":
        return Period.months_ending(last_month, 3)
    if name == "last_12_months":
        return Period.months_ending(last_month, 12)
    raise ValueError(f"not a period: {name!r}")
