"""Masks hold in every predicate: a protected identity is neither shown, found, placed by the
name sort, nor carried in a URL, for anyone the policy does not let see it.

`cast.case` is assigned to `caseworker`; `teammate` reads it (team visibility) but is not
assigned, so the client's protected identity is masked for the teammate only.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from access import policy
from cases.identity import luhn_check_digit
from cases.models import Case, CaseState, CaseUserObjectPermission, Client, FollowUp
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

URL = reverse("cases:caseload")
HOME = reverse("home")


def listed(text: str, case: Case) -> bool:
    return f">{case.reference}</a>" in text


def search(client, user, query: str, **filters) -> str:
    """The caseload page of a search posted by `user`, as the search form posts it, over
    every case the user may read (a caseworker's list opens on their own cases)."""
    client.force_login(user)
    response = client.post(URL, {"q": query, "scope": "all", **filters}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def protected(cast) -> Client:
    """The client of `cast.case`, protected, with names found on no page by chance."""
    person = cast.case.client
    person.first_name, person.last_name = "Doldis4kq", "Maskeradsson9vq"
    person.protected_identity = True
    person.save()
    return person


def ten(number: str, sep: str = "-") -> str:
    return f"{number[2:8]}{sep}{number[8:]}"


# --- (a) Identity numbers match whole, and only where the identity is visible ---------------


def test_teammate_cannot_find_a_protected_client_by_any_digits_of_the_number(
    client, cast, protected
):
    number = protected.identity_number
    for query in (
        number[2:8],  # 6 digits: the birth date
        number[:8],  # 8 digits
        number[:10],  # 10 digits, all but the last two
        number[4:],  # 8 digits from the middle to the check digit
        ten(number, sep=""),  # the whole number, 10 digits
        ten(number),
        number,  # the whole number, 12 digits
        f"{number[:8]}-{number[8:]}",
    ):
        text = search(client, cast.teammate, query)
        assert not listed(text, cast.case), query
        assert protected.last_name not in text


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_assigned_caseworker_and_manager_find_the_protected_client_by_the_whole_number(
    client, cast, protected, who
):
    number = protected.identity_number
    for query in (ten(number), ten(number, sep=""), number, f"{number[:8]}-{number[8:]}"):
        assert listed(search(client, getattr(cast, who), query), cast.case), query


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_partial_digits_find_no_one_even_for_who_may_see_the_number(client, cast, protected, who):
    number = protected.identity_number
    for query in (number[2:8], number[:8], number[:10], number[4:], number[2:11]):
        assert not listed(search(client, getattr(cast, who), query), cast.case), query


def test_an_unprotected_client_is_found_by_the_whole_number_only(client, cast):
    number = cast.case.client.identity_number
    assert listed(search(client, cast.teammate, ten(number)), cast.case)
    assert listed(search(client, cast.teammate, number), cast.case)
    assert not listed(search(client, cast.teammate, number[:8]), cast.case)
    assert not listed(search(client, cast.teammate, number[2:8]), cast.case)


def test_the_reference_is_still_searched(client, cast, protected):
    assert listed(search(client, cast.teammate, cast.case.reference), cast.case)


# --- (b) The name sort places masked rows by nothing they hide -------------------------------


def stockholm_case(cast, reference: str, last_name: str, *, protected: bool) -> Case:
    return CaseFactory(
        municipality=cast.stockholm,
        created_by=cast.manager,
        reference=reference,
        client=ClientFactory(
            first_name="Förnamn7xq", last_name=last_name, protected_identity=protected
        ),
    )


def order_in(text: str, cases: list[Case]) -> list[str]:
    positions = {case.reference: text.index(f">{case.reference}</a>") for case in cases}
    return sorted(positions, key=positions.__getitem__)


def sorted_by_name(client, user) -> str:
    client.force_login(user)
    response = client.get(URL, {"sort": "name", "scope": "all"})
    assert response.status_code == 200
    return response.content.decode()


def test_masked_rows_sort_the_same_whatever_their_hidden_names(client, cast):
    first = stockholm_case(cast, "MASK-1", "Aaaakanarie3fq", protected=True)
    second = stockholm_case(cast, "MASK-2", "Zzzzkanarie8wq", protected=True)
    middle = stockholm_case(cast, "MASK-3", "Mmmmsynlig5tq", protected=False)
    cases = [first, second, middle, cast.case]
    before = order_in(sorted_by_name(client, cast.teammate), cases)

    # Swap the hidden names: what the teammate sees does not change, so neither may the order.
    first.client.last_name, second.client.last_name = "Zzzzkanarie8wq", "Aaaakanarie3fq"
    first.client.save(update_fields=["last_name"])
    second.client.save(update_fields=["last_name"])
    text = sorted_by_name(client, cast.teammate)
    assert order_in(text, cases) == before
    assert "Aaaakanarie3fq" not in text and "Zzzzkanarie8wq" not in text
    # The masked rows stand together, in the order of their references.
    order = order_in(text, cases)
    assert order.index("MASK-2") == order.index("MASK-1") + 1


def test_who_may_see_the_names_gets_them_in_alphabetical_order(client, cast):
    low = stockholm_case(cast, "MASK-2", "Aaaakanarie3fq", protected=True)
    high = stockholm_case(cast, "MASK-1", "Zzzzkanarie8wq", protected=True)
    middle = stockholm_case(cast, "MASK-3", "Mmmmsynlig5tq", protected=False)
    text = sorted_by_name(client, cast.manager)
    assert order_in(text, [low, middle, high]) == ["MASK-2", "MASK-3", "MASK-1"]
    assert "Aaaakanarie3fq" in text and "Zzzzkanarie8wq" in text


# --- (c) A hidden name finds nothing ----------------------------------------------------------


@pytest.mark.parametrize("query", ["Maskeradsson9vq", "maskerads", "Doldis4kq Maskeradsson9vq"])
def test_teammate_finds_no_row_by_a_hidden_name(client, cast, protected, query):
    text = search(client, cast.teammate, query)
    assert not listed(text, cast.case)
    assert "Maskeradsson9vq" not in text.replace(f'value="{query}"', "")
    assert listed(search(client, cast.caseworker, query), cast.case)


# --- (d) The search never travels in a URL ---------------------------------------------------

URL_ATTRIBUTES = re.compile(r'(?:href|action|src)="([^"]*)"')


def urls_in(response) -> list[str]:
    urls = [url for url, _status in getattr(response, "redirect_chain", [])]
    if "Location" in response:
        urls.append(response["Location"])
    return urls + URL_ATTRIBUTES.findall(response.content.decode())


def test_a_posted_search_is_redirected_to_a_token_with_the_filters_in_the_url(
    client, cast, protected
):
    client.force_login(cast.caseworker)
    number = protected.identity_number
    response = client.post(URL, {"q": ten(number), "state": ["active"], "sort": "reference"})
    assert response.status_code == 302
    location = response["Location"]
    assert number[2:8] not in location and "q=" not in location
    assert re.fullmatch(rf"{URL}\?state=active&sort=reference&search=[\w-]{{16,}}", location)

    page = client.get(location)
    assert page.status_code == 200
    text = page.content.decode()
    assert listed(text, cast.case)
    assert f'value="{ten(number)}"' in text  # the search box still shows the search
    for url in urls_in(page):
        assert number[2:8] not in url and "q=" not in url, url


def test_no_url_of_a_search_holds_what_was_typed(client, cast, protected):
    number = protected.identity_number
    client.force_login(cast.manager)
    for query in (ten(number), number, "Maskeradsson9vq"):
        response = client.post(URL, {"q": query}, follow=True)
        assert response.status_code == 200
        assert listed(response.content.decode(), cast.case)
        for url in urls_in(response):
            assert query not in url and number[2:8] not in url, url
            assert "Maskeradsson9vq" not in url, url


def test_an_old_link_with_q_is_redirected_without_it(client, cast, protected):
    client.force_login(cast.manager)
    number = protected.identity_number
    response = client.get(URL, {"q": number, "state": "active", "page": "1"})
    assert response.status_code == 302
    location = response["Location"]
    assert number not in location and "q=" not in location
    assert "state=active" in location and "page=1" in location and "search=" in location
    text = client.get(location).content.decode()
    assert listed(text, cast.case)
    assert f'value="{number}"' in text


def test_an_empty_search_leaves_no_token(client, cast):
    client.force_login(cast.manager)
    assert client.post(URL, {"q": "  ", "sort": "state"})["Location"] == f"{URL}?sort=state"
    assert client.get(URL, {"q": ""})["Location"] == URL


def test_a_paged_and_sorted_search_keeps_its_token(client, cast, protected):
    client.force_login(cast.manager)
    location = client.post(URL, {"q": "Maskeradsson9vq"})["Location"]
    token = location.rpartition("search=")[2]
    text = client.get(location).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*><a href="([^"]*)"', text)
    assert headers and all(f"search={token}" in url for url in headers)


def test_an_unknown_token_shows_the_list_without_the_search_and_says_so(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    client.force_login(cast.manager)
    response = client.get(URL, {"search": "no-such-token", "state": "active"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(f"{URL}?state=active", 302)]
    text = response.content.decode()
    assert gettext("That search has expired. The list is shown without it; search again.") in text
    assert listed(text, cast.case) and listed(text, other)


def test_a_token_is_good_only_in_its_own_session(client, cast, protected):
    client.force_login(cast.manager)
    location = client.post(URL, {"q": "Maskeradsson9vq"})["Location"]
    other = HttpClient()
    other.force_login(cast.manager)
    response = other.get(location, follow=True)
    text = response.content.decode()
    assert "Maskeradsson9vq" in text  # listed, unfiltered, as the manager may see it
    assert 'value="Maskeradsson9vq"' not in text


def test_the_search_form_posts_with_a_csrf_token(client, cast):
    client.force_login(cast.manager)
    text = client.get(URL).content.decode()
    form = re.search(r'<form method="post"[^>]*role="search".*?</form>', text, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    assert 'name="q"' in form.group(0)
    strict = HttpClient(enforce_csrf_checks=True)
    strict.force_login(cast.manager)
    assert strict.post(URL, {"q": "Maskeradsson9vq"}).status_code == 403


def test_only_the_newest_searches_are_kept(client, cast):
    client.force_login(cast.manager)
    first = client.post(URL, {"q": "Forsta1kq"})["Location"]
    for i in range(20):
        client.post(URL, {"q": f"Senare{i}kq"})
    assert 'value="Forsta1kq"' not in client.get(first, follow=True).content.decode()


# --- (e) Queries stay pinned ------------------------------------------------------------------


def _protected_cases(cast, n: int, *, start: int) -> None:
    """n protected Stockholm clients and their cases, every other one assigned to the teammate."""
    clients = Client.objects.bulk_create(
        Client(
            municipality=cast.stockholm,
            first_name=f"Skyddad{i}",
            last_name=f"Maskad{i}kq",
            identity_number=_number(i),
            protected_identity=True,
        )
        for i in range(start, start + n)
    )
    cases = Case.objects.bulk_create(
        Case(
            reference=f"P-{i:07d}",
            client=person,
            municipality=cast.stockholm,
            state=CaseState.ACTIVE,
            next_review_on=timezone.localdate() + datetime.timedelta(days=i % 40),
            created_by=cast.manager,
        )
        for i, person in enumerate(clients, start=start)
    )
    work = Permission.objects.get(codename=policy.ASSIGNMENT_PERM)
    CaseUserObjectPermission.objects.bulk_create(
        CaseUserObjectPermission(content_object=case, user=cast.teammate, permission=work)
        for i, case in enumerate(cases, start=start)
        if i % 2 == 0
    )


def _number(i: int) -> str:
    """A made-up number of its own (serials 800-899 keep apart from the factories')."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i % 10_000)
    nine = f"{birth:%y%m%d}{800 + i // 10_000:03d}"
    return f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}"


@pytest.mark.parametrize(
    "search_for", ["", "Maskad", "number"], ids=["browse", "name", "whole-number"]
)
def test_masked_rows_cost_no_queries_of_their_own(
    client, cast, search_for, django_assert_num_queries
):
    # As the pin in tests/test_caseload.py (CASELOAD_QUERIES): session, user, grants (1),
    # count, page, assignments, access log, saved filters, the header's notification count,
    # the caseworker and need choices, session save (3).
    client.force_login(cast.teammate)
    _protected_cases(cast, 10, start=0)
    url = f"{URL}?sort=name&scope=all"
    if search_for:
        query = _number(4) if search_for == "number" else search_for
        url = client.post(URL, {"q": query, "sort": "name", "scope": "all"})["Location"]
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    _protected_cases(cast, 200, start=10)
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    if search_for == "number":
        assert ">P-0000004</a>" in response.content.decode()


# --- One rule everywhere: the home page and the police's shared view ----------------------------


def test_home_shows_protected_names_only_where_the_policy_allows(client, cast, protected):
    cast.case.next_review_on = timezone.localdate() + datetime.timedelta(days=2)
    cast.case.save(update_fields=["next_review_on"])
    ended = CaseFactory(
        municipality=cast.stockholm,
        created_by=cast.manager,
        state=CaseState.COMPLETED,
        client=ClientFactory(last_name="Avslutadsson6hq", protected_identity=True),
    )
    policy.case_grant_assignment(case=ended, user=cast.caseworker)
    FollowUp.objects.create(case=ended, months=6, due_on=timezone.localdate())
    client.force_login(cast.caseworker)
    text = client.get(HOME).content.decode()
    assert text.count("Maskeradsson9vq") == 2  # due soon and my cases
    assert "Avslutadsson6hq" in text  # the follow-up of an ended case
    client.force_login(cast.police)
    text = client.get(HOME).content.decode()
    assert listed(text, cast.case) and "Maskeradsson9vq" not in text


def test_home_decides_protected_rows_without_queries_of_their_own(
    client, cast, protected, django_assert_num_queries
):
    client.force_login(cast.teammate)
    _protected_cases(cast, 2, start=0)
    # 10, the header's unread notifications and "My tasks"
    with django_assert_num_queries(10) as small:
        text = client.get(HOME).content.decode()
    assert "Maskad0kq" in text
    _protected_cases(cast, 30, start=2)
    with django_assert_num_queries(len(small.captured_queries)):
        text = client.get(HOME).content.decode()
    assert "Maskad30kq" in text


def test_the_liaison_never_sees_a_protected_identity_on_the_shared_view(client, cast, protected):
    client.force_login(cast.police)
    text = client.get(reverse("cases:shared", args=[cast.case.pk])).content.decode()
    assert "Maskeradsson9vq" not in text and "Doldis4kq" not in text
    assert protected.identity_number[2:8] not in text


def test_may_see_protected_identity_agrees_with_the_query(cast, protected):
    for user in cast.all_users().values():
        listed_visible = set(
            Case.objects.filter(policy.protected_identity_visible_q(user)).values_list(
                "pk", flat=True
            )
        )
        case = Case.objects.select_related("client").get(pk=cast.case.pk)
        assert policy.may_see_protected_identity(user, case) == (case.pk in listed_visible), user


# --- The intake does not lift a mask ------------------------------------------------------


def _intake(cast, number: str, **extra: str) -> dict[str, str]:
    return {
        "municipality": str(cast.stockholm.pk),
        "first_name": "Sokande",
        "last_name": "Sokandesson",
        "identity_number": number,
        "source": "self",
        "reason": "Ny kontakt",
        **extra,
    }


def test_a_teammate_cannot_take_a_protected_client_by_the_same_person_box(client, cast, protected):
    """A teammate who reads the case but not the protected identity types the number and
    ticks "same person": that would assign them to a new case of that client and show them
    the hidden name. They are sent to their manager instead, and learn nothing more."""
    before = Case.objects.count()
    client.force_login(cast.teammate)
    for extra in ({}, {"same_person": "on"}):
        response = client.post(
            reverse("cases:new"), _intake(cast, protected.identity_number, **extra)
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Doldis4kq" not in page and "Maskeradsson9vq" not in page
        assert 'id="duplicate-warning"' not in page
    assert Case.objects.count() == before
    assert not policy.cases_assigned_to(cast.teammate).filter(client=protected).exists()


def test_the_assigned_caseworker_may_open_a_new_case_for_the_protected_client(
    client, cast, protected
):
    client.force_login(cast.caseworker)
    data = _intake(cast, protected.identity_number)
    warned = client.post(reverse("cases:new"), data)
    assert 'id="duplicate-warning"' in warned.content.decode()
    opened = client.post(reverse("cases:new"), {**data, "same_person": "on"})
    assert opened.status_code == 302
    assert Case.objects.filter(client=protected).count() == 2
