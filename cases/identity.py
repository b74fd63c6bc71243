"""Swedish personal identity numbers (personnummer) and co-ordination numbers.

Case files are matched, deduplicated and reported on by identity number, so the
number must be stored in exactly one unambiguous form.  People type it in
several forms (10 or 12 digits, with or without a separator), and the 10-digit
form leaves the century implicit, which is why this module resolves the century
once, at input time, and stores the explicit 12-digit form ``YYYYMMDDNNNC``.

Co-ordination numbers (samordningsnummer) are issued to people who are not, or
not yet, registered in Sweden.  They look like personnummer but carry the day
of birth plus 60, so they are accepted here and flagged, because caseworkers
need to know that the person may lack a full population-register entry.

Only numbers whose birth date is a real calendar date are accepted: a case
file's ``birth_date`` drives age-based rules, so an unknown or partial date
cannot be represented.

Error messages never echo the submitted value, because an identity number is
personal data and validation errors tend to end up in logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "IdentityNumber",
    "identity_pseudonym",
    "luhn_check_digit",
    "normalise_identity_number",
    "parse_identity_number",
    "validate_identity_number",
]

# ``[0-9]`` rather than ``\d``: ``\d`` also matches non-ASCII digits (Arabic-Indic,
# full-width ...) which int() would happily convert, letting odd input through.
_PATTERN = re.compile(
    r"""
    (?P<century>[0-9]{2})?
    (?P<yy>[0-9]{2})
    (?P<mm>[0-9]{2})
    (?P<dd>[0-9]{2})
    (?P<sep>[-+]?)
    (?P<serial>[0-9]{3})
    (?P<check>[0-9])
    """,
    re.VERBOSE,
)

# Co-ordination numbers add this to the day of birth.
_COORDINATION_DAY_OFFSET = 60

# The check digit does not cover the century, so a mistyped century in the
# 12-digit form (0981... for 1981...) would otherwise pass.  Nobody alive is
# this old, so anything older is treated as an impossible date.
_MAX_AGE_YEARS = 150


@dataclass(frozen=True)
class IdentityNumber:
    """A validated identity number.

    Frozen because it is a value: two instances with the same number are the
    same identity, and nothing should be able to alter one after validation.
    """

    number: str
    """Normalised storage form, 12 digits ``YYYYMMDDNNNC`` (century explicit)."""

    birth_date: date
    """Real birth date; for co-ordination numbers the day has 60 subtracted."""

    is_coordination: bool
    """True for a co-ordination number (samordningsnummer)."""

    def formatted(self) -> str:
        """Return ``YYYYMMDD-NNNC``, the form people read and the Tax Agency prints.

        The 12-digit form is used for display too, not ``YYMMDD-NNNC``, so the
        century is never ambiguous on screen or on paper.
        """
        return f"{self.number[:8]}-{self.number[8:]}"

    def age_on(self, day: date) -> int:
        """Return the age in completed years on ``day``.

        Takes the date explicitly rather than using today, so reports can be
        produced "as of" a date and tests are deterministic.  Someone born on
        29 February turns a year older on 1 March in non-leap years.

        Raises ``ValueError`` if ``day`` is before the birth date: that is a
        programming error, not a user input problem.
        """
        if day < self.birth_date:
            raise ValueError("day is before the birth date")
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


def luhn_check_digit(nine_digits: str) -> int:
    """Return the Luhn (mod 10) check digit for ``YYMMDDNNN``.

    The check digit is always computed over the 10-digit form, even when the
    number is written with a century, because that is how the Tax Agency
    defines it.  Exposed publicly so tests and fixtures can build valid,
    synthetic numbers instead of copying real people's.

    Raises ``ValueError`` unless given exactly nine ASCII digits, since any
    other input is a programming error.
    """
    if len(nine_digits) != 9 or not nine_digits.isascii() or not nine_digits.isdigit():
        raise ValueError("expected exactly nine ASCII digits")
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _resolve_century(yy: int, mm: int, dd: int, sep: str, today: date) -> int:
    """Return the four-digit birth year for a 10-digit number.

    With ``-`` (or no separator) the person is taken to be under 100, so the
    year is the latest one that does not put the birthday after ``today``.
    ``+`` is written once a person turns 100, so it means a century earlier.
    The comparison uses plain (month, day) tuples so it works even when the
    date turns out to be impossible; that is reported afterwards.
    """
    year = today.year // 100 * 100 + yy
    if (year, mm, dd) > (today.year, today.month, today.day):
        year -= 100
    if sep == "+":
        year -= 100
    return year


def _is_centenarian(birth_date: date, today: date) -> bool:
    """Whether someone born on ``birth_date`` is 100 or older on ``today`` (born on
    29 February, one turns 100 on 1 March when the hundredth year has no 29 February)."""
    return (today.year - birth_date.year, today.month, today.day) >= (
        100,
        birth_date.month,
        birth_date.day,
    )


def parse_identity_number(value: str, *, today: date | None = None) -> IdentityNumber:
    """Validate ``value`` and return it as an :class:`IdentityNumber`.

    Accepts ``YYMMDD-NNNC``, ``YYMMDDNNNC``, ``YYMMDD+NNNC``, ``YYYYMMDDNNNC``
    and ``YYYYMMDD-NNNC``, ignoring surrounding whitespace.  ``today`` decides
    the century of 10-digit numbers and what counts as the future; pass
    ``django.utils.timezone.localdate()`` from request-handling code.

    ``YYYYMMDD+NNNC`` is accepted too, for a person aged 100 or more on ``today``
    (it normalises like ``YYMMDD+NNNC``).

    Raises ``ValidationError`` with code ``format``, ``serial`` (individual number
    000, never issued), ``checksum``, ``date``, ``future`` or ``plus`` (a 12-digit
    number with ``+`` for someone younger than 100).
    """
    if today is None:
        # Plain date.today() keeps this module free of settings; it uses the
        # process's local time zone, which can be a day off around midnight,
        # so callers that care pass timezone.localdate() explicitly.
        today = date.today()  # noqa: DTZ011

    match = _PATTERN.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(
            _(
                "Enter a personal identity number or co-ordination number in the form "
                "YYYYMMDD-NNNN or YYMMDD-NNNN."
            ),
            code="format",
        )

    # The Tax Agency never issues the individual number 000: such a number is made up
    # (or a placeholder), even when its check digit happens to fit.
    if match["serial"] == "000":
        raise ValidationError(
            _(
                "The identity number is not valid: its individual number (the three digits "
                "before the check digit) is never 000."
            ),
            code="serial",
        )

    yy, mm, dd = match["yy"], match["mm"], match["dd"]
    ten_digits = f"{yy}{mm}{dd}{match['serial']}"
    if luhn_check_digit(ten_digits) != int(match["check"]):
        raise ValidationError(
            _("The identity number is not valid: the check digit does not match."),
            code="checksum",
        )

    day = int(dd)
    is_coordination = day > _COORDINATION_DAY_OFFSET
    if is_coordination:
        day -= _COORDINATION_DAY_OFFSET

    if match["century"]:
        year = int(match["century"] + yy)
    else:
        year = _resolve_century(int(yy), int(mm), day, match["sep"], today)

    try:
        birth_date = date(year, int(mm), day)
    except ValueError:
        raise ValidationError(
            _("The identity number does not contain a valid date of birth."),
            code="date",
        ) from None

    if birth_date.year < today.year - _MAX_AGE_YEARS:
        raise ValidationError(
            _("The identity number has an implausibly early date of birth."),
            code="date",
        )

    if birth_date > today:
        raise ValidationError(
            _("The identity number has a date of birth in the future."),
            code="future",
        )

    # "+" says the person has turned 100. The 10-digit form takes its century from it; a
    # 12-digit form states its century, and the two must agree.
    if match["century"] and match["sep"] == "+" and not _is_centenarian(birth_date, today):
        raise ValidationError(
            _(
                "The identity number has a + although the person is younger than 100 years: "
                "write - instead of +, or check the year of birth."
            ),
            code="plus",
        )

    return IdentityNumber(
        number=f"{year:04d}{mm}{dd}{match['serial']}{match['check']}",
        birth_date=birth_date,
        is_coordination=is_coordination,
    )


def normalise_identity_number(value: str, *, today: date | None = None) -> str:
    """Return the 12-digit storage form ``YYYYMMDDNNNC`` of ``value``.

    Convenience for form ``clean_*`` methods, which only need the string.
    Raises ``ValidationError`` like :func:`parse_identity_number`.
    """
    return parse_identity_number(value, today=today).number


def validate_identity_number(value: str) -> None:
    """Django validator: raise ``ValidationError`` unless ``value`` is valid.

    For ``validators=[...]`` on model and form fields, where only the pass/fail
    answer matters; normalising is left to the form's clean method.
    """
    parse_identity_number(value)


def identity_pseudonym(number: str) -> str:
    """Return the keyed pseudonym of a 12-digit identity number (64 hex digits).

    HMAC-SHA256 under the server secret ``EXITPROG_PSEUDONYM_KEY``: the same person gets
    the same pseudonym in every municipality, so the national statistics can recognise
    one person across municipalities without seeing who it is; without the key nobody
    can compute it from a number (a plain hash of a personnummer is reversed by trying
    the few million numbers of a year). An empty number (a reserve identity) has none.
    """
    import hashlib
    import hmac

    from django.conf import settings

    if not number:
        return ""
    key = settings.EXITPROG_PSEUDONYM_KEY.encode()
    return hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()
