"""The caseload list: who sees which cases, the filters, sorting, paging and its query count."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from access import policy
from audit.models import AccessAction, AccessLogEntry
from cases.identity import luhn_check_digit
from cases.models import (
    Case,
    CaseNeed,
    CaseState,
    CaseUserObjectPermission,
    Client,
    Need,
    ThreatAssessment,
    ThreatLevel,
)
from cases.selectors import CASELOAD_SORTS
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

URL = reverse("cases:caseload")


def searched_url(client, params: dict) -> str:
    """The list URL a posted search leads to (the search itself never is in a URL)."""
    response = client.post(URL, params)
    assert response.status_code == 302
    return response["Location"]


def caseload_text(client, user, params: dict | None = None) -> str:
    client.force_login(user)
    if params and "q" in params:
        response = client.get(searched_url(client, params))
    else:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return response.content.decode()


def listed(text: str, case: Case) -> bool:
    return f">{case.reference}</a>" in text


def row_of(text: str, case: Case) -> str:
    start = text.index(f">{case.reference}</a>")
    return text[start : text.index("</tr>", start)]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def stockholm_case(cast, **kwargs) -> Case:
    kwargs.setdefault("client", ClientFactory())
    return CaseFactory(municipality=cast.stockholm, created_by=cast.manager, **kwargs)


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "teammate", "manager"])
def test_caseworkers_and_manager_see_the_case(client, cast, who):
    text = caseload_text(client, getattr(cast, who))
    assert listed(text, cast.case)
    assert reverse("cases:detail", args=[cast.case.pk]) in text
    row = row_of(text, cast.case)
    assert cast.case.client.full_name in row
    assert cast.stockholm.name in row
    assert cast.caseworker.get_full_name() in row


def test_without_team_visibility_only_the_assigned_caseworker_sees_the_case(client, cast):
    cast.stockholm.team_visibility = False
    cast.stockholm.save(update_fields=["team_visibility"])
    assert not listed(caseload_text(client, cast.teammate), cast.case)
    assert listed(caseload_text(client, cast.caseworker), cast.case)
    assert listed(caseload_text(client, cast.manager), cast.case)


def test_outsider_sees_none_of_stockholms_cases(client, cast):
    malmo_case = CaseFactory(municipality=cast.malmo, created_by=cast.outsider)
    text = caseload_text(client, cast.outsider)
    assert not listed(text, cast.case)
    assert cast.case.client.last_name not in text
    assert listed(text, malmo_case)


@pytest.mark.parametrize("who", ["police", "police_unshared", "analyst", "administrator"])
def test_users_without_a_caseload_get_404(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(URL)
    assert response.status_code == 404
    assert cast.case.reference not in response.content.decode()


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_browsing_is_logged_once_without_a_case(client, cast):
    for _ in range(3):
        stockholm_case(cast)
    caseload_text(client, cast.manager)
    entries = AccessLogEntry.objects.filter(user=cast.manager)
    assert [(e.action, e.case_id, e.detail) for e in entries] == [
        (AccessAction.VIEW, None, "caseload")
    ]


def test_only_get_and_post_are_allowed(client, cast):
    client.force_login(cast.manager)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


# --- Protected identity -----------------------------------------------------------------------


@pytest.fixture
def protected(cast) -> Client:
    person = cast.case.client
    person.first_name, person.last_name = "Hemlig", "Gömdsson"
    person.protected_identity = True
    person.save()
    return person


def test_teammate_sees_protected_identity_masked(client, cast, protected):
    text = caseload_text(client, cast.teammate)
    assert "Skyddad identitet" in row_of(text, cast.case)
    assert "Gömdsson" not in text
    assert "Hemlig" not in text


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_assigned_caseworker_and_manager_see_the_protected_name(client, cast, protected, who):
    row = row_of(caseload_text(client, getattr(cast, who)), cast.case)
    assert protected.full_name in row
    assert "Skyddad identitet" not in row


def test_teammate_cannot_find_a_protected_client_by_name(client, cast, protected):
    assert not listed(caseload_text(client, cast.teammate, {"q": "Gömdsson"}), cast.case)
    assert listed(caseload_text(client, cast.caseworker, {"q": "Gömdsson"}), cast.case)


# --- Filters ----------------------------------------------------------------------------------


def test_filter_by_state(client, cast):
    inquiry = stockholm_case(cast, state=CaseState.INQUIRY)
    completed = stockholm_case(cast, state=CaseState.COMPLETED)
    text = caseload_text(client, cast.manager, {"state": ["inquiry", "completed"]})
    assert listed(text, inquiry)
    assert listed(text, completed)
    assert not listed(text, cast.case)  # active


def test_filter_by_caseworker(client, cast):
    teammates = stockholm_case(cast)
    policy.case_grant_assignment(case=teammates, user=cast.teammate)
    text = caseload_text(client, cast.manager, {"caseworker": cast.caseworker.pk})
    assert listed(text, cast.case)
    assert not listed(text, teammates)


def _threat(cast, case: Case, level: ThreatLevel, days_ago: int) -> None:
    ThreatAssessment.objects.create(
        case=case,
        level=level,
        source="police",
        assessed_on=days(-days_ago),
        recorded_by=cast.manager,
    )


def test_filter_by_threat_level_uses_the_latest_assessment(client, cast):
    # cast.case: high once, low now
    _threat(cast, cast.case, ThreatLevel.HIGH, days_ago=30)
    _threat(cast, cast.case, ThreatLevel.LOW, days_ago=2)
    # recorded later, but assessed earlier: still high
    rising = stockholm_case(cast)
    _threat(cast, rising, ThreatLevel.HIGH, days_ago=1)
    _threat(cast, rising, ThreatLevel.NONE, days_ago=10)
    unknown = stockholm_case(cast)
    text = caseload_text(client, cast.manager, {"threat": ThreatLevel.HIGH.value})
    assert listed(text, rising)
    assert not listed(text, cast.case)
    assert not listed(text, unknown)
    text = caseload_text(client, cast.manager, {"threat": ThreatLevel.LOW.value})
    assert listed(text, cast.case)
    assert not listed(text, rising)
    no_threat = "<td>\N{EN DASH}</td>"
    text = caseload_text(client, cast.manager)
    assert no_threat in row_of(text, unknown)
    assert no_threat not in row_of(text, rising)


def test_filter_by_open_need(client, cast):
    housing = Need.objects.get(code="housing")
    CaseNeed.objects.create(case=cast.case, need=housing, identified_on=days(-20))
    resolved = stockholm_case(cast)
    CaseNeed.objects.create(
        case=resolved, need=housing, identified_on=days(-20), resolved_on=days(-1)
    )
    other_need = stockholm_case(cast)
    CaseNeed.objects.create(
        case=other_need, need=Need.objects.get(code="debt"), identified_on=days(-5)
    )
    text = caseload_text(client, cast.manager, {"need": "housing"})
    assert listed(text, cast.case)
    assert not listed(text, resolved)
    assert not listed(text, other_need)


def test_filter_by_review_due(client, cast, settings):
    settings.EXITPROG_DUE_SOON_DAYS = 14
    soon = stockholm_case(cast, next_review_on=days(3))
    overdue = stockholm_case(cast, next_review_on=days(-3))
    closed = stockholm_case(cast, next_review_on=days(-3), state=CaseState.COMPLETED)
    text = caseload_text(client, cast.manager, {"due": "on"})
    assert listed(text, soon)
    assert listed(text, overdue)
    assert not listed(text, closed)
    assert not listed(text, cast.case)  # review in 30 days
    assert 'class="overdue"' in row_of(text, overdue)
    assert 'class="overdue"' not in row_of(text, soon)


def test_search_by_last_name(client, cast):
    cast.case.client.last_name = "Quarnström"
    cast.case.client.save()
    other = stockholm_case(cast)
    text = caseload_text(client, cast.manager, {"q": "quarnstr"})
    assert listed(text, cast.case)
    assert not listed(text, other)


def test_search_by_identity_number_with_dash(client, cast):
    number = cast.case.client.identity_number
    other = stockholm_case(cast)
    text = caseload_text(client, cast.manager, {"q": f"{number[2:8]}-{number[8:]}"})
    assert listed(text, cast.case)
    assert not listed(text, other)


def test_search_by_reference(client, cast):
    other = stockholm_case(cast)
    text = caseload_text(client, cast.manager, {"q": cast.case.reference})
    assert listed(text, cast.case)
    assert not listed(text, other)


def test_filtered_empty_state_offers_to_clear_the_filters(client, cast):
    text = caseload_text(client, cast.manager, {"q": "nobody-has-this-name"})
    assert not listed(text, cast.case)
    assert f'href="{URL}"' in text


def test_caseworker_without_cases_gets_an_explaining_empty_state(client, cast):
    text = caseload_text(client, cast.outsider)
    assert "<table" not in text
    assert 'class="empty"' in text


# --- Sorting ----------------------------------------------------------------------------------


@pytest.fixture
def sortable(cast) -> dict[str, Case]:
    """Three cases whose order differs for every sort key (cast.case is left out: closed)."""
    cast.case.state = CaseState.DISCONTINUED
    cast.case.save()
    a = stockholm_case(
        cast,
        reference="SORT-A",
        opened_on=days(-10),
        next_review_on=days(5),
        state=CaseState.INQUIRY,
        client=ClientFactory(last_name="Berg"),
    )
    b = stockholm_case(
        cast,
        reference="SORT-B",
        opened_on=days(-30),
        next_review_on=days(1),
        state=CaseState.ACTIVE,
        client=ClientFactory(last_name="Ahl"),
    )
    c = stockholm_case(
        cast,
        reference="SORT-C",
        opened_on=days(-20),
        next_review_on=None,
        state=CaseState.COMPLETED,
        client=ClientFactory(last_name="Cedergren"),
    )
    _threat(cast, a, ThreatLevel.HIGH, days_ago=1)
    _threat(cast, b, ThreatLevel.LOW, days_ago=1)
    return {"A": a, "B": b, "C": c}


EXPECTED_ORDER = {
    "reference": "ABC",
    "-reference": "CBA",
    "opened_on": "BCA",
    "-opened_on": "ACB",
    "next_review_on": "BAC",
    "-next_review_on": "ABC",
    "state": "BCA",  # active, completed, inquiry
    "threat": "ABC",  # high, low, unknown
    "-threat": "CBA",
    "name": "BAC",
}


def order_in(text: str, cases: dict[str, Case]) -> str:
    positions = {key: text.index(f">{case.reference}</a>") for key, case in cases.items()}
    return "".join(sorted(positions, key=positions.__getitem__))


def test_every_sort_key_is_tested():
    assert set(EXPECTED_ORDER) == set(CASELOAD_SORTS)


@pytest.mark.parametrize("sort", sorted(EXPECTED_ORDER))
def test_sorting(client, cast, sortable, sort):
    text = caseload_text(
        client, cast.manager, {"sort": sort, "state": ["inquiry", "active", "completed"]}
    )
    assert order_in(text, sortable) == EXPECTED_ORDER[sort]
    assert 'aria-sort="' in text or sort in {"opened_on", "-opened_on"}


def test_unknown_sort_falls_back_to_next_review(client, cast, sortable):
    text = caseload_text(client, cast.manager, {"sort": "evil; drop table"})
    assert order_in(text, sortable) == EXPECTED_ORDER["next_review_on"]


def test_column_header_sorts_and_keeps_the_filters(client, cast, sortable):
    client.force_login(cast.manager)
    url = searched_url(client, {"sort": "reference", "q": "SORT"})
    token = url.rpartition("search=")[2]
    text = client.get(url).content.decode()
    assert 'aria-sort="ascending"' in text
    assert f"?sort=-reference&amp;search={token}" in text


# --- Bad input and paging ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "999999"},
        {"caseworker": "abc"},
        {"caseworker": "999999"},
        {"threat": "99"},
        {"threat": "high"},
        {"state": "open"},
        {"need": "no-such-need"},
        {"q": "x" * 500},
        {"sort": "evil"},
    ],
)
def test_bad_input_is_not_an_error(client, cast, params):
    assert listed(caseload_text(client, cast.manager, params), cast.case)


def test_caseworker_of_another_municipality_is_not_a_choice(client, cast):
    text = caseload_text(client, cast.manager, {"caseworker": cast.outsider.pk})
    assert 'class="error-summary"' in text
    assert listed(text, cast.case)  # the filter is ignored


def _bulk_number(i: int) -> str:
    """A made-up number of its own for bulk client `i`: one client per number and
    municipality, so serials 900-979 keep apart from the factories' 980-999."""
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=i % 10_000)
    nine = f"{birth:%y%m%d}{900 + i // 10_000:03d}"
    return f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}"


def _bulk_cases(cast, n: int, *, start: int, assign_every: int = 3) -> None:
    """n Stockholm cases with clients, some assigned and with a threat, in a few INSERTs."""
    clients = Client.objects.bulk_create(
        Client(
            municipality=cast.stockholm,
            first_name=f"Förnamn{i}",
            last_name=f"Efternamn{i}",
            identity_number=_bulk_number(i),
        )
        for i in range(start, start + n)
    )
    cases = Case.objects.bulk_create(
        Case(
            reference=f"B-{i:07d}",
            client=person,
            municipality=cast.stockholm,
            state=CaseState.ACTIVE,
            next_review_on=days(i % 60 - 10),
            created_by=cast.manager,
        )
        for i, person in enumerate(clients, start=start)
    )
    work = Permission.objects.get(codename="work_case")
    CaseUserObjectPermission.objects.bulk_create(
        CaseUserObjectPermission(
            content_object=case,
            user=cast.caseworker if i % 2 else cast.teammate,
            permission=work,
        )
        for i, case in enumerate(cases, start=start)
        if i % assign_every == 0
    )
    ThreatAssessment.objects.bulk_create(
        ThreatAssessment(
            case=case,
            level=i % 5,
            source="own",
            assessed_on=days(-(i % 100)),
            recorded_by=cast.manager,
        )
        for i, case in enumerate(cases, start=start)
        if i % 2 == 0
    )


def test_pages_of_fifty_keep_the_filters(client, cast):
    _bulk_cases(cast, 120, start=0)
    client.force_login(cast.manager)
    url = searched_url(client, {"q": "Efternamn"})
    token = url.rpartition("search=")[2]
    text = client.get(f"{url}&page=2").content.decode()
    assert text.count('<th scope="row">') == 50
    assert f"?search={token}&amp;page=3" in text
    assert f"?search={token}&amp;page=1" in text
    last = client.get(f"{url}&page=3").content.decode()
    assert last.count('<th scope="row">') == 20
    assert "120" in last


# session, user, grants (3), count, page, assignments, access log, the caseworker and need
# choices, session save (3); a caseworker or need filter adds one lookup each.
@pytest.mark.parametrize(
    ("who", "params", "queries"),
    [
        ("manager", {}, 14),
        ("caseworker", {}, 14),
        ("manager", {"state": "active", "threat": "2", "q": "namn", "sort": "threat"}, 14),
        ("caseworker", {"caseworker": "{me}", "need": "housing", "due": "on", "page": "2"}, 16),
    ],
)
def test_query_count_does_not_grow_with_the_caseload(
    client, cast, who, params, queries, django_assert_num_queries
):
    client.force_login(getattr(cast, who))
    params = {key: value.format(me=cast.caseworker.pk) for key, value in params.items()}
    url = URL
    if "q" in params:  # a search is posted first and then shown at ?search=<token>&...
        url, params = searched_url(client, params), {}
    housing = Need.objects.get(code="housing")

    def add_cases(n: int, start: int) -> None:
        _bulk_cases(cast, n, start=start)
        CaseNeed.objects.bulk_create(
            CaseNeed(case=case, need=housing, identified_on=days(-3))
            for case in Case.objects.filter(needs__isnull=True)
        )

    add_cases(10, start=0)
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') > 0
    add_cases(2_000, start=10)  # enough that the filtered page 2 (about 7 % match) is full
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == 50
