"""A client's age and the "young" flag (issue 12): from the birth date (a personal identity or
co-ordination number carries it), or from an age band given on a day for a reserve identity;
flagged on the caseload, the case page, the home pages and the case report; cleared on the
18th birthday by a daily job that notifies the assigned caseworker once. Values looked for
carry the suffix "Age5q"."""

import datetime
import re

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from access import policy
from audit.models import AccessLogEntry
from audit.sentences import describe
from cases import notify
from cases import services as case_services
from cases.age import Age, AgeBand, age_of, band_of, is_young, turns_adult_on, whole_years
from cases.identity import luhn_check_digit
from cases.models import Case, CaseState, Client
from cases.tasks import notify_clients_turned_adult
from notifications.models import Notification, NotificationKind
from reports.models import ReportKind
from reports.services import report_render
from tests.factories import CaseFactory, ReportFactory, synthetic_identity_number
from tests.test_rendering import pdf_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
YOUNG_TAG = "Under 18 år"  # the tag, in Swedish (the default)
YOUNG_RULES = "Under 18 år: reglerna för barn och unga gäller"


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return datetime.date(day.year - years, 2, 28)


def banded(band: AgeBand, on: datetime.date) -> Client:
    """An unsaved client known by a reserve identity and an age band given on `on`."""
    return Client(
        first_name="Band",
        last_name="Age5q",
        reserve_identity="Reserv-Age5q",
        age_band=band,
        age_band_on=on,
    )


# --- The age at the edges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "age", "young"),
    [
        (datetime.date(2026, 5, 9), 17, True),  # the day before the 18th birthday
        (datetime.date(2026, 5, 10), 18, False),  # the birthday
        (datetime.date(2026, 5, 11), 18, False),  # the day after
    ],
)
def test_the_age_before_on_and_after_the_18th_birthday(day, age, young):
    client = Client(birth_date=datetime.date(2008, 5, 10))
    assert age_of(client, day) == Age(youngest=age, oldest=age)
    assert is_young(client, day) is young
    assert turns_adult_on(client) == datetime.date(2026, 5, 10)


def test_a_leap_day_birthday_is_the_first_of_march_in_other_years():
    client = Client(birth_date=datetime.date(2008, 2, 29))
    assert whole_years(datetime.date(2008, 2, 29), datetime.date(2026, 2, 28)) == 17
    assert is_young(client, datetime.date(2026, 2, 28))
    assert not is_young(client, datetime.date(2026, 3, 1))
    assert turns_adult_on(client) == datetime.date(2026, 3, 1)


def test_a_co_ordination_number_gives_the_birth_date(cast):
    # A co-ordination number adds 60 to the day of birth: 2010-03-14 is 100374.
    number = f"20100374239{luhn_check_digit('100374239')}"
    case = case_services.case_open(
        by=cast.caseworker,
        municipality=cast.stockholm,
        first_name="Samordning",
        last_name="Age5q",
        identity_number=number,
        source="self",
        reason="Kontakt.",
    )
    client = case.client
    assert client.birth_date == datetime.date(2010, 3, 14)
    age = age_of(client, TODAY())
    assert age is not None and client.young is (age.youngest < 18)


@pytest.mark.parametrize(
    ("band", "passed_days", "youngest", "oldest", "young"),
    [
        (AgeBand.FROM_15_TO_17, 0, 15, 17, True),
        (AgeBand.FROM_15_TO_17, 1, 15, 18, True),  # a birthday may have come
        (AgeBand.FROM_15_TO_17, 365 * 3 - 1, 17, 20, True),
        (AgeBand.FROM_15_TO_17, 365 * 3 + 2, 18, 21, False),  # three years on: all adults
        (AgeBand.UNDER_15, 0, 0, 14, True),
        (AgeBand.FROM_18_TO_20, 0, 18, 20, False),
        (AgeBand.OVER_25, 400, 27, None, False),
    ],
)
def test_an_age_band_ages_with_the_client(band, passed_days, youngest, oldest, young):
    given = datetime.date(2024, 1, 10)
    client = banded(band, given)
    age = age_of(client, given + datetime.timedelta(days=passed_days))
    assert age is not None
    assert (age.youngest, age.oldest, age.young) == (youngest, oldest, young)


def test_the_bands_of_the_figures():
    assert [band_of(a) for a in (14, 15, 17, 18, 20, 21, 25, 26)] == [
        AgeBand.UNDER_15,
        AgeBand.FROM_15_TO_17,
        AgeBand.FROM_15_TO_17,
        AgeBand.FROM_18_TO_20,
        AgeBand.FROM_18_TO_20,
        AgeBand.FROM_21_TO_25,
        AgeBand.FROM_21_TO_25,
        AgeBand.OVER_25,
    ]


def test_no_age_known_is_not_young():
    assert age_of(Client(reserve_identity="x"), TODAY()) is None
    assert not is_young(Client(reserve_identity="x"), TODAY())


def test_the_database_refuses_a_band_without_its_day_or_beside_a_birth_date(cast):
    from django.db import IntegrityError, transaction

    client = cast.case.client
    for values in (
        {"age_band": AgeBand.UNDER_15, "age_band_on": None, "birth_date": None},
        {"age_band": AgeBand.UNDER_15, "age_band_on": TODAY(), "birth_date": client.birth_date},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Client.objects.filter(pk=client.pk).update(**values)


# --- The intake: a reserve identity with an age band -------------------------------------------


def test_the_intake_takes_an_age_band_for_a_reserve_identity(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:new"),
        {
            "municipality": cast.stockholm.pk,
            "first_name": "Reserv",
            "last_name": "Bandsson-Age5q",
            "reserve_identity": "Reservnr-Age5q",
            "age_band": AgeBand.FROM_15_TO_17,
            "source": "self",
            "reason": "Vill ut.",
        },
    )
    assert response.status_code == 302
    new = Client.objects.get(last_name="Bandsson-Age5q")
    assert (new.birth_date, new.age_band, new.age_band_on, new.young) == (
        None,
        AgeBand.FROM_15_TO_17,
        TODAY(),
        True,
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"identity_number": synthetic_identity_number(7), "age_band": "under_15"}, "age_band"),
        (
            {"reserve_identity": "R-Age5q", "birth_date": "2012-01-01", "age_band": "15_17"},
            "age_band",
        ),
        ({"reserve_identity": "R-Age5q", "birth_date": "2999-01-01"}, "birth_date"),
    ],
)
def test_the_intake_refuses_a_contradictory_age_and_keeps_the_input(client, cast, extra, field):
    client.force_login(cast.caseworker)
    data = {
        "municipality": cast.stockholm.pk,
        "first_name": "Motsägelse",
        "last_name": "Kvarsson-Age5q",
        "source": "self",
        "reason": "Vill ut.",
    } | extra
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Kvarsson-Age5q" in response.content.decode()
    assert not Client.objects.filter(last_name="Kvarsson-Age5q").exists()


# --- The flag where the case is seen ------------------------------------------------------------


@pytest.fixture
def young_case(cast) -> Case:
    client = cast.case.client
    client.birth_date = years_before(TODAY(), 16)
    client.save(update_fields=["birth_date"])
    assert Client.objects.get(pk=client.pk).young
    return cast.case


def _row_of(html: str, reference: str) -> str:
    """The table row (or list item) of the page that names the case `reference`."""
    match = re.search(rf"<(tr|li)>(?:(?!</\1>).)*?{re.escape(reference)}.*?</\1>", html, re.S)
    assert match, reference
    return match.group(0)


def test_the_caseload_and_the_home_page_flag_the_young_client(client, cast, young_case):
    adult = CaseFactory(
        municipality=cast.stockholm, created_by=cast.manager, reference="ADULT-Age5q"
    )
    policy.case_grant_assignment(case=adult, user=cast.caseworker)
    client.force_login(cast.caseworker)
    caseload = client.get(reverse("cases:caseload")).content.decode()
    assert YOUNG_TAG in _row_of(caseload, young_case.reference)
    assert YOUNG_TAG not in _row_of(caseload, adult.reference)
    home = client.get(reverse("home")).content.decode()
    assert YOUNG_TAG in _row_of(home, young_case.reference)
    assert YOUNG_TAG not in _row_of(home, adult.reference)


def test_the_case_page_and_its_report_flag_the_young_client(client, cast, young_case):
    client.force_login(cast.caseworker)
    page = client.get(reverse("cases:detail", args=[young_case.pk])).content.decode()
    assert YOUNG_RULES in page
    report = ReportFactory(
        kind=ReportKind.CASE_FOLLOW_UP, case=young_case, requested_by=cast.manager
    )
    report_render(report_id=report.pk)
    client.force_login(cast.manager)
    response = client.get(reverse("reports:download", args=[report.pk]))
    text = pdf_text(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert YOUNG_RULES in " ".join(text.split())


def test_an_adult_is_not_flagged(client, cast):
    client.force_login(cast.caseworker)
    page = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert YOUNG_RULES not in page
    assert YOUNG_TAG not in _row_of(
        client.get(reverse("home")).content.decode(), cast.case.reference
    )


# --- The 18th birthday ---------------------------------------------------------------------------


@pytest.fixture
def turning_18(cast) -> Client:
    """The cast's client, 18 tomorrow."""
    client = cast.case.client
    client.birth_date = years_before(TODAY() + DAY, 18)
    client.save(update_fields=["birth_date"])
    assert Client.objects.get(pk=client.pk).young
    return client


def test_the_daily_job_clears_the_flag_on_the_18th_birthday_and_notifies_once(cast, turning_18):
    assert notify.clients_notify_turned_adult(today=TODAY()) == 0  # the day before: still young
    assert Client.objects.get(pk=turning_18.pk).young
    assert notify.clients_notify_turned_adult(today=TODAY() + DAY) == 1
    assert not Client.objects.get(pk=turning_18.pk).young
    assert notify.clients_notify_turned_adult(today=TODAY() + 2 * DAY) == 0
    sent = Notification.objects.filter(kind=NotificationKind.CLIENT_TURNED_18)
    assert [(n.recipient, n.case_id) for n in sent] == [(cast.caseworker, cast.case.pk)]
    entry = AccessLogEntry.objects.get(detail="client turned 18", case=cast.case)
    assert entry.user is None
    with translation.override("en"):
        assert "no longer young" in str(describe(entry))


def test_a_closed_case_is_not_notified_but_the_flag_clears(cast, turning_18):
    Case.objects.filter(pk=cast.case.pk).update(state=CaseState.COMPLETED, closed_on=TODAY())
    assert notify.clients_notify_turned_adult(today=TODAY() + DAY) == 0
    assert not Client.objects.get(pk=turning_18.pk).young
    assert not Notification.objects.filter(kind=NotificationKind.CLIENT_TURNED_18).exists()


def test_the_job_is_on_the_beat_schedule_daily():
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "cases.tasks.notify_clients_turned_adult"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_month == set(range(1, 32)) and 0 in schedule.hour
    assert notify_clients_turned_adult.name == "cases.tasks.notify_clients_turned_adult"
