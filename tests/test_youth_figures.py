"""The young clients' figures (issue 12): intakes by age band at intake and per year, waiting
and outcomes of young clients' cases compared with adults', on the manager's home and in the
caseload report, from one selector (cases.youth_figures) and one definition of age
(cases.age, whose database expressions must agree with its Python functions at the edges)."""

import datetime
import re

import pytest
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone

from accounts import services as role_services
from accounts.models import Role
from cases.age import AgeBand, age_band_sql, age_of, youngest_age_sql
from cases.models import Case, CaseState, CaseStateChange, Client
from cases.youth_figures import ADULT, YOUNG, youth_figures_visible_to
from reports.models import ReportKind
from reports.periods import Period
from tests.conftest import make_user
from tests.factories import CaseFactory, ClientFactory, MunicipalityFactory
from tests.test_report_documents import make_report, render_text, reports_dir, sv

__all__ = ["reports_dir"]  # a fixture, used by name

D = datetime.date
DASH = "\N{EN DASH}"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def banded_client(band: str, given_on: datetime.date, **extra) -> Client:
    """A reserve identity with only an age band, given on `given_on`."""
    return ClientFactory(
        identity_number="",
        pseudonym="",
        reserve_identity="RESERV-1",
        birth_date=None,
        age_band=band,
        age_band_on=given_on,
        **extra,
    )


# --- The database expressions agree with age_of ---------------------------------------------

BORN = [
    D(2008, 6, 15),  # 18 on 2026-06-15
    D(2008, 2, 29),  # a leap-day birthday: 1 March in other years
    D(2011, 12, 31),  # 15 on the last day of a year
    D(2000, 1, 1),
    D(2027, 1, 1),  # born after some of the days: not born yet
]
DAYS = [
    D(2026, 6, 14),
    D(2026, 6, 15),
    D(2026, 6, 16),
    D(2026, 2, 28),
    D(2026, 3, 1),
    D(2028, 2, 28),
    D(2028, 2, 29),
    D(2028, 3, 1),
    D(2026, 12, 30),
    D(2026, 12, 31),
    D(2027, 1, 1),
    D(2021, 1, 1),
]
BANDS = [
    (AgeBand.FROM_15_TO_17, D(2025, 3, 10)),
    (AgeBand.FROM_15_TO_17, D(2024, 2, 29)),
    (AgeBand.UNDER_15, D(2026, 6, 15)),
    (AgeBand.FROM_21_TO_25, D(2021, 12, 31)),
    (AgeBand.OVER_25, D(2020, 1, 1)),
]
BAND_DAYS = [
    *DAYS,
    D(2025, 3, 9),  # the day before the band was given
    D(2025, 3, 10),
    D(2026, 3, 9),
    D(2026, 3, 10),  # a year after: aged by one
    D(2026, 3, 11),
    D(2028, 3, 10),  # three years after: 18-20
    D(2025, 2, 28),
    D(2025, 3, 1),
    D(2029, 6, 15),
]


@pytest.mark.django_db
def test_the_sql_age_and_band_agree_with_age_of_at_the_edges():
    clients: list[Client] = [ClientFactory(birth_date=born) for born in BORN]
    clients += [banded_client(band, given_on) for band, given_on in BANDS]
    clients.append(
        ClientFactory(identity_number="", pseudonym="", reserve_identity="R", birth_date=None)
    )
    checked = 0
    for day in sorted(set(BAND_DAYS)):
        rows = Client.objects.filter(pk__in=[c.pk for c in clients]).annotate(
            youngest=youngest_age_sql(day), band=age_band_sql(day)
        )
        in_sql = {row.pk: (row.youngest, row.band) for row in rows}
        for client in clients:
            age = age_of(client, day)
            expected = (None, None) if age is None else (age.youngest, age.band.value)
            assert in_sql[client.pk] == expected, (client.birth_date, client.age_band, day)
            checked += 1
    assert checked == len(clients) * len(set(BAND_DAYS))


@pytest.mark.django_db
def test_the_sql_band_reads_a_field_of_the_case():
    case = CaseFactory(client=ClientFactory(birth_date=D(2008, 6, 15)), opened_on=D(2026, 6, 14))
    band = (
        Case.objects.filter(pk=case.pk)
        .annotate(band=age_band_sql("opened_on", client="client__"))
        .values_list("band", flat=True)
        .get()
    )
    assert band == AgeBand.FROM_15_TO_17
    assert age_band_sql(Value(D(2026, 6, 15))) is not None


# --- The figures ----------------------------------------------------------------------------


@pytest.fixture
def place():
    """A municipality of its own with its manager: its figures start from nothing."""
    municipality = MunicipalityFactory(name="Ungby")
    return municipality, make_user("ungby-chef", Role.MANAGER, municipality=municipality)


def intake(municipality, born: datetime.date | None, opened_on: datetime.date, **extra) -> Case:
    client = ClientFactory(municipality=municipality, birth_date=born)
    return CaseFactory(municipality=municipality, client=client, opened_on=opened_on, **extra)


def bands_of(figures) -> dict[str, int]:
    return {row.band: row.total for row in figures.bands}


@pytest.mark.django_db
def test_intake_counts_17_and_18_on_the_intake_day(place):
    municipality, manager = place
    today = timezone.localdate()
    opened = today - datetime.timedelta(days=30)
    eighteen_years_before = opened.replace(year=opened.year - 18)
    intake(municipality, eighteen_years_before + datetime.timedelta(days=1), opened)  # 17
    intake(municipality, eighteen_years_before, opened)  # 18 that day
    intake(municipality, eighteen_years_before - datetime.timedelta(days=1), opened)  # 18
    intake(municipality, opened.replace(year=opened.year - 14), opened)  # 14
    intake(municipality, opened.replace(year=opened.year - 15), opened)  # 15
    intake(municipality, opened.replace(year=opened.year - 26), opened)  # 26
    intake(municipality, opened.replace(year=opened.year - 25), opened)  # 25
    # The figures count the age at intake, not today's: 17 then, an adult now.
    intake(
        municipality, opened.replace(year=opened.year - 18) + datetime.timedelta(days=10), opened
    )
    CaseFactory(
        municipality=municipality,
        client=banded_client(AgeBand.FROM_15_TO_17, opened, municipality=municipality),
        opened_on=opened,
    )
    CaseFactory(
        municipality=municipality,
        client=ClientFactory(
            municipality=municipality,
            identity_number="",
            pseudonym="",
            reserve_identity="R",
            birth_date=None,
        ),
        opened_on=opened,
    )

    figures = youth_figures_visible_to(user=manager, today=today)[municipality.pk]

    assert bands_of(figures) == {
        AgeBand.UNDER_15: 1,
        AgeBand.FROM_15_TO_17: 4,
        AgeBand.FROM_18_TO_20: 2,
        AgeBand.FROM_21_TO_25: 1,
        AgeBand.OVER_25: 1,
        "": 1,
    }
    assert figures.total == 10
    assert figures.young_total == 5
    assert figures.years[-1] == today.year
    this_year = figures.years.index(opened.year)
    assert figures.per_year_total[this_year] == 10


@pytest.mark.django_db
def test_intakes_per_year_by_band(place):
    municipality, manager = place
    today = timezone.localdate()
    for years_ago in (0, 1, 1, 4, 6):
        opened = D(today.year - years_ago, 1, 1)
        intake(municipality, opened.replace(year=opened.year - 16), opened)
    intake(
        municipality, D(today.year - 1, 3, 1).replace(year=today.year - 31), D(today.year - 1, 3, 1)
    )
    # After the figures' day: not counted.
    intake(municipality, D(2010, 1, 1), today + datetime.timedelta(days=1))

    figures = youth_figures_visible_to(user=manager, today=today)[municipality.pk]

    assert figures.years == tuple(range(today.year - 4, today.year + 1))
    young = next(row for row in figures.bands if row.band == AgeBand.FROM_15_TO_17)
    assert young.per_year == (1, 0, 0, 2, 1)
    assert young.total == 5  # six years ago counts in all years, not in a year's column
    adult = next(row for row in figures.bands if row.band == AgeBand.OVER_25)
    assert adult.per_year == (0, 0, 0, 1, 0)
    assert figures.per_year_total == (1, 0, 0, 3, 1)


def decide(case: Case, by, *, inquiry: datetime.date, decided: datetime.date, to: str) -> None:
    CaseStateChange.objects.create(
        case=case, from_state="", to_state=CaseState.INQUIRY, by=by, reason="r", at=at(inquiry)
    )
    CaseStateChange.objects.create(
        case=case,
        from_state=CaseState.ASSESSMENT,
        to_state=to,
        by=by,
        reason="r",
        at=at(decided, 23),  # late in the evening: still that day, in Stockholm
    )


@pytest.mark.django_db
def test_waiting_and_outcomes_of_young_clients_and_adults(place):
    municipality, manager = place
    today = timezone.localdate()
    start = today - datetime.timedelta(days=200)
    young, adult = start.replace(year=start.year - 16), start.replace(year=start.year - 30)
    day = datetime.timedelta

    accepted = intake(municipality, young, start, state=CaseState.ACTIVE)
    decide(accepted, manager, inquiry=start, decided=start + day(10), to=CaseState.ACCEPTED)
    rejected = intake(
        municipality, young, start, state=CaseState.REJECTED, closed_on=start + day(20)
    )
    decide(rejected, manager, inquiry=start, decided=start + day(20), to=CaseState.REJECTED)
    # Waiting still: no decision, no waiting days counted.
    waiting = intake(municipality, young, start, state=CaseState.ASSESSMENT)
    CaseStateChange.objects.create(
        case=waiting,
        from_state="",
        to_state=CaseState.INQUIRY,
        by=manager,
        reason="r",
        at=at(start),
    )
    completed = intake(municipality, adult, start, state=CaseState.COMPLETED, closed_on=today)
    decide(completed, manager, inquiry=start, decided=start + day(4), to=CaseState.ACCEPTED)
    discontinued = intake(municipality, adult, start, state=CaseState.DISCONTINUED, closed_on=today)
    decide(discontinued, manager, inquiry=start, decided=start + day(7), to=CaseState.ACCEPTED)
    # Without its inquiry row (as before the history was kept): from the day it was opened.
    older = intake(municipality, adult, start - day(3), state=CaseState.COMPLETED, closed_on=today)
    CaseStateChange.objects.create(
        case=older,
        from_state=CaseState.INQUIRY,
        to_state=CaseState.REJECTED,
        by=manager,
        reason="r",
        at=at(start - day(3) + day(5)),
    )

    figures = youth_figures_visible_to(user=manager, today=today)[municipality.pk]
    groups = {row.group: row for row in figures.groups}

    assert [row.group for row in figures.groups] == [YOUNG, ADULT]
    y, a = groups[YOUNG], groups[ADULT]
    assert (y.intakes, y.decided, y.median_days, y.mean_days) == (3, 2, 15.0, 15.0)
    assert (y.closed, y.completed, y.discontinued, y.rejected) == (1, 0, 0, 1)
    assert y.rejected_share == "100" and y.completed_share == "0"
    assert (a.intakes, a.decided, a.median_days) == (3, 3, 5.0)
    assert a.mean_days == pytest.approx(16 / 3)
    assert (a.closed, a.completed, a.discontinued, a.rejected) == (3, 2, 1, 0)
    assert (a.completed_share, a.discontinued_share, a.rejected_share) == ("67", "33", "0")
    assert a.median == "5,0" or a.median == "5.0"


@pytest.mark.django_db
def test_figures_without_cases_are_zero_and_empty(place):
    municipality, manager = place
    figures = youth_figures_visible_to(user=manager, today=timezone.localdate())[municipality.pk]
    assert figures.total == 0
    assert all(
        row.intakes == 0 and row.median == "" and row.completed_share == ""
        for row in figures.groups
    )


@pytest.mark.django_db
def test_another_municipalitys_cases_are_not_counted(cast):
    today = timezone.localdate()
    before = youth_figures_visible_to(user=cast.manager, today=today)
    opened = today - datetime.timedelta(days=5)
    intake(cast.malmo, opened.replace(year=opened.year - 16), opened)

    after = youth_figures_visible_to(user=cast.manager, today=today)

    assert set(after) == {cast.stockholm.pk}
    assert bands_of(after[cast.stockholm.pk]) == bands_of(before[cast.stockholm.pk])
    # Nobody else sees figures: a caseworker and the police hold no managed municipality.
    assert youth_figures_visible_to(user=cast.caseworker, today=today) == {}
    assert youth_figures_visible_to(user=cast.outsider, today=today) == {}


@pytest.mark.django_db
def test_figures_run_two_queries_whatever_the_cases(place, django_assert_num_queries):
    municipality, manager = place
    other = MunicipalityFactory(name="Andraby")
    role_services.role_grant(user=manager, role=Role.MANAGER, municipality=other)
    manager = type(manager).objects.get(pk=manager.pk)  # the grants read afresh
    today = timezone.localdate()
    youth_figures_visible_to(user=manager, today=today)  # the grants, read once per request
    with django_assert_num_queries(2):
        youth_figures_visible_to(user=manager, today=today)
    for muni in (municipality, other):
        for years in (12, 16, 19, 23, 40):
            case = intake(
                muni, today.replace(year=today.year - years - 1), today, state=CaseState.REJECTED
            )
            decide(case, manager, inquiry=today, decided=today, to=CaseState.REJECTED)
    with django_assert_num_queries(2):
        figures = youth_figures_visible_to(user=manager, today=today)
    assert figures[other.pk].total == 5 and figures[municipality.pk].young_total == 2


# --- On the manager's home ------------------------------------------------------------------


def cells(html: str, label: str) -> list[str]:
    """The cells of the table row headed by `label` (its first on the page)."""
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, re.S)
    assert match, label
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)
    ]


@pytest.mark.django_db
def test_manager_home_shows_the_figures_in_swedish(client, place):
    municipality, manager = place
    today = timezone.localdate()
    opened = today - datetime.timedelta(days=3)
    for _ in range(2):
        case = intake(
            municipality, opened.replace(year=opened.year - 17), opened, state=CaseState.REJECTED
        )
        decide(
            case,
            manager,
            inquiry=opened,
            decided=opened + datetime.timedelta(days=2),
            to=CaseState.REJECTED,
        )
    intake(municipality, opened.replace(year=opened.year - 22), opened)
    client.force_login(manager)

    response = client.get(reverse("home"))
    html = response.content.decode()

    assert response.status_code == 200
    assert 'lang="sv"' in html
    bands = (
        f'<caption id="youth-{municipality.code}-bands">{sv("Intakes by age at intake")}</caption>'
    )
    waits = sv("Waiting and outcomes, young clients and adults")
    assert bands in html
    assert f'<caption id="youth-{municipality.code}-waits">{waits}</caption>' in html
    assert f'<th scope="col">{sv("Age band")}</th>' in html
    column = 4 - (today.year - opened.year)  # the last of five years, unless new year came
    assert cells(html, sv(f"15{DASH}17")) == [*("2" if i == column else "0" for i in range(5)), "2"]
    assert cells(html, sv(f"21{DASH}25")) == [*("1" if i == column else "0" for i in range(5)), "1"]
    assert cells(html, sv("not known")) == ["0"] * 6
    young = cells(html, sv("Young (under 18)"))
    assert young == ["2", "2", "2,0", "2,0", "2", "0 (0 %)", "0 (0 %)", "2 (100 %)"]
    assert cells(html, sv("Adults (18 or older)"))[:4] == ["1", "0", DASH, DASH]


@pytest.mark.django_db
def test_caseworker_home_has_no_figures(client, cast):
    client.force_login(cast.caseworker)
    html = client.get(reverse("home")).content.decode()
    assert sv("Intakes by age at intake") not in html


# --- In the caseload report -----------------------------------------------------------------


@pytest.mark.django_db
def test_caseload_report_has_the_young_clients_section(place, reports_dir):
    municipality, manager = place
    today = timezone.localdate()
    period = Period.previous_month(today)
    opened = period.start + datetime.timedelta(days=2)
    young = intake(
        municipality, opened.replace(year=opened.year - 15), opened, state=CaseState.ACTIVE
    )
    decide(
        young,
        manager,
        inquiry=opened,
        decided=opened + datetime.timedelta(days=6),
        to=CaseState.ACCEPTED,
    )
    intake(municipality, opened.replace(year=opened.year - 40), opened)
    # Opened after the period: not in this report's figures.
    intake(municipality, today.replace(year=today.year - 16), today)

    text = render_text(make_report(ReportKind.CASELOAD, period, municipality=municipality))

    section = text.split(sv("Young clients"))[1].split(sv("Costs"))[0]
    years = " ".join(["0"] * 4)
    assert re.search(rf"{sv(f'15{DASH}17')} {years} 1 1\b", section)
    assert re.search(rf"{sv('26 or older')} {years} 1 1\b", section)
    assert re.search(rf"{sv('All intakes')} {years} 2 2\b", section)
    assert re.search(rf"{re.escape(sv('Young (under 18)'))} 1 1 6,0 6,0", section)
    assert re.search(rf"{re.escape(sv('Adults (18 or older)'))} 1 0 {DASH} {DASH}", section)
    assert sv("Waiting and outcomes, young clients and adults") in section
