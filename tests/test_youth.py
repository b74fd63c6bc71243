"""The youth section (issue 12): reports of concern to the child unit, the reminder of a young
client's case without one, joint meetings with their agreed actions (tasks), and the police
part of a meeting, shown to a police liaison only where the case is shared with them."""

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import YouthRules
from audit.models import AccessAction, AccessLogEntry
from audit.sentences import describe
from cases.models import Case, CaseState, Client, Consent
from cases.services import CaseRuleError
from cases.tabs import case_section_url, case_tab_url
from notifications.models import Notification, NotificationKind
from reminders.models import Task
from tests.factories import CaseFactory
from youth import services
from youth.models import (
    AgreedAction,
    ConcernChannel,
    JointMeeting,
    JointMeetingParticipant,
    OrganisationKind,
    ReportOfConcern,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
SAID = "Oro-sagt-k4v8"
NOTES = "Motesanteckning-h2q9"
POLICE_PART = "Polisdel-x7m3"
PARTICIPANT = "Rektor-Lund-p5z1"
CHILD_UNIT = "Barnenheten Söder-b8n2"
# Who may not open the youth forms: another municipality's caseworker, a teammate who reads
# but does not work the case, the police liaisons (with and without a share), the analyst
# and the administrator.
NOT_EDITORS = ["outsider", "teammate", "police", "police_unshared", "analyst", "administrator"]
# Who may not read a meeting at all.
NON_READERS = ["outsider", "police_unshared", "analyst", "administrator"]


def _years_ago(years: int, days: int = 0) -> datetime.date:
    today = TODAY()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def _young(case: Case, *, age: int = 16) -> Client:
    client = case.client
    client.birth_date = _years_ago(age, days=10)
    client.save(update_fields=["birth_date"])
    return client


def _report(cast, **extra) -> ReportOfConcern:
    values = {
        "made_on": TODAY(),
        "made_by": cast.caseworker,
        "made_to": CHILD_UNIT,
        "how": ConcernChannel.PHONE,
        "what_was_said": SAID,
    } | extra
    return services.report_of_concern_record(case=cast.case, by=cast.caseworker, **values)


def _meeting(cast, *, police_part: str = POLICE_PART, actions=()) -> JointMeeting:
    return services.joint_meeting_record(
        case=cast.case,
        by=cast.caseworker,
        held_on=TODAY(),
        consent=cast.consent,
        participants=[
            services.Participant(name=PARTICIPANT, organisation=OrganisationKind.SCHOOL),
            services.Participant(name="Polis Berg", organisation=OrganisationKind.POLICE),
        ],
        notes=NOTES,
        police_part=police_part,
        actions=actions,
    )


def _report_form(cast, **overrides) -> dict[str, str]:
    return {
        "made_on": TODAY().isoformat(),
        "made_by": str(cast.caseworker.pk),
        "made_to": CHILD_UNIT,
        "how": "phone",
        "what_was_said": SAID,
    } | overrides


def _meeting_form(cast, **overrides) -> dict[str, str]:
    data = {
        "held_on": TODAY().isoformat(),
        "consent": str(cast.consent.pk),
        "notes": NOTES,
        "police_part": POLICE_PART,
        "participants-TOTAL_FORMS": "3",
        "participants-INITIAL_FORMS": "0",
        "participants-0-name": PARTICIPANT,
        "participants-0-organisation": "school",
        "participants-1-name": "Fritidsledare Ek",
        "participants-1-organisation": "leisure",
        "participants-2-name": "",
        "participants-2-organisation": "",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-0-title": "Ring skolan-a3c6",
        "actions-0-responsible": str(cast.manager.pk),
        "actions-0-due_on": (TODAY() + 7 * DAY).isoformat(),
        "actions-1-title": "",
        "actions-1-responsible": "",
        "actions-1-due_on": "",
    }
    return data | overrides


def report_url(case) -> str:
    return reverse("youth:report_of_concern_new", args=[case.pk])


def meeting_new_url(case) -> str:
    return reverse("youth:joint_meeting_new", args=[case.pk])


def meeting_url(case, meeting) -> str:
    return reverse("youth:joint_meeting", args=[case.pk, meeting.pk])


def youth_tab(case) -> str:
    return case_tab_url(case.pk, "youth")


# --- Reports of concern -------------------------------------------------------------------------


def test_caseworker_records_a_report_of_concern(client, cast):
    _young(cast.case)
    client.force_login(cast.caseworker)
    form = client.get(report_url(cast.case))
    assert form.status_code == 200
    opened = AccessLogEntry.objects.get(user=cast.caseworker, action=AccessAction.VIEW)
    assert opened.detail == "report of concern form"
    response = client.post(report_url(cast.case), _report_form(cast))
    assert response["Location"] == case_section_url(cast.case.pk, "youth")
    report = ReportOfConcern.objects.get()
    assert (report.made_to, report.how, report.what_was_said) == (CHILD_UNIT, "phone", SAID)
    assert report.made_by == cast.caseworker and report.recorded_by == cast.caseworker
    entry = AccessLogEntry.objects.get(action=AccessAction.CREATE, detail="report of concern")
    assert entry.case_id == cast.case.pk and entry.object_id == str(report.pk)
    text = client.get(youth_tab(cast.case)).content.decode()
    assert SAID in text and CHILD_UNIT in text


def test_the_form_offers_the_child_unit_of_the_youth_rules(client, cast):
    YouthRules.objects.create(municipality=cast.stockholm, child_unit_name=CHILD_UNIT)
    client.force_login(cast.caseworker)
    assert f'value="{CHILD_UNIT}"' in client.get(report_url(cast.case)).content.decode()


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_others_get_404_on_the_report_form(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(report_url(cast.case)).status_code == 404
    assert client.post(report_url(cast.case), _report_form(cast)).status_code == 404
    assert not ReportOfConcern.objects.exists()


def test_a_bad_report_keeps_what_was_typed(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        report_url(cast.case), _report_form(cast, made_on=(TODAY() + DAY).isoformat())
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="error-summary"' in text and SAID in text and CHILD_UNIT in text
    response = client.post(report_url(cast.case), _report_form(cast, what_was_said=""))
    assert response.status_code == 200 and CHILD_UNIT in response.content.decode()
    assert not ReportOfConcern.objects.exists()


def test_the_service_refuses_who_may_not_edit_and_a_maker_outside_the_case(cast):
    with pytest.raises(CaseRuleError):
        services.report_of_concern_record(
            case=cast.case, by=cast.teammate, made_on=TODAY(), made_by=cast.teammate,
            made_to=CHILD_UNIT, how=ConcernChannel.LETTER, what_was_said=SAID,
        )  # fmt: skip
    with pytest.raises(CaseRuleError):
        _report(cast, made_by=cast.outsider)
    assert not ReportOfConcern.objects.exists()


def test_a_report_of_concern_is_append_only(cast):
    report = _report(cast)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReportOfConcern.objects.filter(pk=report.pk).update(what_was_said="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        report.delete()


# --- The youth section and its notice ---------------------------------------------------------


def test_a_young_clients_case_shows_the_notice_until_a_report_is_recorded(client, cast):
    _young(cast.case)
    YouthRules.objects.create(
        municipality=cast.stockholm,
        child_unit_name=CHILD_UNIT,
        child_unit_phone="08-508 11 22",
        child_unit_email="barnenheten@example.org",
    )
    client.force_login(cast.caseworker)
    overview = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert f'href="{youth_tab(cast.case)}"' in overview  # the tab is in the menu
    text = client.get(youth_tab(cast.case)).content.decode()
    assert 'id="report-of-concern-missing"' in text
    assert CHILD_UNIT in text and "08-508 11 22" in text and "barnenheten@example.org" in text
    assert report_url(cast.case) in text and meeting_new_url(cast.case) in text
    _report(cast)
    text = client.get(youth_tab(cast.case)).content.decode()
    assert 'id="report-of-concern-missing"' not in text and SAID in text


def test_an_adults_case_has_no_youth_tab_in_the_menu_and_no_notice(client, cast):
    client.force_login(cast.caseworker)
    overview = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert f'href="{youth_tab(cast.case)}"' not in overview
    text = client.get(youth_tab(cast.case)).content.decode()
    assert 'id="youth"' in text and 'id="report-of-concern-missing"' not in text


def test_a_case_on_the_youth_path_has_the_tab(client, cast):
    Case.objects.filter(pk=cast.case.pk).update(youth_path=True)
    client.force_login(cast.caseworker)
    overview = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert f'href="{youth_tab(cast.case)}"' in overview


@pytest.mark.parametrize("who", ["caseworker", "teammate", "manager"])
def test_who_reads_the_case_sees_the_whole_meeting_on_the_tab(client, cast, who):
    _meeting(cast)
    client.force_login(getattr(cast, who))
    text = client.get(youth_tab(cast.case)).content.decode()
    assert NOTES in text and POLICE_PART in text and PARTICIPANT in text
    # Only who may edit the case gets the forms' links.
    assert (report_url(cast.case) in text) == (who != "teammate")


def test_the_youth_tab_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    _young(cast.case)
    client.force_login(cast.manager)
    url = youth_tab(cast.case)
    client.get(url)  # warm the content-type cache
    _report(cast)
    _meeting(cast, actions=[services.Action("A", cast.manager, TODAY() + DAY)])
    with django_assert_num_queries(YOUTH_TAB_QUERIES) as small:
        client.get(url)
    for i in range(4):
        _report(cast, what_was_said=f"Fler {i}")
        _meeting(
            cast,
            actions=[
                services.Action(f"B{i}", cast.caseworker, TODAY() + DAY),
                services.Action(f"C{i}", cast.manager, TODAY() + 2 * DAY),
            ],
        )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and "C3" in response.content.decode()


# The case page's common part (17) and the youth section's 5: the youth rules, the reports, the
# meetings, their participants and their actions with the tasks (tests/test_case_page.py).
YOUTH_TAB_QUERIES = 22


# --- Joint meetings ---------------------------------------------------------------------------


def test_caseworker_records_a_meeting_whose_actions_become_tasks(client, cast):
    client.force_login(cast.caseworker)
    assert client.get(meeting_new_url(cast.case)).status_code == 200
    assert AccessLogEntry.objects.filter(detail="joint meeting form").count() == 1
    response = client.post(meeting_new_url(cast.case), _meeting_form(cast))
    assert response["Location"] == case_section_url(cast.case.pk, "youth")
    meeting = JointMeeting.objects.get()
    assert (meeting.notes, meeting.police_part, meeting.consent) == (
        NOTES,
        POLICE_PART,
        cast.consent,
    )
    assert [(p.name, p.organisation) for p in meeting.participants.all()] == [
        (PARTICIPANT, "school"),
        ("Fritidsledare Ek", "leisure"),
    ]
    task = Task.objects.get()
    assert (task.title, task.assigned_to, task.due_on, task.case) == (
        "Ring skolan-a3c6",
        cast.manager,
        TODAY() + 7 * DAY,
        cast.case,
    )
    assert AgreedAction.objects.get().task == task and task.joint_meeting_action.meeting == meeting
    # The responsible hears of it as of every task given to them.
    assert Notification.objects.filter(
        recipient=cast.manager, kind=NotificationKind.TASK_ASSIGNED
    ).exists()
    details = set(AccessLogEntry.objects.values_list("detail", flat=True))
    assert {"joint meeting", "task"} <= details
    text = client.get(youth_tab(cast.case)).content.decode()
    assert "Ring skolan-a3c6" in text and meeting_url(cast.case, meeting) in text


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_others_get_404_on_the_meeting_form(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(meeting_new_url(cast.case)).status_code == 404
    assert client.post(meeting_new_url(cast.case), _meeting_form(cast)).status_code == 404
    assert not JointMeeting.objects.exists() and not Task.objects.exists()


def test_a_consent_not_valid_on_the_day_is_refused_keeping_every_row(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    foreign = Consent.objects.create(
        case=other, recorded_by=cast.manager, information=["identity"], valid_from=TODAY()
    )
    expired = Consent.objects.create(
        case=cast.case, recorded_by=cast.manager, information=["identity"],
        valid_from=TODAY() - 90 * DAY, valid_until=TODAY() - 30 * DAY,
    )  # fmt: skip
    client.force_login(cast.caseworker)
    for consent in (foreign, expired):
        response = client.post(meeting_new_url(cast.case), _meeting_form(cast, consent=consent.pk))
        assert response.status_code == 200
        text = response.content.decode()
        assert NOTES in text and POLICE_PART in text and PARTICIPANT in text
        assert "Ring skolan-a3c6" in text
    assert not JointMeeting.objects.exists() and not Task.objects.exists()


def test_an_action_without_responsible_or_a_past_due_date_saves_nothing(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        meeting_new_url(cast.case), _meeting_form(cast, **{"actions-0-responsible": ""})
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    past = (TODAY() - DAY).isoformat()
    response = client.post(
        meeting_new_url(cast.case), _meeting_form(cast, **{"actions-0-due_on": past})
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="error-summary"' in text and NOTES in text and "Ring skolan-a3c6" in text
    assert not JointMeeting.objects.exists() and not Task.objects.exists()
    assert not JointMeetingParticipant.objects.exists()


def test_a_meeting_without_participants_is_refused(cast):
    with pytest.raises(CaseRuleError):
        services.joint_meeting_record(
            case=cast.case, by=cast.caseworker, held_on=TODAY(), consent=cast.consent,
            participants=[], notes=NOTES,
        )  # fmt: skip


def test_a_meeting_is_append_only(cast):
    meeting = _meeting(cast, actions=[services.Action("A", cast.manager, TODAY() + DAY)])
    for qs, field in [
        (JointMeeting.objects.filter(pk=meeting.pk), "notes"),
        (JointMeetingParticipant.objects.filter(meeting=meeting), "name"),
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            qs.update(**{field: "x"})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AgreedAction.objects.filter(meeting=meeting).delete()
    # Its tasks are marked done as every task is.
    task = Task.objects.get()
    from reminders.services import task_complete

    assert task_complete(task=task, by=cast.manager).is_done


# --- Who reads a meeting ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "teammate", "manager"])
def test_staff_who_read_the_case_see_the_whole_meeting(client, cast, who):
    meeting = _meeting(cast)
    client.force_login(getattr(cast, who))
    response = client.get(meeting_url(cast.case, meeting))
    assert response.status_code == 200
    text = response.content.decode()
    assert NOTES in text and POLICE_PART in text and PARTICIPANT in text
    entry = AccessLogEntry.objects.get(user=getattr(cast, who), action=AccessAction.VIEW)
    assert entry.detail == "joint meeting"


@pytest.mark.parametrize("who", NON_READERS)
def test_others_get_404_on_a_meeting(client, cast, who):
    meeting = _meeting(cast)
    client.force_login(getattr(cast, who))
    response = client.get(meeting_url(cast.case, meeting))
    assert response.status_code == 404
    assert POLICE_PART not in response.content.decode()


def test_the_liaison_with_a_share_sees_only_the_police_part(client, cast):
    meeting = _meeting(cast)
    client.force_login(cast.police)
    response = client.get(meeting_url(cast.case, meeting))
    assert response.status_code == 200
    text = response.content.decode()
    assert POLICE_PART in text
    assert NOTES not in text and PARTICIPANT not in text
    entry = AccessLogEntry.objects.get(user=cast.police, action=AccessAction.VIEW)
    assert entry.detail == "joint meeting police part"
    shared = client.get(reverse("cases:shared", args=[cast.case.pk])).content.decode()
    assert POLICE_PART in shared and NOTES not in shared and PARTICIPANT not in shared
    # The case page's youth tab stays closed to the liaison.
    assert client.get(youth_tab(cast.case)).status_code == 404


def test_a_meeting_with_no_police_part_is_404_for_the_liaison(client, cast):
    meeting = _meeting(cast, police_part="")
    client.force_login(cast.police)
    assert client.get(meeting_url(cast.case, meeting)).status_code == 404


def test_the_liaison_loses_the_police_part_when_the_share_ends(client, cast):
    meeting = _meeting(cast)
    cast.case.police_shares.update(ended_at=timezone.now())
    client.force_login(cast.police)
    assert client.get(meeting_url(cast.case, meeting)).status_code == 404


def test_a_meeting_of_another_case_is_404(client, cast):
    meeting = _meeting(cast)
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    client.force_login(cast.manager)
    assert client.get(meeting_url(other, meeting)).status_code == 404


def test_the_meeting_page_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    small = _meeting(cast, actions=[services.Action("A", cast.manager, TODAY() + DAY)])
    large = _meeting(
        cast,
        actions=[services.Action(f"B{i}", cast.manager, TODAY() + DAY) for i in range(6)],
    )
    client.force_login(cast.caseworker)
    client.get(meeting_url(cast.case, small))  # warm the content-type cache
    for meeting in (small, large):
        with django_assert_num_queries(MEETING_QUERIES):
            assert client.get(meeting_url(cast.case, meeting)).status_code == 200


# The session and user, the case, the access (the grants, the assignment, the share), the
# meeting with its consent, its participants and its actions with their tasks, the log entry
# and the header's unread notifications.
MEETING_QUERIES = 14


# --- The reminder -----------------------------------------------------------------------------


def _notified(case) -> list[int]:
    return list(
        Notification.objects.filter(
            case=case, kind=NotificationKind.REPORT_OF_CONCERN_MISSING
        ).values_list("recipient_id", flat=True)
    )


def test_the_reminder_notifies_the_caseworkers_once_per_case(cast):
    _young(cast.case)
    assert cast.case.opened_on <= TODAY() - 3 * DAY
    assert services.reports_of_concern_notify_missing(today=TODAY()) == 1
    assert _notified(cast.case) == [cast.caseworker.pk]
    assert services.reports_of_concern_notify_missing(today=TODAY()) == 0
    assert services.reports_of_concern_notify_missing(today=TODAY() + DAY) == 0
    assert _notified(cast.case) == [cast.caseworker.pk]


def test_no_reminder_for_an_adult_a_reported_a_new_or_a_closed_case(cast):
    assert services.reports_of_concern_notify_missing(today=TODAY()) == 0  # an adult
    _young(cast.case)
    _report(cast)
    assert services.reports_of_concern_notify_missing(today=TODAY()) == 0
    fresh = CaseFactory(
        municipality=cast.stockholm, created_by=cast.manager, opened_on=TODAY() - DAY
    )
    closed = CaseFactory(
        municipality=cast.stockholm, created_by=cast.manager, state=CaseState.COMPLETED
    )
    for case in (fresh, closed):
        _young(case)
        from access import policy

        policy.case_grant_assignment(case=case, user=cast.caseworker)
    assert services.reports_of_concern_notify_missing(today=TODAY()) == 0
    # Three days after it opened, the new case is reminded of.
    assert services.reports_of_concern_notify_missing(today=TODAY() + 2 * DAY) == 1
    assert _notified(fresh) == [cast.caseworker.pk] and not _notified(closed)


def test_the_beat_runs_the_reminder_daily():
    from django.conf import settings

    from youth.tasks import notify_reports_of_concern_missing

    entry = settings.CELERY_BEAT_SCHEDULE["notify-reports-of-concern-missing"]
    assert entry["task"] == notify_reports_of_concern_missing.name


# --- The access log in words ------------------------------------------------------------------


def test_every_youth_entry_reads_as_a_sentence(client, cast):
    meeting = _meeting(cast)
    _report(cast)
    client.force_login(cast.caseworker)
    client.get(report_url(cast.case))
    client.get(meeting_new_url(cast.case))
    client.get(meeting_url(cast.case, meeting))
    client.force_login(cast.police)
    client.get(meeting_url(cast.case, meeting))
    client.force_login(cast.outsider)
    client.get(meeting_url(cast.case, meeting))
    entries = AccessLogEntry.objects.select_related("user")
    assert entries.count() >= 7
    assert {e.detail for e in entries} >= {
        "joint meeting",
        "joint meeting police part",
        "report of concern",
        "report of concern form",
        "joint meeting form",
        "refused: joint meeting",
    }
    for entry in entries:
        assert describe(entry).known, entry.detail
