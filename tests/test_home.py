"""The home page per role."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access import policy
from cases import services
from notifications.models import Notification, NotificationKind
from reminders.models import Task
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db


def home_text(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_caseworker_sees_own_cases_and_what_is_due(client, cast):
    cast.case.next_review_on = timezone.localdate() - datetime.timedelta(days=2)
    cast.case.save()
    not_mine = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    text = home_text(client, cast.caseworker)
    assert "Mina ärenden" in text
    assert cast.case.reference in text
    assert cast.case.client.full_name in text
    assert "granskning försenad sedan" in text
    assert not_mine.reference not in text


def test_caseworker_without_cases_gets_an_explaining_empty_state(client, cast):
    text = home_text(client, cast.teammate)
    assert "Inget öppet ärende är tilldelat dig" in text


def test_manager_sees_caseload_at_a_glance(client, cast):
    CaseFactory(municipality=cast.stockholm, created_by=cast.manager, state="inquiry")
    CaseFactory(municipality=cast.malmo, created_by=cast.outsider, state="inquiry")
    text = home_text(client, cast.manager)
    assert "Ärendemängd i Stockholm" in text
    assert "Malmö" not in text
    assert cast.caseworker.get_full_name() in text
    # one open case without a caseworker (the new inquiry), two open in all
    assert '<span class="figure">2</span> öppna ärenden' in text
    assert '<span class="figure">1</span> öppna ärenden utan handläggare' in text


def test_police_liaison_sees_shared_cases_only(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    text = home_text(client, cast.police)
    assert cast.case.reference in text
    assert other.reference not in text


def test_police_liaison_sees_protected_identity_masked(client, cast):
    cast.case.client.protected_identity = True
    cast.case.client.save()
    text = home_text(client, cast.police)
    assert cast.case.client.full_name not in text
    assert "Skyddad identitet" in text


def test_police_liaison_without_share_gets_empty_state(client, cast):
    text = home_text(client, cast.police_unshared)
    assert "Ingen kommun har delat ett ärende med dig" in text
    assert cast.case.reference not in text


def test_analyst_sees_no_case(client, cast):
    text = home_text(client, cast.analyst)
    assert "Nationell statistik" in text
    assert cast.case.reference not in text


def test_administrator_sees_no_case_but_the_admin_link(client, cast):
    text = home_text(client, cast.administrator)
    assert reverse("admin:index") in text
    assert cast.case.reference not in text
    assert cast.case.client.last_name not in text


def test_outsider_sees_nothing_of_stockholm(client, cast):
    text = home_text(client, cast.outsider)
    assert cast.case.reference not in text
    assert "Stockholm" not in text


def _add_cases(cast, n: int) -> None:
    for _ in range(n):
        case = CaseFactory(
            municipality=cast.stockholm, created_by=cast.manager, client=ClientFactory()
        )
        policy.case_grant_assignment(case=case, user=cast.caseworker)
        services.case_share_with_police(
            case=case, by=cast.manager, liaison=cast.police, legal_basis="OSL 10 kap. 18 a §"
        )
        for user in (cast.caseworker, cast.manager):  # "My tasks"
            Task.objects.create(
                case=case,
                title="Uppgift",
                due_on=case.opened_on,
                assigned_to=user,
                created_by=cast.manager,
            )
        for user in (cast.caseworker, cast.manager, cast.police):  # the header's count
            Notification.objects.create(recipient=user, kind=NotificationKind.TASK_DUE, case=case)


@pytest.mark.parametrize("who", ["caseworker", "manager", "police"])
def test_home_runs_a_fixed_number_of_queries(client, cast, who, django_assert_num_queries):
    user = getattr(cast, who)
    client.force_login(user)
    # With the header's unread notifications (every page) and "My tasks" (case staff).
    # The manager's 18: 16, and the young clients' figures (cases.youth_figures: intakes by
    # age band, and waiting and outcomes of young clients and adults), two queries (issue 12).
    expected = {"caseworker": 10, "manager": 18, "police": 8}[who]
    with django_assert_num_queries(expected):
        client.get(reverse("home"))
    _add_cases(cast, 25)
    with django_assert_num_queries(expected):
        client.get(reverse("home"))
