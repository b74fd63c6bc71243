"""A client's age, from the birth date or, for a reserve identity without one, from an age band
given on a day: the one definition of "young" (under 18) that the case page, the caseload, the
home pages, the PDFs, the youth rules, the figures and the 18th-birthday job use.

A band given on a day ages with the client: "15-17" given two years ago is "17-19" today. While
the youngest age the client can be is under 18, the client is young (the rules for children
apply while they may be one); the minimum-age refusal uses the oldest age (a client is turned
away only when certainly too young).
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, Greatest
from django.db.models.lookups import IsNull, LessThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cases.models import Client

ADULT_AGE = 18


class AgeBand(models.TextChoices):
    """The bands of the youth figures, and of the national statistics."""

    UNDER_15 = "under_15", _("under 15")
    FROM_15_TO_17 = "15_17", _("15–17")  # noqa: RUF001 (an en dash, as in Swedish)
    FROM_18_TO_20 = "18_20", _("18–20")  # noqa: RUF001 (an en dash, as in Swedish)
    FROM_21_TO_25 = "21_25", _("21–25")  # noqa: RUF001 (an en dash, as in Swedish)
    OVER_25 = "over_25", _("26 or older")


# The youngest and oldest age of each band (None: no upper end).
BAND_AGES: dict[str, tuple[int, int | None]] = {
    AgeBand.UNDER_15: (0, 14),
    AgeBand.FROM_15_TO_17: (15, 17),
    AgeBand.FROM_18_TO_20: (18, 20),
    AgeBand.FROM_21_TO_25: (21, 25),
    AgeBand.OVER_25: (26, None),
}

# The bands of young clients (under 18).
YOUNG_BANDS = frozenset({AgeBand.UNDER_15, AgeBand.FROM_15_TO_17})


def band_of(age: int) -> AgeBand:
    """The band an age in whole years is in."""
    for band, (youngest, oldest) in BAND_AGES.items():
        if age >= youngest and (oldest is None or age <= oldest):
            return AgeBand(band)
    return AgeBand.UNDER_15  # a negative age (a birth date after the day): not born yet


def whole_years(since: datetime.date, day: datetime.date) -> int:
    """The whole years from `since` to `day` (0 when `day` is before the first anniversary).
    A birth date of 29 February has its birthday on 1 March in years without one."""
    before_anniversary = (day.month, day.day) < (since.month, since.day)
    return day.year - since.year - before_anniversary


@dataclass(frozen=True)
class Age:
    """What is known of a client's age on a day: exact (from a birth date) or a range (from a
    band given on an earlier day, aged since)."""

    youngest: int
    oldest: int | None  # None: no upper end (the band "26 or older")

    @property
    def exact(self) -> bool:
        return self.youngest == self.oldest

    @property
    def young(self) -> bool:
        """Under 18, or possibly so."""
        return self.youngest < ADULT_AGE

    @property
    def band(self) -> AgeBand:
        """The band of the youngest age the client can be."""
        return band_of(self.youngest)

    def __str__(self) -> str:
        if self.exact:
            return str(self.youngest)
        if self.oldest is None:
            return f"{self.youngest}+"
        return f"{self.youngest}–{self.oldest}"  # noqa: RUF001 (an en dash)


def age_of(client: "Client", day: datetime.date) -> Age | None:
    """The client's age on `day`: from the birth date, or from the age band as given on its day
    and aged since; None when neither is known."""
    if client.birth_date is not None:
        years = whole_years(client.birth_date, day)
        return Age(youngest=years, oldest=years)
    if not client.age_band or client.age_band_on is None:
        return None
    youngest, oldest = BAND_AGES[client.age_band]
    passed = max(whole_years(client.age_band_on, day), 0)
    # Between two anniversaries of the band's day a client at the band's top may have had a
    # birthday already: the oldest age is one more, except on an anniversary itself.
    anniversary = (day.month, day.day) == (client.age_band_on.month, client.age_band_on.day)
    started = day > client.age_band_on and not anniversary
    return Age(
        youngest=youngest + passed,
        oldest=None if oldest is None else oldest + passed + started,
    )


def is_young(client: "Client", day: datetime.date) -> bool:
    """Whether the client is under 18 on `day` (or may be, by an age band); an age not known
    is not young."""
    age = age_of(client, day)
    return age is not None and age.young


def turns_adult_on(client: "Client") -> datetime.date | None:
    """The day the client stops being young: the 18th birthday (or, by an age band, the day the
    band's youngest age reaches 18); None when no age is known."""
    if client.birth_date is not None:
        return _anniversary(client.birth_date, ADULT_AGE)
    if not client.age_band or client.age_band_on is None:
        return None
    youngest, _oldest = BAND_AGES[client.age_band]
    return _anniversary(client.age_band_on, max(ADULT_AGE - youngest, 0))


def _anniversary(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the birthday is 1 March
        return datetime.date(day.year + years, 3, 1)


# --- The same rules as database expressions (the youth figures count in one query) -----------
# Each mirrors the Python function above it in name, step by step; tests/test_youth_figures.py
# checks that both give the same answer at the edges (the day before, on and after a birthday,
# 29 February, an age band given on the day, a year and a day before).

DayExpression = datetime.date | str | models.Expression | models.F


def _day_sql(day: DayExpression) -> models.Expression | models.F:
    """A date as an expression: a date as a value, a field name as a reference to it."""
    if isinstance(day, datetime.date):
        return models.Value(day, output_field=models.DateField())
    if isinstance(day, str):
        return models.F(day)
    return day


def _month_day_sql(day: models.Expression | models.F) -> models.Expression:
    """A date's month and day as one number (229 for 29 February), to compare like
    `(day.month, day.day)`."""
    return ExtractMonth(day) * models.Value(100) + ExtractDay(day)


def whole_years_sql(since: DayExpression, day: DayExpression) -> models.Expression:
    """`whole_years` as a database expression: the years between the two dates, one less
    before the anniversary's month and day (29 February's anniversary is 1 March)."""
    since_sql, day_sql = _day_sql(since), _day_sql(day)
    before_anniversary = models.Case(
        models.When(LessThan(_month_day_sql(day_sql), _month_day_sql(since_sql)), then=1),
        default=0,
    )
    return models.ExpressionWrapper(
        ExtractYear(day_sql) - ExtractYear(since_sql) - before_anniversary,
        output_field=models.IntegerField(),
    )


def youngest_age_sql(day: DayExpression, *, client: str = "") -> models.Expression:
    """`age_of(client, day).youngest` as a database expression (NULL when no age is known):
    the whole years since the birth date, or the band's youngest age aged by the whole years
    since the day it was given. `client` is the path to the client's fields ("client__" from
    a case); `day` a date or a field name on the queried model ("opened_on")."""
    band_youngest = models.Case(
        *(
            models.When(**{f"{client}age_band": band}, then=youngest)
            for band, (youngest, _oldest) in BAND_AGES.items()
        ),
        output_field=models.IntegerField(),
    )
    passed = Greatest(whole_years_sql(f"{client}age_band_on", day), models.Value(0))
    return models.Case(
        models.When(
            **{f"{client}birth_date__isnull": False},
            then=whole_years_sql(f"{client}birth_date", day),
        ),
        models.When(
            models.Q(**{f"{client}age_band_on__isnull": False})
            & ~models.Q(**{f"{client}age_band": ""}),
            then=band_youngest + passed,
        ),
        default=None,
        output_field=models.IntegerField(),
    )


def age_band_sql(day: DayExpression, *, client: str = "") -> models.Expression:
    """`age_of(client, day).band` as a database expression: an `AgeBand` value, or NULL when
    no age is known (see `youngest_age_sql` for the arguments)."""
    youngest = youngest_age_sql(day, client=client)
    whens = [
        # In the order of the bands: a negative age (not born yet) is "under 15", as band_of.
        models.When(LessThanOrEqual(youngest, models.Value(oldest)), then=models.Value(band))
        for band, (_youngest, oldest) in BAND_AGES.items()
        if oldest is not None
    ]
    return models.Case(
        *whens,
        models.When(IsNull(youngest, False), then=models.Value(AgeBand.OVER_25.value)),
        default=None,
        output_field=models.CharField(),
    )
