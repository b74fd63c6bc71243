"""The manager's day: the figures of the home page as links to their lists, the intake queue
with the latest assessment (also beside the intake decision), and the checklist before a
case is closed."""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from access import policy
from accounts.models import Role
from agencies.models import Agency, AgencyKind
from audit.models import AccessAction, AccessLogEntry
from cases.models import (
    FOLLOW_UP_MONTHS,
    Case,
    CaseState,
    FollowUp,
    Instrument,
    Intervention,
    InterventionType,
    MotivationAssessment,
    Recommendation,
    StageOfChange,
)
from exitprog.dates import add_months
from referrals.models import Referral, ReferralState
from reminders.models import Task
from tests.conftest import make_user
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
DENIED = ["outsider", "police", "police_unshared", "analyst", "administrator"]


def today() -> datetime.date:
    return timezone.localdate()


def sv(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def stockholm_case(cast, **fields) -> Case:
    return CaseFactory(
        municipality=cast.stockholm, created_by=cast.manager, client=ClientFactory(), **fields
    )


def assess(case: Case, by, *, days_ago: int, stage: str, met: bool, recommendation: str):
    return MotivationAssessment.objects.create(
        case=case,
        instrument=Instrument.objects.get(is_current=True),
        assessed_on=today() - days_ago * DAY,
        assessor=by,
        stage=stage,
        total_score=10,
        criteria_met=met,
        recommendation=recommendation,
    )


@pytest.fixture
def malmo_manager(cast):
    return make_user("mats", Role.MANAGER, municipality=cast.malmo)


# --- The home page's figures ------------------------------------------------------------------

FIGURE = re.compile(r'<a href="([^"]+)" class="figure-link"><span class="figure">(\d+)</span>')
TABLE_FIGURE = re.compile(r'<td class="num"><a href="([^"]+)">(\d+)<span class="visually-hidden">')


def listed(client, url: str) -> int:
    """How many cases the list behind a link shows (fewer than a page in these tests)."""
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return len(response.context["rows"])


def test_every_figure_on_the_managers_home_links_to_a_list_with_as_many_cases(client, cast):
    # The cast's active case (assigned to kim), and around it: an old inquiry and an
    # assessment waiting for the intake decision, an active case without a caseworker whose
    # review is overdue, and a completed case. And one in Malmö, which counts nowhere here.
    stockholm_case(cast, state=CaseState.INQUIRY, opened_on=today() - 600 * DAY)
    waiting = stockholm_case(cast, state=CaseState.ASSESSMENT)
    policy.case_grant_assignment(case=waiting, user=cast.teammate)
    stockholm_case(cast, next_review_on=today() - 3 * DAY)
    stockholm_case(cast, state=CaseState.COMPLETED, closed_on=today(), next_review_on=None)
    CaseFactory(municipality=cast.malmo, created_by=cast.manager, state=CaseState.INQUIRY)
    client.force_login(cast.manager)

    page = client.get(reverse("home")).content.decode()
    figures = [(html.unescape(url), int(n)) for url, n in FIGURE.findall(page)]
    tables = [(html.unescape(url), int(n)) for url, n in TABLE_FIGURE.findall(page)]

    # open, without a caseworker, reviews overdue, waiting for an intake decision
    assert [n for _url, n in figures] == [4, 2, 1, 2]
    assert len(tables) == len(CaseState) + 2  # every state, and kim's and tove's open cases
    assert sum(n for _url, n in tables) > 0
    for url, n in figures + tables:
        assert listed(client, url) == n, url


def test_the_intake_figure_links_to_the_queue_of_that_municipality(client, cast):
    stockholm_case(cast, state=CaseState.INQUIRY)
    client.force_login(cast.manager)
    page = client.get(reverse("home")).content.decode()
    urls = [html.unescape(url) for url, _n in FIGURE.findall(page)]
    assert f"{reverse('intake_queue')}?municipality={cast.stockholm.pk}" in urls


# --- The intake queue -------------------------------------------------------------------------


@pytest.fixture
def queue(cast):
    """Two Stockholm cases waiting (the older an inquiry, the other assessed twice), one
    active (not waiting) and one Malmö inquiry."""
    old = stockholm_case(cast, state=CaseState.INQUIRY, opened_on=today() - 572 * DAY)
    assessed = stockholm_case(cast, state=CaseState.ASSESSMENT, opened_on=today() - 40 * DAY)
    assess(
        assessed,
        cast.caseworker,
        days_ago=30,
        stage=StageOfChange.CONTEMPLATION,
        met=False,
        recommendation=Recommendation.DECLINE,
    )
    assess(
        assessed,
        cast.caseworker,
        days_ago=2,
        stage=StageOfChange.PREPARATION,
        met=True,
        recommendation=Recommendation.ACCEPT,
    )
    malmo = CaseFactory(municipality=cast.malmo, created_by=cast.manager, state="inquiry")
    return {"old": old, "assessed": assessed, "active": cast.case, "malmo": malmo}


def queue_rows(client):
    response = client.get(reverse("intake_queue"))
    assert response.status_code == 200
    return response, response.context["rows"]


def test_the_queue_lists_the_waiting_cases_oldest_first_with_the_latest_assessment(
    client, cast, queue
):
    client.force_login(cast.manager)
    response, rows = queue_rows(client)
    assert [row.case for row in rows] == [queue["old"], queue["assessed"]]
    assert [row.waiting_days for row in rows] == [572, 40]
    assert rows[0].latest is None
    latest = rows[1].latest
    assert latest.assessed_on == today() - 2 * DAY
    assert latest.criteria_met is True
    text = response.content.decode()
    with translation.override("sv"):
        assert str(StageOfChange.PREPARATION.label) in text
        assert str(Recommendation.ACCEPT.label) in text
        # The older assessment's answers are not the summary.
        assert str(StageOfChange.CONTEMPLATION.label) not in text
        assert str(Recommendation.DECLINE.label) not in text
    assert queue["active"].reference not in text
    assert queue["malmo"].reference not in text
    assert ">572<" in text


def test_reading_the_queue_is_logged(client, cast, queue):
    client.force_login(cast.manager)
    queue_rows(client)
    assert AccessLogEntry.objects.filter(
        user=cast.manager, action=AccessAction.VIEW, detail="intake queue"
    ).exists()


def test_another_municipalitys_manager_sees_only_their_own_queue(
    client, cast, queue, malmo_manager
):
    client.force_login(malmo_manager)
    _response, rows = queue_rows(client)
    assert [row.case for row in rows] == [queue["malmo"]]


def test_the_queue_of_one_municipality_a_manager_does_not_manage_is_empty(
    client, cast, queue, malmo_manager
):
    client.force_login(malmo_manager)
    response = client.get(reverse("intake_queue"), {"municipality": cast.stockholm.pk})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert queue["old"].reference not in response.content.decode()


@pytest.mark.parametrize("who", ["caseworker", "teammate", *DENIED])
def test_the_queue_is_404_for_anyone_but_a_manager(client, cast, queue, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("intake_queue"))
    assert response.status_code == 404
    assert queue["old"].reference not in response.content.decode()


def test_the_queue_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.manager)
    stockholm_case(cast, state=CaseState.INQUIRY)
    client.get(reverse("intake_queue"))  # the session is made
    # The session, the user, the grants, the header, the count, one page of cases with their
    # latest assessments, the access log's row: the same for 1 and 26 waiting cases.
    with django_assert_num_queries(10) as few:
        client.get(reverse("intake_queue"))
    for n in range(25):
        case = stockholm_case(cast, state=CaseState.ASSESSMENT)
        assess(case, cast.manager, days_ago=n, stage="action", met=True, recommendation="accept")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("intake_queue"))
    assert len(response.context["rows"]) == 26


def test_the_decision_form_shows_the_latest_assessment(client, cast, queue):
    client.force_login(cast.manager)
    text = client.get(reverse("cases:detail", args=[queue["assessed"].pk])).content.decode()
    summary = text.split('class="intake-summary"', 1)[1].split("</dl>", 1)[0]
    with translation.override("sv"):
        assert str(StageOfChange.PREPARATION.label) in summary
        assert str(Recommendation.ACCEPT.label) in summary
    assert (today() - 2 * DAY).isoformat() in summary


def test_the_decision_form_says_when_there_is_no_assessment_yet(client, cast, queue):
    client.force_login(cast.manager)
    text = client.get(reverse("cases:detail", args=[queue["old"].pk])).content.decode()
    summary = text.split('class="intake-summary"', 1)[1].split("</div>", 1)[0]
    assert sv("No motivation assessment yet.") in summary


def test_an_active_case_shows_no_intake_summary(client, cast):
    client.force_login(cast.manager)
    text = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert 'class="intake-summary"' not in text


# --- The closing checklist --------------------------------------------------------------------

REASON = "Kanarie4c8m målen är nådda"


@pytest.fixture
def open_work(cast):
    """What is still open in the cast's case, and what is done (not listed)."""
    kinds = list(InterventionType.objects.all()[:2])
    ongoing = Intervention.objects.create(
        case=cast.case, type=kinds[0], status="ongoing", created_by=cast.manager
    )
    Intervention.objects.create(
        case=cast.case, type=kinds[1], status="completed", created_by=cast.manager
    )
    agency = Agency.objects.create(name="Kanarie7d2k Boende AB", kind=AgencyKind.HOUSING)
    done_agency = Agency.objects.create(name="Kanarie9v1q Klar AB", kind=AgencyKind.HOUSING)
    Referral.objects.create(
        case=cast.case,
        agency=agency,
        purpose="x",
        created_by=cast.manager,
        state=ReferralState.SENT,
        sent_at=timezone.now() - 5 * DAY,
    )
    Referral.objects.create(
        case=cast.case,
        agency=done_agency,
        purpose="x",
        created_by=cast.manager,
        state=ReferralState.WITHDRAWN,
    )
    Task.objects.create(
        case=cast.case,
        title="Kanarie3h6n ring boendet",
        due_on=today() + 2 * DAY,
        assigned_to=cast.caseworker,
        created_by=cast.manager,
    )
    Task.objects.create(
        case=cast.case,
        title="Kanarie5p0w klar uppgift",
        due_on=today(),
        assigned_to=cast.caseworker,
        created_by=cast.manager,
        done_at=timezone.now(),
        done_by=cast.caseworker,
    )
    return {"ongoing": ongoing, "done_type": kinds[1]}


def close_url(case: Case) -> str:
    return reverse("case_close", args=[case.pk])


def decide(client, case: Case, **data):
    return client.post(reverse("cases:transition", args=[case.pk]), data)


def test_closing_on_the_case_page_goes_to_the_checklist_and_closes_nothing(client, cast):
    client.force_login(cast.manager)
    response = decide(client, cast.case, to_state="completed", reason=REASON)
    assert response.status_code == 302
    assert response["Location"] == close_url(cast.case)
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.ACTIVE
    assert not FollowUp.objects.filter(case=cast.case).exists()


def test_the_checklist_lists_what_is_open_and_the_follow_ups_to_come(client, cast, open_work):
    client.force_login(cast.manager)
    response = client.get(
        decide(client, cast.case, to_state="discontinued", reason=REASON)["Location"]
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert open_work["ongoing"].type.label in text
    assert open_work["done_type"].label not in text
    assert "Kanarie7d2k Boende AB" in text
    assert "Kanarie9v1q" not in text
    assert "Kanarie3h6n ring boendet" in text
    assert "Kanarie5p0w" not in text
    for months in FOLLOW_UP_MONTHS:
        assert add_months(today(), months).isoformat() in text
    # The decision as it was chosen on the case page, to confirm.
    assert REASON in text
    assert response.context["form"]["to_state"].value() == "discontinued"
    assert 'name="confirm_closing"' in text
    assert AccessLogEntry.objects.filter(
        user=cast.manager, case=cast.case, action=AccessAction.VIEW, detail="closing checklist"
    ).exists()


def test_the_checklist_of_a_case_with_nothing_open_says_so(client, cast):
    client.force_login(cast.manager)
    text = client.get(close_url(cast.case), {"to": "completed"}).content.decode()
    assert sv("No intervention is planned or ongoing.") in text
    assert sv("No referral is open.") in text
    assert sv("No task is open.") in text


def test_confirming_the_checklist_closes_the_case_and_schedules_the_follow_ups(
    client, cast, open_work
):
    client.force_login(cast.manager)
    response = decide(
        client,
        cast.case,
        to_state="completed",
        reason=REASON,
        confirm_closing="on",
        from_checklist="1",
    )
    assert response.status_code == 302
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.COMPLETED
    assert cast.case.state_changes.last().reason == REASON
    assert sorted(FollowUp.objects.filter(case=cast.case).values_list("due_on", flat=True)) == [
        add_months(today(), months) for months in FOLLOW_UP_MONTHS
    ]


def test_the_checklist_without_the_confirmation_closes_nothing(client, cast):
    client.force_login(cast.manager)
    response = decide(client, cast.case, to_state="completed", reason=REASON, from_checklist="1")
    assert response["Location"] == close_url(cast.case)
    assert sv("Tick the confirmation to close the case.") in messages_of(response)
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.ACTIVE
    # The reason typed comes back on the checklist.
    assert REASON in client.get(close_url(cast.case)).content.decode()


def test_the_checklist_without_a_reason_comes_back_with_the_choice_kept(client, cast):
    client.force_login(cast.manager)
    response = decide(
        client,
        cast.case,
        to_state="discontinued",
        reason="",
        confirm_closing="on",
        from_checklist="1",
    )
    assert response["Location"] == close_url(cast.case)
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.ACTIVE


@pytest.mark.parametrize("who", ["caseworker", "teammate", *DENIED])
def test_the_checklist_is_404_for_those_who_may_not_close_the_case(client, cast, open_work, who):
    client.force_login(getattr(cast, who))
    response = client.get(close_url(cast.case), {"to": "completed"})
    assert response.status_code == 404
    assert "Kanarie3h6n" not in response.content.decode()


def test_another_municipalitys_manager_gets_404_on_the_checklist(client, cast, malmo_manager):
    client.force_login(malmo_manager)
    assert client.get(close_url(cast.case)).status_code == 404


def test_a_case_that_cannot_be_closed_goes_back_to_its_page(client, cast):
    cast.case.state = CaseState.INQUIRY
    cast.case.save()
    client.force_login(cast.manager)
    response = client.get(close_url(cast.case), {"to": "completed"})
    assert response.status_code == 302
    assert f"/cases/{cast.case.pk}/" in response["Location"]


def test_the_checklist_runs_a_fixed_number_of_queries(
    client, cast, open_work, django_assert_num_queries
):
    client.force_login(cast.manager)
    client.get(close_url(cast.case))
    with django_assert_num_queries(14) as few:
        client.get(close_url(cast.case))
    agency = Agency.objects.create(name="Kanarie Fler AB", kind=AgencyKind.HOUSING)
    for n in range(10):
        Intervention.objects.create(
            case=cast.case,
            type=open_work["ongoing"].type,
            status="planned",
            created_by=cast.manager,
        )
        Referral.objects.create(case=cast.case, agency=agency, purpose="x", created_by=cast.manager)
        Task.objects.create(
            case=cast.case,
            title=f"Uppgift {n}",
            due_on=today(),
            assigned_to=cast.caseworker,
            created_by=cast.manager,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(close_url(cast.case))


# --- The caseworker's work phone (printed on the referral letters) ----------------------------


def test_the_administrator_sets_a_users_work_phone_in_the_admin(client, cast):
    client.force_login(cast.administrator)
    url = reverse("admin:accounts_user_change", args=[cast.caseworker.pk])
    page = client.get(url).content.decode()
    assert 'name="work_phone"' in page
    data = {
        "username": cast.caseworker.username,
        "first_name": cast.caseworker.first_name,
        "last_name": cast.caseworker.last_name,
        "work_phone": "08-123 456 78",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.caseworker.refresh_from_db()
    assert cast.caseworker.work_phone == "08-123 456 78"


def test_a_work_phone_that_is_no_number_is_refused_in_the_admin(client, cast):
    client.force_login(cast.administrator)
    url = reverse("admin:accounts_user_change", args=[cast.caseworker.pk])
    data = {
        "username": cast.caseworker.username,
        "first_name": cast.caseworker.first_name,
        "last_name": cast.caseworker.last_name,
        "work_phone": "ring mig <b>",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "ring mig &lt;b&gt;" in response.content.decode()  # the input is kept
    cast.caseworker.refresh_from_db()
    assert cast.caseworker.work_phone == ""
