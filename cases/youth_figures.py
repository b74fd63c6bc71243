"""The youth figures (issue 12): intakes by age band at intake and per year, and how the
cases of young clients wait and end compared with adults'. One selector for the manager's home
and the caseload report, so the two always show the same figures.

A client's age at intake is their age on the day the case was opened (`Case.opened_on`), by the
one definition in `cases.age` (its database expression `age_band_sql`): a client with only an
age band counts in the band of the youngest age they can be, so "young" is under 18 or
possibly so, as everywhere else. An intake of an age not known counts as "not known", in
neither group.

Waiting is the calendar days from the inquiry (the case's first state change to "inquiry", or
the day it was opened) to the intake decision (its first change from a state awaiting the
decision to accepted or rejected); outcomes are the shares of the closed cases that were
completed, discontinued or rejected.

Every count is shown as it is: the other figures of the home and the caseload report suppress
no small count (they are the municipality's own working figures, never published), so these
do not either; the national statistics apply their own disclosure control.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
from django.utils.translation import gettext as _

from access import policy
from access.policy import AnyUser
from cases.age import YOUNG_BANDS, AgeBand, age_band_sql
from cases.models import AWAITING_INTAKE_STATES, OPEN_STATES, Case, CaseState, CaseStateChange
from exitprog.numbers import number

# The years shown one by one, the last being the year of the figures' day.
YEARS = 5

# The groups compared: young (under 18 at intake, or possibly so) and adult.
YOUNG = "young"
ADULT = "adult"

# The row of the intakes whose age is not known.
NOT_KNOWN = ""


class Median(Aggregate):
    """The median of a number (PostgreSQL's ordered-set aggregate percentile_cont)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class BandRow:
    """The intakes of one age band (or of an age not known): in all, and per year."""

    band: str  # an AgeBand value, or NOT_KNOWN
    label: str
    young: bool
    total: int
    per_year: tuple[int, ...]


def _share(part: int, whole: int) -> str:
    """`part` of `whole` in whole percent (rounded: 2 of 3 is 67), empty without a whole."""
    return number(round(100 * part / whole)) if whole else ""


@dataclass(frozen=True)
class GroupRow:
    """Waiting and outcomes of one group's cases (young or adult)."""

    group: str  # YOUNG or ADULT
    label: str
    intakes: int
    decided: int  # cases with an intake decision, whose waiting days are counted
    median_days: float | None
    mean_days: float | None
    closed: int
    completed: int
    discontinued: int
    rejected: int

    @property
    def median(self) -> str:
        return "" if self.median_days is None else number(self.median_days, 1)

    @property
    def mean(self) -> str:
        return "" if self.mean_days is None else number(self.mean_days, 1)

    @property
    def completed_share(self) -> str:
        return _share(self.completed, self.closed)

    @property
    def discontinued_share(self) -> str:
        return _share(self.discontinued, self.closed)

    @property
    def rejected_share(self) -> str:
        return _share(self.rejected, self.closed)


@dataclass
class YouthFigures:
    """One municipality's youth figures on a day (`until`): the cases opened on or before it."""

    until: datetime.date
    years: tuple[int, ...]
    bands: list[BandRow] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.bands)

    @property
    def per_year_total(self) -> tuple[int, ...]:
        return tuple(
            sum(column) for column in zip(*(row.per_year for row in self.bands), strict=True)
        )

    @property
    def young_total(self) -> int:
        return sum(row.total for row in self.bands if row.young)


def _wait_days() -> Func:
    """Calendar days from the case's inquiry to its intake decision (NULL before it)."""
    changes = CaseStateChange.objects.filter(case=OuterRef("pk")).order_by("at", "id")
    decided_on = Subquery(
        changes.filter(
            from_state__in=AWAITING_INTAKE_STATES,
            to_state__in=[CaseState.ACCEPTED, CaseState.REJECTED],
        )
        .annotate(day=TruncDate("at"))
        .values("day")[:1]
    )
    inquiry_on = Subquery(
        changes.filter(to_state=CaseState.INQUIRY).annotate(day=TruncDate("at")).values("day")[:1]
    )
    return Func(
        decided_on,
        Coalesce(inquiry_on, F("opened_on")),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def _band_label(band: str) -> str:
    return str(AgeBand(band).label) if band else _("not known")


def youth_figures(
    *, cases: QuerySet[Case], municipality_ids: Collection[int], until: datetime.date
) -> dict[int, YouthFigures]:
    """The youth figures of each municipality in `municipality_ids`, from `cases` (the
    caller's, read through the access module) opened on or before `until` (two queries,
    whatever the number of cases and municipalities)."""
    years = tuple(range(until.year - YEARS + 1, until.year + 1))
    figures = {pk: YouthFigures(until=until, years=years) for pk in municipality_ids}
    if not figures:
        return {}
    opened = cases.filter(municipality_id__in=figures, opened_on__lte=until).annotate(
        band=age_band_sql("opened_on", client="client__")
    )
    counts: dict[int, dict[str, dict[int, int]]] = {}
    totals: dict[int, dict[str, int]] = {}
    for row in (
        opened.annotate(year=ExtractYear("opened_on"))
        .values("municipality_id", "band", "year")
        .annotate(n=Count("id"))
        .order_by()
    ):
        band = row["band"] or NOT_KNOWN
        per_band = totals.setdefault(row["municipality_id"], {})
        per_band[band] = per_band.get(band, 0) + row["n"]
        counts.setdefault(row["municipality_id"], {}).setdefault(band, {})[row["year"]] = row["n"]
    young_bands = [band.value for band in YOUNG_BANDS]
    grouped: dict[tuple[int, str], Mapping[str, Any]] = {
        (row["municipality_id"], row["group"]): row
        for row in opened.annotate(
            group=CaseWhen(
                When(band__in=young_bands, then=Value(YOUNG)),
                When(band__isnull=False, then=Value(ADULT)),
                default=Value(NOT_KNOWN),
            ),
            wait=_wait_days(),
        )
        .values("municipality_id", "group")
        .annotate(
            n=Count("id"),
            decided=Count("wait"),
            median=Median("wait"),
            mean=Avg("wait"),
            closed=Count("id", filter=~Q(state__in=OPEN_STATES)),
            completed=Count("id", filter=Q(state=CaseState.COMPLETED)),
            discontinued=Count("id", filter=Q(state=CaseState.DISCONTINUED)),
            rejected=Count("id", filter=Q(state=CaseState.REJECTED)),
        )
        .order_by()
    }
    none: Mapping[str, Any] = {
        "n": 0,
        "decided": 0,
        "median": None,
        "mean": None,
        "closed": 0,
        "completed": 0,
        "discontinued": 0,
        "rejected": 0,
    }
    for pk, muni in figures.items():
        by_band = counts.get(pk, {})
        muni.bands = [
            BandRow(
                band=band,
                label=_band_label(band),
                young=band in young_bands,
                total=totals.get(pk, {}).get(band, 0),
                per_year=tuple(by_band.get(band, {}).get(year, 0) for year in years),
            )
            for band in [*AgeBand.values, NOT_KNOWN]
        ]
        for group, label in ((YOUNG, _("Young (under 18)")), (ADULT, _("Adults (18 or older)"))):
            got = grouped.get((pk, group), none)
            muni.groups.append(
                GroupRow(
                    group=group,
                    label=label,
                    intakes=got["n"],
                    decided=got["decided"],
                    median_days=got["median"],
                    mean_days=None if got["mean"] is None else float(got["mean"]),
                    closed=got["closed"],
                    completed=got["completed"],
                    discontinued=got["discontinued"],
                    rejected=got["rejected"],
                )
            )
    return figures


def youth_figures_visible_to(*, user: AnyUser, today: datetime.date) -> dict[int, YouthFigures]:
    """The youth figures of each municipality the user manages, from the cases the access
    module lets them see, keyed by municipality id (two queries; none without one)."""
    managed = policy.managed_municipality_ids(user)
    if not managed:
        return {}
    return youth_figures(cases=policy.cases_visible_to(user), municipality_ids=managed, until=today)
