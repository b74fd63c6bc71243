"""Tests for cases.identity: personnummer and samordningsnummer parsing.

Numbers are synthesised with luhn_check_digit (apart from the textbook example
811218-9876) so that no real person's number appears in the repository.  The
date is fixed so century resolution is deterministic.
"""

from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cases.identity import (
    IdentityNumber,
    luhn_check_digit,
    normalise_identity_number,
    parse_identity_number,
    validate_identity_number,
)

TODAY = date(2026, 11, 25)

# Full-width digits, built from code points so the source stays ASCII.
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))


def build(birth: str, serial: str = "123", sep: str = "") -> str:
    """Return a checksum-valid number for ``birth`` (YYMMDD or YYYYMMDD)."""
    check = luhn_check_digit(birth[-6:] + serial)
    return f"{birth}{sep}{serial}{check}"


def error_code(value: str, today: date = TODAY) -> str | None:
    """Parse ``value`` expecting failure and return the ValidationError code."""
    with pytest.raises(ValidationError) as exc_info:
        parse_identity_number(value, today=today)
    return exc_info.value.code


# --- Luhn ---------------------------------------------------------------------


def test_luhn_check_digit_matches_textbook_example() -> None:
    assert luhn_check_digit("811218987") == 6


def test_luhn_check_digit_is_zero_when_sum_is_multiple_of_ten() -> None:
    # 0*2 ... all zeros sums to 0, so the check digit must be 0, not 10.
    assert luhn_check_digit("000000000") == 0


@pytest.mark.parametrize(
    "bad", ["81121898", "8112189876", "81121898x", "811218987".translate(FULLWIDTH)]
)
def test_luhn_check_digit_rejects_anything_but_nine_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        luhn_check_digit(bad)


# --- Accepted forms and normalisation -----------------------------------------


@pytest.mark.parametrize(
    "value",
    ["811218-9876", "8112189876", "19811218-9876", "198112189876"],
)
def test_all_accepted_forms_parse_to_the_same_identity(value: str) -> None:
    parsed = parse_identity_number(value, today=TODAY)
    assert parsed == IdentityNumber(
        number="198112189876", birth_date=date(1981, 12, 18), is_coordination=False
    )


@pytest.mark.parametrize("value", ["  811218-9876", "811218-9876\n", "\t198112189876  "])
def test_surrounding_whitespace_is_ignored(value: str) -> None:
    assert normalise_identity_number(value, today=TODAY) == "198112189876"


def test_normalised_form_is_twelve_digits_without_separator() -> None:
    number = normalise_identity_number(build("050607", sep="-"), today=TODAY)
    assert len(number) == 12
    assert number.isdigit()
    assert number.startswith("20050607")


def test_formatted_is_twelve_digits_with_hyphen() -> None:
    assert parse_identity_number("8112189876", today=TODAY).formatted() == "19811218-9876"


def test_identity_number_is_immutable() -> None:
    parsed = parse_identity_number("811218-9876", today=TODAY)
    with pytest.raises(FrozenInstanceError):
        parsed.number = "000000000000"  # type: ignore[misc]


# --- Rejected input -----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "abcdefghij",
        "81121B-9876",
        "811218-987",  # 9 digits
        "81121898765",  # 11 digits
        "1981121898765",  # 13 digits
        "811218--9876",
        "811218 9876",  # inner whitespace
        "811218/9876",
        "811218-9876x",
        "1981-12-18-9876",
        "811218-9876".translate(FULLWIDTH),
    ],
)
def test_garbage_is_rejected_as_bad_format(value: str) -> None:
    assert error_code(value) == "format"


# --- Individual number 000 ----------------------------------------------------------


@pytest.mark.parametrize("form", ["", "-", "+"])
def test_individual_number_000_is_never_issued(form: str) -> None:
    assert error_code(build("811218", serial="000", sep=form)) == "serial"
    assert error_code(build("19811218", serial="000", sep="-" if form else "")) == "serial"


def test_individual_number_000_has_a_clear_message() -> None:
    with pytest.raises(ValidationError) as exc_info:
        parse_identity_number(build("811218", serial="000", sep="-"), today=TODAY)
    assert "000" in str(exc_info.value.message)


def test_individual_numbers_next_to_000_are_accepted() -> None:
    assert parse_identity_number(build("811218", serial="001", sep="-"), today=TODAY)
    assert parse_identity_number(build("811218", serial="100", sep="-"), today=TODAY)


# --- Twelve digits with "+" ------------------------------------------------------------


def test_twelve_digits_with_plus_is_the_same_person_as_ten_digits_with_plus() -> None:
    assert normalise_identity_number("19121123+1236", today=TODAY) == "191211231236"
    assert normalise_identity_number("121123+1236", today=TODAY) == "191211231236"
    assert parse_identity_number("19121123+1236", today=TODAY) == parse_identity_number(
        "121123+1236", today=TODAY
    )


def test_twelve_digits_with_plus_for_someone_under_a_hundred_is_refused() -> None:
    # 1981: 44 years old, so "+" contradicts the century written out.
    assert error_code("19811218+9876") == "plus"
    # 2012 (the "-" reading of 121212) with "+" is a child.
    assert error_code(build("20121212", sep="+")) == "plus"


def test_twelve_digits_with_plus_has_a_clear_message() -> None:
    with pytest.raises(ValidationError) as exc_info:
        parse_identity_number("19811218+9876", today=TODAY)
    assert "100" in str(exc_info.value.message)


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        ("19261125", None),  # 100 today
        ("19261126", "plus"),  # 100 tomorrow
        ("19261124", None),
    ],
)
def test_twelve_digits_with_plus_turns_valid_on_the_hundredth_birthday(
    birth: str, code: str | None
) -> None:
    value = build(birth, sep="+")
    if code is None:
        assert parse_identity_number(value, today=TODAY).number.startswith(birth)
    else:
        assert error_code(value) == code


def test_twelve_digits_with_plus_for_a_leap_day_birth_follows_the_age_rule() -> None:
    value = build("19040229", sep="+")
    assert error_code(value, today=date(2004, 2, 28)) == "plus"
    assert parse_identity_number(value, today=date(2004, 2, 29)).birth_date == date(1904, 2, 29)
    # Without a 29 February in the hundredth year (1700), the birthday is 1 March.
    old = build("16000229", sep="+")
    assert error_code(old, today=date(1700, 2, 28)) == "plus"
    assert parse_identity_number(old, today=date(1700, 3, 1)).birth_date == date(1600, 2, 29)


def test_non_string_is_rejected_as_bad_format() -> None:
    assert error_code(8112189876) == "format"  # type: ignore[arg-type]


@pytest.mark.parametrize("wrong", [d for d in "0123456789" if d != "6"])
def test_wrong_checksum_is_rejected(wrong: str) -> None:
    assert error_code(f"811218-987{wrong}") == "checksum"


def test_wrong_checksum_is_rejected_in_twelve_digit_form() -> None:
    assert error_code("198112189875") == "checksum"


def test_swapped_digits_are_caught_by_checksum() -> None:
    assert error_code("811218-9786") == "checksum"


# --- Dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        build("19810229"),  # not a leap year
        build("810229", sep="-"),  # resolves to 1981
        build("19000229"),  # century years are leap only if divisible by 400
        build("19811318"),  # month 13
        build("19810018"),  # month 0
        build("19811200"),  # day 0
        build("19810431"),  # April has 30 days
        build("19811232"),  # day 32 is neither a date nor a co-ordination day
        build("19811260"),  # day 60 would be co-ordination day 0
        build("00001218"),  # year 0 does not exist
    ],
)
def test_impossible_date_is_rejected(value: str) -> None:
    assert error_code(value) == "date"


def test_leap_day_in_leap_year_is_accepted() -> None:
    assert parse_identity_number(build("20000229"), today=TODAY).birth_date == date(2000, 2, 29)


def test_leap_day_validity_depends_on_resolved_century() -> None:
    # 000229 is 2000-02-29 with "-" but 1900-02-29 (no such day) with "+".
    assert parse_identity_number(build("000229", sep="-"), today=TODAY).birth_date == date(
        2000, 2, 29
    )
    assert error_code(build("000229", sep="+")) == "date"


def test_mistyped_century_giving_implausible_age_is_rejected() -> None:
    # The check digit does not cover the century, so 0981 for 1981 must be caught.
    assert error_code(build("09811218")) == "date"


@pytest.mark.parametrize("birth", ["20261126", "20271218", "21001010"])
def test_future_birth_date_is_rejected(birth: str) -> None:
    assert error_code(build(birth, sep="-")) == "future"


def test_born_today_is_accepted() -> None:
    parsed = parse_identity_number(build("20261125"), today=TODAY)
    assert parsed.birth_date == TODAY


# --- Century resolution for 10-digit numbers ------------------------------------


def test_plus_separator_means_a_hundred_years_or_older() -> None:
    parsed = parse_identity_number(build("121212", sep="+"), today=TODAY)
    assert parsed.birth_date == date(1912, 12, 12)
    assert parsed.number.startswith("19121212")


def test_same_digits_with_hyphen_mean_under_a_hundred() -> None:
    parsed = parse_identity_number(build("121212", sep="-"), today=TODAY)
    assert parsed.birth_date == date(2012, 12, 12)
    assert parsed.number.startswith("20121212")


def test_no_separator_resolves_like_hyphen() -> None:
    assert parse_identity_number(build("121212"), today=TODAY).birth_date == date(2012, 12, 12)


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("261124", date(2026, 11, 24)),  # yesterday
        ("261125", date(2026, 11, 25)),  # today
        ("261126", date(1926, 11, 26)),  # tomorrow would be in the future
        ("991231", date(1999, 12, 31)),
        ("000101", date(2000, 1, 1)),
    ],
)
def test_ten_digit_century_is_most_recent_not_in_future(birth: str, expected: date) -> None:
    assert parse_identity_number(build(birth, sep="-"), today=TODAY).birth_date == expected


def test_plus_separator_steps_back_a_century_from_the_hyphen_reading() -> None:
    # 261124 with "-" is yesterday (2026); with "+" it is a century earlier.
    assert parse_identity_number(build("261124", sep="+"), today=TODAY).birth_date == date(
        1926, 11, 24
    )


def test_plus_separator_giving_implausible_age_is_rejected() -> None:
    # 261126 with "-" is already 1926, so "+" would mean 1826: nobody is that old.
    assert error_code(build("261126", sep="+")) == "date"


def test_ten_digit_number_is_never_in_the_future() -> None:
    assert parse_identity_number(build("271218", sep="-"), today=TODAY).birth_date == date(
        1927, 12, 18
    )


def test_century_follows_the_today_argument() -> None:
    value = build("121212", sep="-")
    assert parse_identity_number(value, today=date(2012, 12, 11)).birth_date == date(1912, 12, 12)
    assert parse_identity_number(value, today=date(2012, 12, 12)).birth_date == date(2012, 12, 12)


# --- Co-ordination numbers -----------------------------------------------------


def test_coordination_number_is_accepted_with_real_birth_date() -> None:
    value = build("811278", sep="-")  # 18 + 60
    parsed = parse_identity_number(value, today=TODAY)
    assert parsed.is_coordination is True
    assert parsed.birth_date == date(1981, 12, 18)


def test_coordination_number_keeps_day_plus_sixty_when_normalised_and_formatted() -> None:
    parsed = parse_identity_number(build("811278", sep="-"), today=TODAY)
    assert parsed.number[:8] == "19811278"
    assert parsed.formatted().startswith("19811278-")


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("19811261", date(1981, 12, 1)),
        ("19811291", date(1981, 12, 31)),
        ("20000289", date(2000, 2, 29)),
    ],
)
def test_coordination_days_61_to_91_map_to_real_dates(birth: str, expected: date) -> None:
    parsed = parse_identity_number(build(birth), today=TODAY)
    assert parsed.is_coordination is True
    assert parsed.birth_date == expected


@pytest.mark.parametrize(
    "birth",
    [
        "19811292",  # day 32 + 60
        "19811299",
        "19810290",  # 30 February + 60
        "19810289",  # 29 February + 60 in a non-leap year
        "19810491",  # 31 April + 60
    ],
)
def test_impossible_coordination_date_is_rejected(birth: str) -> None:
    assert error_code(build(birth)) == "date"


def test_future_coordination_number_is_rejected() -> None:
    assert error_code(build("20261286")) == "future"  # 2026-12-26


def test_personnummer_is_not_flagged_as_coordination() -> None:
    assert parse_identity_number("811218-9876", today=TODAY).is_coordination is False


# --- Age ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(1981, 12, 18), 0),
        (date(1982, 12, 17), 0),
        (date(1982, 12, 18), 1),
        (date(2026, 11, 25), 44),
        (date(2026, 12, 18), 45),
    ],
)
def test_age_on_counts_completed_years(day: date, age: int) -> None:
    assert parse_identity_number("811218-9876", today=TODAY).age_on(day) == age


def test_age_on_for_leap_day_birth_increments_on_first_of_march() -> None:
    parsed = parse_identity_number(build("20000229"), today=TODAY)
    assert parsed.age_on(date(2001, 2, 28)) == 0
    assert parsed.age_on(date(2001, 3, 1)) == 1
    assert parsed.age_on(date(2004, 2, 29)) == 4


def test_age_on_uses_real_date_for_coordination_number() -> None:
    parsed = parse_identity_number(build("811278"), today=TODAY)
    assert parsed.age_on(date(1982, 12, 18)) == 1


def test_age_on_before_birth_is_a_programming_error() -> None:
    parsed = parse_identity_number("811218-9876", today=TODAY)
    with pytest.raises(ValueError):
        parsed.age_on(date(1981, 12, 17))


# --- Django validator ----------------------------------------------------------


def test_validator_accepts_valid_number() -> None:
    validate_identity_number("811218-9876")  # raises nothing


def test_validator_rejects_invalid_number_with_code() -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_identity_number("811218-9875")
    assert exc_info.value.code == "checksum"


def test_default_today_is_used_when_not_given() -> None:
    # A birth date far in the future relative to any real "today".
    with pytest.raises(ValidationError) as exc_info:
        parse_identity_number(build("29991231"))
    assert exc_info.value.code == "future"
