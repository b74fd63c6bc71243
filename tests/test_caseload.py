"""The caseload list: who sees which cases, the filters, sorting, paging and its query count."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from access import policy
from audit.models import AccessAction, AccessLogEntry
from cases import selectors
from cases.identity import luhn_check_digit
from cases.models import (
    Case,
    CaseNeed,
    CaseState,
    CaseUserObjectPermission,
    Client,
    Need,
    SavedCaseloadFilter,
    ThreatAssessment,
    ThreatLevel,
)
from cases.selectors import CASELOAD_SORTS
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

URL = reverse("cases:caseload")
ALL = {"scope": "all"}  # every case the user may read (a caseworker opens on their own)


def searched_url(client, params: dict) -> str:
    """The list URL a posted search leads to (the search itself never is in a URL)."""
    response = client.post(URL, params)
    assert response.status_code == 302
    return response["Location"]


def caseload_text(client, user, params: dict | None = None) -> str:
    client.force_login(user)
    if params and "q" in params:
        response = client.get(searched_url(client, params))
    elif params:
        response = client.get(URL, params)
    else:  # the list as it opens, without the filters kept from an earlier call
        response = client.get(URL, {"clear": "1"}, follow=True)
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
    text = caseload_text(client, getattr(cast, who), ALL)
    assert listed(text, cast.case)
    assert reverse("cases:detail", args=[cast.case.pk]) in text
    row = row_of(text, cast.case)
    assert cast.case.client.full_name in row
    assert cast.stockholm.name in row
    assert cast.caseworker.get_full_name() in row


def test_without_team_visibility_only_the_assigned_caseworker_sees_the_case(client, cast):
    cast.stockholm.team_visibility = False
    cast.stockholm.save(update_fields=["team_visibility"])
    assert not listed(caseload_text(client, cast.teammate, ALL), cast.case)
    assert listed(caseload_text(client, cast.caseworker, ALL), cast.case)
    assert listed(caseload_text(client, cast.manager, ALL), cast.case)


def test_outsider_sees_none_of_stockholms_cases(client, cast):
    malmo_case = CaseFactory(municipality=cast.malmo, created_by=cast.outsider)
    text = caseload_text(client, cast.outsider, ALL)
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
    text = caseload_text(client, cast.teammate, ALL)
    assert "Skyddad identitet" in row_of(text, cast.case)
    assert "Gömdsson" not in text
    assert "Hemlig" not in text


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_assigned_caseworker_and_manager_see_the_protected_name(client, cast, protected, who):
    row = row_of(caseload_text(client, getattr(cast, who)), cast.case)
    assert protected.full_name in row
    assert "Skyddad identitet" not in row


def test_teammate_cannot_find_a_protected_client_by_name(client, cast, protected):
    assert not listed(caseload_text(client, cast.teammate, {"q": "Gömdsson", **ALL}), cast.case)
    assert listed(caseload_text(client, cast.caseworker, {"q": "Gömdsson", **ALL}), cast.case)


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
    no_threat = re.compile(r'<td data-label="[^"]+">\N{EN DASH}</td>')
    text = caseload_text(client, cast.manager)
    assert no_threat.search(row_of(text, unknown))
    assert not no_threat.search(row_of(text, rising))


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
    assert f'href="{URL}?clear=1"' in text


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
    "relevance": "BAC",  # without a search there is nothing to rank: the next review's order
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


def test_a_row_shows_its_state_review_and_caseworkers_in_the_order_assigned(client, cast):
    policy.case_grant_assignment(case=cast.case, user=cast.teammate)
    review = days(9)
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=review)
    nobody = stockholm_case(cast, state=CaseState.INQUIRY, next_review_on=None)
    text = caseload_text(client, cast.manager, ALL)
    row = row_of(text, cast.case)
    names = f"{cast.caseworker.get_full_name()}, {cast.teammate.get_full_name()}"
    assert f'">{names}</td>' in row
    assert f'<time datetime="{review:%Y-%m-%d}">{review:%Y-%m-%d}</time>' in row
    assert '<span class="state state--active">Aktiv</span>' in row
    assert f'<a href="/cases/{cast.case.pk}/">{cast.case.reference}</a>' in text
    empty = row_of(text, nobody)
    with translation.override("sv"):
        assert f'<span class="muted">{gettext("None assigned")}</span>' in empty
    assert '<span class="state state--inquiry">Förhandsbedömning</span>' in empty
    assert "<time" not in empty


def test_the_filter_form_keeps_the_markup_of_djangos_widgets(client, cast):
    """The selects and checkboxes are written without Django's widget templates
    (`cases.forms.caseload`): the same names, ids, labels, chosen values and error links."""
    params = {"caseworker": cast.caseworker.pk, "threat": "x", "state": "active"}
    text = caseload_text(client, cast.manager, params)
    assert '<label for="id_caseworker">' in text
    assert '<select name="caseworker" id="id_caseworker">' in text
    assert f'<option value="{cast.caseworker.pk}" selected>' in text
    assert f'<option value="{cast.teammate.pk}">' in text
    # The caseworker, and "any" need and sort; the threat's invalid "x" none, as Django's own.
    assert text.count(" selected>") == 3
    assert (
        '<select name="threat" aria-invalid="true" aria-describedby="id_threat_error" '
        'id="id_threat">'
    ) in text
    assert '<option value="housing">' in text  # the need's code, its to_field_name
    assert '<input type="checkbox" name="state" value="active" id="id_state_3" checked>' in text
    assert '<input type="checkbox" name="state" value="inquiry" id="id_state_0">' in text
    assert '<label for="id_state_3">Aktiv</label>' in text


def test_the_count_reads_the_clients_only_for_a_search(cast):
    """Without a search the count is of the cases alone (no join: an index-only scan); a
    search needs the clients, whose protected identities it may not count."""

    def count_sql(query: str) -> str:
        with CaptureQueriesContext(connection) as queries:
            selectors.caseload_page(
                user=cast.manager,
                filters=selectors.CaseloadFilters(query=query),
                today=timezone.localdate(),
                due_within_days=14,
                size=50,
            )
        counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
        assert len(counts) == 1
        return counts[0]

    assert '"cases_client"' not in count_sql("")
    assert '"cases_client"' in count_sql("efternamn")


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


def page_refs(text: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', text)


def link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', text)
    return URL + found.group(1).replace("&amp;", "&") if found else None


def must_link(text: str, rel: str) -> str:
    url = link(text, rel)
    assert url is not None, f"no {rel} link"
    return url


def first_match(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found is not None, f"{pattern} not found"
    return found.group(1)


def walk(client, url: str) -> list[list[str]]:
    """The references of every page, following the Next links from `url`."""
    pages = []
    next_url: str | None = url
    while next_url:
        text = client.get(next_url).content.decode()
        pages.append(page_refs(text))
        next_url = link(text, "next")
        assert len(pages) < 20
    return pages


def test_pages_of_fifty_keep_the_filters(client, cast):
    _bulk_cases(cast, 120, start=0)
    client.force_login(cast.manager)
    url = searched_url(client, {"q": "Efternamn", "sort": "reference"})
    token = url.rpartition("search=")[2]
    first = client.get(url).content.decode()
    assert first.count('<th scope="row">') == 50
    second_url = must_link(first, "next")
    assert f"search={token}" in second_url and "sort=reference" in second_url
    second = client.get(second_url).content.decode()
    assert second.count('<th scope="row">') == 50
    assert f"search={token}" in must_link(second, "prev")
    last = client.get(must_link(second, "next")).content.decode()
    assert last.count('<th scope="row">') == 20
    assert link(last, "next") is None
    assert "120" in last


@pytest.mark.parametrize("sort", ["next_review_on", "-next_review_on", "threat", "name", "state"])
def test_keyset_pages_cover_every_case_once_in_order_despite_ties(client, cast, sort):
    # 150 cases: 60 review dates, five threat levels and one state for all, so most rows tie
    # on the sorted column and only the reference tells them apart.
    _bulk_cases(cast, 150, start=0)
    client.force_login(cast.manager)
    pages = walk(client, f"{URL}?sort={sort}&state=active")
    assert [len(p) for p in pages] == [50, 50, 50, 1]  # cast.case is active too
    seen = [ref for page in pages for ref in page]
    assert len(seen) == len(set(seen)) == 151
    expected = list(
        selectors.caseload_for(
            user=cast.manager,
            filters=selectors.CaseloadFilters(states=("active",), sort=sort),
            today=timezone.localdate(),
            due_within_days=14,
        ).values_list("reference", flat=True)
    )
    assert seen == expected


def test_previous_returns_the_same_page_as_before(client, cast):
    _bulk_cases(cast, 130, start=0)
    client.force_login(cast.manager)
    first = client.get(URL, {"sort": "threat"}).content.decode()
    second = client.get(link(first, "next")).content.decode()
    third = client.get(link(second, "next")).content.decode()
    back = client.get(link(third, "prev")).content.decode()
    assert page_refs(back) == page_refs(second)
    again = client.get(link(back, "prev")).content.decode()
    assert page_refs(again) == page_refs(first)
    assert link(first, "prev") is None


def test_page_200_is_a_keyset_query_without_offset(cast, django_assert_num_queries):
    _bulk_cases(cast, 60, start=0)
    last_of_first = selectors.caseload_page(
        user=cast.manager,
        filters=selectors.CaseloadFilters(),
        today=timezone.localdate(),
        due_within_days=14,
        size=50,
    ).next_after
    with CaptureQueriesContext(connection) as queries:
        page = selectors.caseload_page(
            user=cast.manager,
            filters=selectors.CaseloadFilters(),
            today=timezone.localdate(),
            due_within_days=14,
            size=50,
            after=last_of_first,
        )
    assert len(page.cases) == 11 and page.next_after is None
    assert len(queries) == 3  # count, page, its caseworkers
    assert not any("OFFSET" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    "params",
    [{"after": "abc"}, {"before": "-1"}, {"after": "1" * 30}, {"before": "x", "after": "0"}],
)
def test_a_malformed_page_link_shows_the_first_page_and_says_so(client, cast, params):
    text = caseload_text(client, cast.manager, params)
    assert listed(text, cast.case)
    assert "message--warning" in text


def test_a_page_link_to_a_case_one_may_not_read_shows_nothing_of_it(client, cast):
    malmo_case = CaseFactory(municipality=cast.malmo, created_by=cast.outsider)
    text = caseload_text(client, cast.manager, {"after": str(malmo_case.pk)})
    assert page_refs(text) == []
    assert malmo_case.reference not in text
    assert gettext("There is no case on this page.") in text


# --- My cases, kept filters, saved filters --------------------------------------------------


def test_caseworker_opens_on_my_cases_and_can_switch_to_all(client, cast):
    unassigned = stockholm_case(cast)
    text = caseload_text(client, cast.caseworker)
    assert listed(text, cast.case)
    assert not listed(text, unassigned)
    assert re.search(r'href="\?scope=mine" aria-current="page"', text)
    everything = caseload_text(client, cast.caseworker, ALL)
    assert listed(everything, cast.case) and listed(everything, unassigned)
    assert re.search(r'href="\?scope=all" aria-current="page"', everything)


def test_teammate_without_assigned_cases_is_told_and_offered_all(client, cast):
    text = caseload_text(client, cast.teammate)
    assert not listed(text, cast.case)
    assert gettext("No case is assigned to you.") in text
    assert listed(caseload_text(client, cast.teammate, ALL), cast.case)


def test_manager_still_opens_on_the_whole_caseload(client, cast):
    unassigned = stockholm_case(cast)
    text = caseload_text(client, cast.manager)
    assert listed(text, cast.case) and listed(text, unassigned)
    mine = caseload_text(client, cast.manager, {"scope": "mine"})
    assert not listed(mine, cast.case)  # the manager is assigned to none


def test_filters_are_kept_and_restored_until_cleared(client, cast):
    inquiry = stockholm_case(cast, state=CaseState.INQUIRY)
    client.force_login(cast.manager)
    client.get(URL, {"state": "inquiry", "sort": "reference", "after": str(inquiry.pk)})
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?state=inquiry&sort=reference"  # not the page
    text = client.get(response["Location"]).content.decode()
    assert listed(text, inquiry) and not listed(text, cast.case)
    assert f'href="{URL}?clear=1"' in text
    cleared = client.get(URL, {"clear": "1"})
    assert cleared["Location"] == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response.content.decode(), cast.case)


def test_kept_filters_are_per_session(client, cast):
    client.force_login(cast.manager)
    client.get(URL, {"state": "inquiry"})
    other = HttpClient()
    other.force_login(cast.manager)
    assert other.get(URL).status_code == 200


def save_filter(client, name: str, filters: str):
    return client.post(reverse("cases:caseload_filter_save"), {"name": name, "filters": filters})


def test_a_saved_filter_is_listed_and_applied(client, cast):
    client.force_login(cast.caseworker)
    response = save_filter(client, "Mina utredningar7kx", "state=inquiry&due=on&scope=mine")
    assert response.status_code == 302
    saved = SavedCaseloadFilter.objects.get(user=cast.caseworker)
    assert saved.name == "Mina utredningar7kx"
    text = client.get(response["Location"]).content.decode()
    apply_url = reverse("cases:caseload_filter_apply", args=[saved.pk])
    assert f'href="{apply_url}">Mina utredningar7kx</a>' in text
    client.get(URL, {"clear": "1"})
    applied = client.get(apply_url)
    assert applied.status_code == 302
    assert applied["Location"] == f"{URL}?state=inquiry&due=on&scope=mine"
    entry = AccessLogEntry.objects.get(user=cast.caseworker, action=AccessAction.CREATE)
    assert entry.detail == "saved caseload filter"


def test_a_saved_filter_keeps_no_search_and_no_page(client, cast):
    client.force_login(cast.manager)
    url = searched_url(client, {"q": cast.case.client.identity_number, "state": "active"})
    text = client.get(url).content.decode()
    filters = first_match(r'name="filters" value="([^"]*)"', text).replace("&amp;", "&")
    assert "search" not in filters
    save_filter(client, "Aktiva", f"{filters}&search=abc&after=5&q=secret")
    saved = SavedCaseloadFilter.objects.get(user=cast.manager)
    assert saved.query == "state=active&scope=all"


def test_saving_the_same_name_replaces_the_filter(client, cast):
    client.force_login(cast.manager)
    save_filter(client, "Hot", "threat=3")
    save_filter(client, "Hot", "threat=4")
    assert list(SavedCaseloadFilter.objects.values_list("name", "query")) == [("Hot", "threat=4")]


def test_a_filter_without_a_name_is_not_saved_and_says_why(client, cast):
    client.force_login(cast.manager)
    response = save_filter(client, "", "state=inquiry")
    assert response.status_code == 200
    text = response.content.decode()
    saving = text[text.index('class="form saved-filters__form"') :]
    assert 'class="field-error"' in saving
    assert 'name="filters" value="state=inquiry"' in saving  # kept for the next try
    assert not SavedCaseloadFilter.objects.exists()
    response = save_filter(client, "x" * 200, "state=inquiry")
    assert response.status_code == 200
    assert not SavedCaseloadFilter.objects.exists()


def test_a_saved_filter_is_validated_again_when_applied(client, cast):
    saved = SavedCaseloadFilter.objects.create(
        user=cast.manager, name="Gammal", query=f"caseworker={cast.outsider.pk}&state=active"
    )
    client.force_login(cast.manager)
    response = client.get(reverse("cases:caseload_filter_apply", args=[saved.pk]), follow=True)
    assert response.redirect_chain[0][0] == f"{URL}?state=active&scope=all"
    text = response.content.decode()
    assert "message--warning" in text
    assert listed(text, cast.case)


@pytest.mark.parametrize("who", ["teammate", "manager", "outsider"])
def test_someone_elses_saved_filter_is_invisible_and_404(client, cast, who):
    saved = SavedCaseloadFilter.objects.create(
        user=cast.caseworker, name="Kims egna9zq", query="state=inquiry"
    )
    client.force_login(getattr(cast, who))
    assert "Kims egna9zq" not in client.get(URL, ALL).content.decode()
    apply_url = reverse("cases:caseload_filter_apply", args=[saved.pk])
    assert client.get(apply_url).status_code == 404
    delete_url = reverse("cases:caseload_filter_delete", args=[saved.pk])
    assert client.post(delete_url).status_code == 404
    assert SavedCaseloadFilter.objects.filter(pk=saved.pk).exists()
    refusals = AccessLogEntry.objects.filter(user=getattr(cast, who), action=AccessAction.DENIED)
    assert [e.detail for e in refusals] == ["refused: saved caseload filter"] * 2


@pytest.mark.parametrize("who", ["police", "analyst", "administrator"])
def test_users_without_a_caseload_cannot_save_filters(client, cast, who):
    client.force_login(getattr(cast, who))
    assert save_filter(client, "X", "state=active").status_code == 404
    assert not SavedCaseloadFilter.objects.exists()


def test_the_owner_deletes_their_saved_filter(client, cast):
    saved = SavedCaseloadFilter.objects.create(user=cast.caseworker, name="Bort", query="due=on")
    client.force_login(cast.caseworker)
    delete_url = reverse("cases:caseload_filter_delete", args=[saved.pk])
    assert client.get(delete_url).status_code == 405
    response = client.post(delete_url, follow=True)
    assert response.status_code == 200
    assert not SavedCaseloadFilter.objects.exists()
    assert AccessLogEntry.objects.filter(detail="saved caseload filter deleted").count() == 1


# --- Fuzzy name search ----------------------------------------------------------------------


def named_case(cast, first: str, last: str, **client_kwargs) -> Case:
    return stockholm_case(
        cast, client=ClientFactory(first_name=first, last_name=last, **client_kwargs)
    )


def test_a_misspelt_name_finds_the_client_ranked_by_similarity(client, cast):
    exact = named_case(cast, "Per", "Nilson")
    close = named_case(cast, "Anna", "Nilsson")
    further = named_case(cast, "Eva", "Nilssonberg")
    unrelated = named_case(cast, "Olle", "Andersson")
    text = caseload_text(client, cast.manager, {"q": "nilson"})
    assert page_refs(text)[:3] == [exact.reference, close.reference, further.reference]
    assert not listed(text, unrelated)


def test_every_word_of_a_misspelt_whole_name_must_match(client, cast):
    both = named_case(cast, "Sara", "Lindqvist")
    last_only = named_case(cast, "Johan", "Lindqvist")
    text = caseload_text(client, cast.manager, {"q": "sarah lindkvist"})
    assert page_refs(text) == [both.reference]
    assert not listed(text, last_only)


def test_a_chosen_sort_wins_over_the_ranking(client, cast):
    a = named_case(cast, "Per", "Nilson")
    b = named_case(cast, "Anna", "Nilsson")
    a.reference, b.reference = "Z-RANK-1", "A-RANK-2"
    a.save(update_fields=["reference"])
    b.save(update_fields=["reference"])
    text = caseload_text(client, cast.manager, {"q": "nilson", "sort": "reference"})
    assert page_refs(text)[:2] == ["A-RANK-2", "Z-RANK-1"]


def test_a_protected_identity_is_never_matched_ranked_or_counted_for_a_reader_not_assigned(
    client, cast, protected
):
    # cast.case's client is "Hemlig Gömdsson", protected; a visible look-alike beside it.
    visible = named_case(cast, "Hemlig", "Gömdson")
    for query in ("gömdson", "Gomdsson", "hemlig gömdsson"):
        text = caseload_text(client, cast.teammate, {"q": query, **ALL})
        assert not listed(text, cast.case), query
        assert page_refs(text) == [visible.reference], query
        assert text.split('id="caseload-results-heading">')[1].startswith("1 "), query
        assert "Gömdsson" not in text.replace(f'value="{query}"', "")
    text = caseload_text(client, cast.caseworker, {"q": "gömdson", **ALL})
    assert listed(text, cast.case) and listed(text, visible)


def test_the_name_search_uses_the_trigram_indexes(cast):
    from django.db import connection as conn

    filters = selectors.CaseloadFilters(query="nilson")
    cases = selectors.caseload_for(
        user=cast.manager, filters=filters, today=timezone.localdate(), due_within_days=14
    )
    sql, params = cases.query.sql_with_params()
    with conn.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "client_last_trgm" in plan and "client_first_trgm" in plan


# --- The query count ------------------------------------------------------------------------

# session, user, grants (one query), count, page, its caseworkers, access log, the saved
# filters, the header's notification count, the caseworker and need choices, session save
# (3); a caseworker or need filter adds one lookup each. The same on every page (keyset paging).
CASELOAD_QUERIES = 14


@pytest.mark.parametrize(
    ("who", "params", "queries"),
    [
        ("manager", {}, CASELOAD_QUERIES),
        ("caseworker", {}, CASELOAD_QUERIES),
        ("caseworker", ALL, CASELOAD_QUERIES),
        (
            "manager",
            {"state": "active", "threat": "2", "q": "namn", "sort": "threat"},
            CASELOAD_QUERIES,
        ),
        ("manager", {"q": "efternamn"}, CASELOAD_QUERIES),
        (
            "caseworker",
            {"caseworker": "{me}", "need": "housing", "due": "on", "scope": "all"},
            CASELOAD_QUERIES + 2,
        ),
    ],
)
@pytest.mark.parametrize("deep", [False, True], ids=["first-page", "next-page"])
def test_query_count_does_not_grow_with_the_caseload(
    client, cast, who, params, queries, deep, django_assert_num_queries
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
    if deep:  # the page after the list's first case
        first = client.get(url, params).content.decode()
        params["after"] = first_match(r'<th scope="row"><a href="/cases/(\d+)/"', first)
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') > 0
    add_cases(2_000, start=10)  # enough that the filtered pages (about 7 % match) are full
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == 50


def test_postgresqls_jit_is_off_for_the_apps_connections():
    # It compiled the caseload's statements on every request (bench/caseload.py).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_a_column_header_on_a_later_page_sorts_from_the_first(client, cast):
    _bulk_cases(cast, 60, start=0)
    client.force_login(cast.manager)
    first = client.get(URL, {"sort": "reference"}).content.decode()
    second = client.get(must_link(first, "next")).content.decode()
    header = first_match(r'<th scope="col" aria-sort="ascending"><a href="([^"]+)"', second)
    assert "sort=-reference" in header
    assert "after=" not in header
