"""Follow-ups after a case ends: when they are scheduled, the page that records them, who may
use it, what it refuses, and where due follow-ups show (the caseworker's home, the case page).

Pages are Swedish by default, so the tests compare with the messages and labels the code
itself produces (translated the same way) rather than with English text.
"""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from access import policy
from audit.models import AccessAction, AccessLogEntry
from cases import services
from cases.models import Case, CaseState, FollowUp
from cases.tabs import case_tab_url
from exitprog.dates import add_months
from tests.conftest import Cast
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

DENIED = ["teammate", "outsider", "police", "police_unshared", "analyst", "administrator"]
EDITORS = ["caseworker", "manager"]


# --- Helpers ----------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def end_case(
    case: Case, *, ended_on: datetime.date, state: CaseState = CaseState.COMPLETED
) -> list[FollowUp]:
    """`case` as if it ended on `ended_on`, with its follow-ups scheduled (3, 6, 12, 24)."""
    Case.objects.filter(pk=case.pk).update(state=state, closed_on=ended_on, next_review_on=None)
    case.refresh_from_db()
    return services.follow_ups_schedule(case=case, ended_on=ended_on)


def outcome(**overrides: str) -> dict[str, str]:
    data = {
        "checked_on": today().isoformat(),
        "alive": "yes",
        "reoffended": "no",
        "reoffending_source": "",
        "housing": "own_home",
        "occupation": "work",
        "group_contact": "none",
        "note": "Träffade klienten på kontoret.",
    }
    return data | overrides


def record_url(follow_up: FollowUp) -> str:
    return reverse("cases:follow_up_record", args=[follow_up.case_id, follow_up.pk])


def case_url(case: Case) -> str:
    """The case page's tab with the follow-ups."""
    return case_tab_url(case.pk, "closing")


def translated(message: str, **params: object) -> str:
    """A message as a Swedish page shows it, HTML-escaped."""
    with translation.override("sv"):
        text = gettext(message)
    return escape(text % params if params else text)


def change_log(case: Case):
    return AccessLogEntry.objects.filter(
        case=case, action__in=[AccessAction.CREATE, AccessAction.CHANGE]
    )


def snapshot(follow_up: FollowUp) -> tuple:
    follow_up.refresh_from_db()
    return (
        follow_up.recorded_at,
        follow_up.recorded_by_id,
        follow_up.checked_on,
        follow_up.alive,
        follow_up.reoffended,
        follow_up.housing,
        follow_up.note,
    )


def value_of(html: str, name: str) -> str:
    tag = next(t for t in re.findall(r"<input[^>]*>", html) if f'name="{name}"' in t)
    match = re.search(r'value="([^"]*)"', tag)
    return match.group(1) if match else ""


def is_checked(html: str, name: str, value: str) -> bool:
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no input {name}={value}")


def section(html: str) -> str:
    """The follow-up section of the case page."""
    match = re.search(r'<section id="follow-ups".*?</section>', html, re.S)
    assert match, "no follow-up section on the page"
    return match.group(0)


@pytest.fixture
def due(cast: Cast) -> FollowUp:
    """The 3-month follow-up of `cast.case`, which ended about three months ago: due now."""
    return end_case(cast.case, ended_on=add_months(today(), -3))[0]


# --- Scheduling -------------------------------------------------------------------------------


def test_completing_a_case_schedules_four_follow_ups(cast):
    services.case_complete(case=cast.case, by=cast.manager, reason="Målen är uppnådda.")

    follow_ups = list(cast.case.follow_ups.order_by("months"))
    assert [f.months for f in follow_ups] == [3, 6, 12, 24]
    assert [f.due_on for f in follow_ups] == [
        add_months(today(), 3),
        add_months(today(), 6),
        add_months(today(), 12),
        add_months(today(), 24),
    ]
    assert not any(f.is_recorded for f in follow_ups)


def test_discontinuing_a_case_schedules_four_follow_ups(cast):
    services.case_discontinue(case=cast.case, by=cast.manager, reason="Klienten hörs inte av.")

    assert list(cast.case.follow_ups.values_list("months", flat=True)) == [3, 6, 12, 24]


def test_rejecting_an_intake_schedules_no_follow_up(cast):
    case = CaseFactory(
        municipality=cast.stockholm, created_by=cast.manager, state=CaseState.ASSESSMENT
    )

    services.case_reject(case=case, by=cast.manager, reason="Kriterierna är inte uppfyllda.")

    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
    assert not case.follow_ups.exists()


@pytest.mark.parametrize(
    ("ended_on", "expected"),
    [
        (
            datetime.date(2026, 8, 31),
            [
                datetime.date(2026, 11, 30),
                datetime.date(2027, 2, 28),
                datetime.date(2027, 8, 31),
                datetime.date(2028, 8, 31),
            ],
        ),
        (
            datetime.date(2027, 8, 31),
            [
                datetime.date(2027, 11, 30),
                datetime.date(2028, 2, 29),  # a leap year
                datetime.date(2028, 8, 31),
                datetime.date(2029, 8, 31),
            ],
        ),
        (
            datetime.date(2026, 11, 30),
            [
                datetime.date(2027, 2, 28),
                datetime.date(2027, 5, 30),
                datetime.date(2027, 11, 30),
                datetime.date(2028, 11, 30),
            ],
        ),
    ],
)
def test_month_end_dates_fall_on_the_last_day_of_shorter_months(cast, ended_on, expected):
    follow_ups = services.follow_ups_schedule(case=cast.case, ended_on=ended_on)

    assert [f.due_on for f in follow_ups] == expected


def test_scheduling_twice_adds_nothing(cast):
    services.follow_ups_schedule(case=cast.case, ended_on=days_ago(10))
    services.follow_ups_schedule(case=cast.case, ended_on=days_ago(10))

    assert cast.case.follow_ups.count() == 4


# --- The record page: who may use it ----------------------------------------------------------


@pytest.mark.parametrize("who", EDITORS)
def test_editor_gets_the_form(client, cast, due, who):
    client.force_login(getattr(cast, who))

    response = client.get(record_url(due))

    assert response.status_code == 200
    html = response.content.decode()
    assert cast.case.reference in html
    assert '<form method="post" novalidate' in html
    assert (
        translated(
            "Follow-up %(months)s months after the end, case %(reference)s",
            months=3,
            reference=cast.case.reference,
        )
        in html
    )
    assert translated("Due %(due)s.", due=due.due_on.isoformat()) in html
    assert value_of(html, "checked_on") == today().isoformat()
    assert f'href="{escape(case_url(cast.case))}#follow-ups"' in html  # back and cancel
    for name, value in [("alive", "unknown"), ("housing", "protected"), ("group_contact", "none")]:
        assert not is_checked(html, name, value)
    assert not change_log(cast.case).exists()


@pytest.mark.parametrize("who", EDITORS)
def test_editor_records_the_outcome_and_it_is_logged(client, cast, due, who):
    user = getattr(cast, who)
    client.force_login(user)
    url = record_url(due)

    response = client.post(
        url,
        outcome(reoffended="yes", reoffending_source="police", housing="sublet", note="Dömd."),
    )

    assert response.status_code == 302
    assert response["Location"] == case_url(cast.case) + "#follow-ups"
    due.refresh_from_db()
    assert due.is_recorded
    assert due.recorded_by == user
    assert due.checked_on == today()
    assert (due.alive, due.reoffended, due.reoffending_source) == ("yes", "yes", "police")
    assert (due.housing, due.occupation, due.group_contact) == ("sublet", "work", "none")
    assert due.note == "Dömd."
    entry = change_log(cast.case).get()
    assert (entry.user, entry.action) == (user, AccessAction.CHANGE)
    assert (entry.object_type, entry.object_id, entry.detail) == (
        "followup",
        str(due.pk),
        "follow-up",
    )
    assert entry.path == url
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    # The other follow-ups wait for their turn.
    assert cast.case.follow_ups.filter(recorded_at__isnull=True).count() == 3


def test_others_get_404_and_nothing_is_saved(client, cast, due):
    url = record_url(due)
    before = snapshot(due)

    for who in DENIED:
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 404, who
        assert client.post(url, outcome()).status_code == 404, who

    assert snapshot(due) == before
    assert not AccessLogEntry.objects.filter(object_type="followup").exists()


def test_others_get_404_for_a_recorded_follow_up_too(client, cast, due):
    client.force_login(cast.caseworker)
    client.post(record_url(due), outcome())

    for who in DENIED:
        client.force_login(getattr(cast, who))
        assert client.get(record_url(due)).status_code == 404, who


def test_anonymous_is_sent_to_login(client, cast, due):
    before = snapshot(due)

    for response in (client.get(record_url(due)), client.post(record_url(due), outcome())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    assert snapshot(due) == before


def test_follow_up_of_another_case_gets_404(client, cast, due):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    url = reverse("cases:follow_up_record", args=[other.pk, due.pk])
    client.force_login(cast.manager)  # the manager may edit both cases

    assert client.get(url).status_code == 404
    assert client.post(url, outcome()).status_code == 404
    assert not due.is_recorded and snapshot(due)[0] is None


def test_unknown_follow_up_gets_404(client, cast, due):
    client.force_login(cast.manager)
    url = reverse("cases:follow_up_record", args=[cast.case.pk, due.pk + 1000])

    assert client.get(url).status_code == 404


def test_page_never_names_a_protected_client(client, cast, due):
    cast.case.client.first_name, cast.case.client.last_name = "Zlatanina", "Hemligsson"
    cast.case.client.protected_identity = True
    cast.case.client.save()
    client.force_login(cast.caseworker)

    html = client.get(record_url(due)).content.decode()

    assert cast.case.reference in html
    assert "Hemligsson" not in html and "Zlatanina" not in html


# --- The record page: what it refuses ---------------------------------------------------------


BAD_INPUT = {
    "future date": (
        {"checked_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
        "The date of the check cannot be in the future.",
    ),
    "re-offended without a source": (
        {"reoffended": "yes", "reoffending_source": ""},
        "Say where the information about re-offending comes from.",
    ),
    "invalid choice": ({"housing": "castle"}, None),
    "invalid source": ({"reoffended": "yes", "reoffending_source": "rumour"}, None),
    "no answer": ({"alive": ""}, None),
    "not a date": ({"checked_on": "förra veckan"}, None),
}


@pytest.mark.parametrize("change", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gives_a_form_error_and_saves_nothing(client, cast, due, change):
    overrides, message = change
    client.force_login(cast.caseworker)
    before = snapshot(due)

    response = client.post(record_url(due), outcome(**overrides))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    if message:
        assert translated(message) in html
    else:
        assert "field--error" in html
    # What the user chose comes back.
    assert is_checked(html, "group_contact", "none")
    assert snapshot(due) == before
    assert not change_log(cast.case).exists()


def test_check_dated_before_the_case_ended_is_refused(client, cast):
    ended_on = days_ago(100)
    due = end_case(cast.case, ended_on=ended_on)[0]
    client.force_login(cast.caseworker)
    before = snapshot(due)

    response = client.post(record_url(due), outcome(checked_on=days_ago(101).isoformat()))

    assert response.status_code == 200
    assert (
        translated("The check cannot be dated before the case ended (%(date)s).", date=ended_on)
        in response.content.decode()
    )
    assert snapshot(due) == before
    assert not change_log(cast.case).exists()


def test_recording_twice_is_refused_and_the_first_outcome_kept(client, cast, due):
    client.force_login(cast.caseworker)
    client.post(record_url(due), outcome(housing="own_home"), follow=True)  # (reads its message)
    first = snapshot(due)

    response = client.post(record_url(due), outcome(housing="homeless", note="Ändrat."))

    assert response.status_code == 302
    assert response["Location"] == record_url(due)
    assert snapshot(due) == first
    messages = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    with translation.override("sv"):
        expected = gettext("This follow-up was already recorded. Write what is new in the journal.")
    assert messages == [("error", expected)]
    assert change_log(cast.case).count() == 1


def test_recorded_follow_up_is_shown_read_only_and_the_reading_logged(client, cast, due):
    client.force_login(cast.caseworker)
    client.post(record_url(due), outcome(housing="protected", note="Bor i skyddat boende."))
    client.force_login(cast.manager)

    response = client.get(record_url(due))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" novalidate' not in html
    assert 'name="housing"' not in html
    with translation.override("sv"):
        housing = escape(gettext("Protected housing"))
    assert housing in html
    assert "Bor i skyddat boende." in html
    assert str(cast.caseworker) in html  # who recorded it
    view = AccessLogEntry.objects.get(case=cast.case, action=AccessAction.VIEW)
    assert (view.user, view.object_type, view.detail) == (cast.manager, "followup", "follow-up")


def test_record_page_takes_a_fixed_number_of_queries(client, cast, due, django_assert_num_queries):
    client.force_login(cast.caseworker)
    client.get(record_url(due))  # warm the session and content-type caches
    with django_assert_num_queries(11):  # 9 + the form page's access-log row + unread count
        assert client.get(record_url(due)).status_code == 200


# --- The caseworker's home --------------------------------------------------------------------


def home_html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def due_soon(html: str) -> str:
    match = re.search(r'<section aria-labelledby="due-heading".*?</section>', html, re.S)
    assert match, "no due-soon section"
    return match.group(0)


def test_home_lists_the_due_follow_up_of_a_closed_case_with_a_link_to_record_it(client, cast, due):
    html = due_soon(home_html(client, cast.caseworker))

    assert cast.case.reference in html
    assert cast.case.client.full_name in html
    assert f'href="{record_url(due)}"' in html
    # Only the one that is due: the 6-, 12- and 24-month ones come later.
    later = cast.case.follow_ups.exclude(pk=due.pk)
    assert all(record_url(f) not in html for f in later)


def test_home_marks_an_overdue_follow_up(client, cast):
    due = end_case(cast.case, ended_on=days_ago(120))[0]
    assert due.due_on < today()

    html = due_soon(home_html(client, cast.caseworker))

    item = next(li for li in re.findall(r"<li>.*?</li>", html, re.S) if record_url(due) in li)
    assert '<span class="overdue">' in item


def test_home_leaves_out_a_recorded_follow_up(client, cast, due):
    client.force_login(cast.caseworker)
    client.post(record_url(due), outcome())

    html = due_soon(home_html(client, cast.caseworker))

    assert record_url(due) not in html
    assert cast.case.reference not in html


@pytest.mark.parametrize("who", ["outsider", "teammate"])
def test_home_shows_the_follow_up_only_to_the_assigned_caseworker(client, cast, due, who):
    html = home_html(client, getattr(cast, who))

    assert record_url(due) not in html
    assert cast.case.reference not in html


def test_home_takes_a_fixed_number_of_queries_whatever_is_due(
    client, cast, due, django_assert_num_queries
):
    client.force_login(cast.caseworker)
    # 10, the header's unread notifications and "My tasks"
    with django_assert_num_queries(10):
        client.get(reverse("home"))
    for n in range(8):
        case = CaseFactory(
            municipality=cast.stockholm, created_by=cast.manager, client=ClientFactory()
        )
        policy.case_grant_assignment(case=case, user=cast.caseworker)
        end_case(case, ended_on=days_ago(80 + 30 * n))
    with django_assert_num_queries(10):
        response = client.get(reverse("home"))
    assert response.content.decode().count("/follow-ups/") >= 9


# --- The case page ----------------------------------------------------------------------------


def test_case_page_shows_the_follow_ups_with_the_recorded_outcome(client, cast):
    follow_ups = end_case(cast.case, ended_on=days_ago(200))
    client.force_login(cast.caseworker)
    client.post(record_url(follow_ups[0]), outcome(housing="homeless", note="Sover hos vänner."))

    html = section(client.get(case_url(cast.case)).content.decode())

    for f in follow_ups:
        assert f.due_on.isoformat() in html
    assert translated("Homeless") in html
    assert "Sover hos vänner." in html
    # The 6-month one is overdue and waits for its outcome; the later ones only wait.
    assert html.count('class="tag tag--warn"') == 1
    assert record_url(follow_ups[0]) not in html
    assert all(record_url(f) in html for f in follow_ups[1:])


def test_teammate_reads_the_follow_ups_without_a_link_to_record(client, cast, due):
    client.force_login(cast.teammate)  # team visibility is on in Stockholm

    response = client.get(case_url(cast.case))

    assert response.status_code == 200
    html = section(response.content.decode())
    assert due.due_on.isoformat() in html
    assert record_url(due) not in html


def test_open_case_explains_when_follow_ups_come(client, cast):
    client.force_login(cast.caseworker)

    html = section(client.get(case_url(cast.case)).content.decode())

    assert "<table" not in html
    assert (
        translated(
            "No follow-up yet. When the case is completed or discontinued, follow-ups are "
            "scheduled 3, 6, 12 and 24 months after the end, and the assigned caseworkers are "
            "reminded when they are due."
        )
        in html
    )


def test_case_page_queries_do_not_grow_with_follow_ups(client, cast, django_assert_num_queries):
    client.force_login(cast.manager)
    client.get(case_url(cast.case))  # warm the content-type cache
    with CaptureQueriesContext(connection) as without:
        client.get(case_url(cast.case))
    follow_ups = end_case(cast.case, ended_on=days_ago(800))
    for f in follow_ups:
        services.follow_up_record(
            follow_up=f, by=cast.caseworker, checked_on=today(), alive="yes", housing="own_home"
        )

    with django_assert_num_queries(len(without.captured_queries)):
        response = client.get(case_url(cast.case))

    assert section(response.content.decode()).count("<tr>") == 5  # the head and four rows
