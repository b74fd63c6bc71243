"""Tasks (issue 11): for oneself or a colleague who works on the same case, with a due date,
marked done; on the home page ("My tasks") and as a section of the case page. Values looked
for carry the suffix "Tsk4v9"."""

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access import policy
from access.policy import CaseAccess
from audit.models import AccessAction, AccessLogEntry
from cases.models import CaseState
from cases.services import CaseRuleError
from notifications.models import Notification, NotificationKind
from reminders import services
from reminders.models import Task
from reminders.selectors import task_assignee_choices
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def _task(cast, *, title="Ring klienten Tsk4v9", by=None, to=None, due=None, case=None) -> Task:
    return services.task_create(
        case=case or cast.case,
        by=by or cast.caseworker,
        title=title,
        due_on=due or TODAY() + 3 * DAY,
        assigned_to=to or cast.caseworker,
        note="Anteckning Tsk4v9",
    )


@pytest.fixture
def colleague(cast):
    """The teammate, assigned to the case too: a colleague who may work on it."""
    policy.case_grant_assignment(case=cast.case, user=cast.teammate)
    return cast.teammate


# --- Services ---------------------------------------------------------------------------------


def test_a_task_for_a_colleague_notifies_them_and_is_logged(cast, colleague):
    task = _task(cast, to=colleague)
    assert (task.assigned_to, task.created_by, task.done_at) == (colleague, cast.caseworker, None)
    notification = Notification.objects.get(recipient=colleague)
    assert (notification.kind, notification.case) == (NotificationKind.TASK_ASSIGNED, cast.case)
    entry = AccessLogEntry.objects.get(case=cast.case, action=AccessAction.CREATE, detail="task")
    assert entry.user == cast.caseworker


def test_a_task_for_oneself_notifies_nobody(cast):
    _task(cast)
    assert not Notification.objects.exists()


def test_a_manager_may_give_a_task_to_the_assigned_caseworker(cast):
    task = _task(cast, by=cast.manager, to=cast.caseworker)
    assert Notification.objects.filter(recipient=cast.caseworker).count() == 1
    assert task.created_by == cast.manager


@pytest.mark.parametrize("who", ["teammate", "outsider", "police", "analyst"])
def test_a_task_goes_only_to_someone_who_may_edit_the_case(cast, who):
    with pytest.raises(CaseRuleError) as refused:
        _task(cast, to=getattr(cast, who))
    assert refused.value.code == "assigned_to"
    assert not Task.objects.exists()


@pytest.mark.parametrize("who", ["teammate", "outsider", "police"])
def test_only_who_may_edit_the_case_creates_a_task(cast, who):
    with pytest.raises(CaseRuleError) as refused:
        _task(cast, by=getattr(cast, who))
    assert refused.value.code == "forbidden"


def test_the_assignee_choices_are_the_case_editors(cast, colleague):
    assert set(task_assignee_choices(case=cast.case)) == {cast.caseworker, colleague, cast.manager}


@pytest.mark.parametrize(
    ("due", "code"), [(-1, "due_on"), (400, "due_on")], ids=["past", "beyond-a-year"]
)
def test_a_due_date_in_the_past_or_beyond_a_year_is_refused(cast, due, code):
    with pytest.raises(CaseRuleError) as refused:
        _task(cast, due=TODAY() + due * DAY)
    assert refused.value.code == code


def test_an_empty_title_is_refused(cast):
    with pytest.raises(CaseRuleError) as refused:
        _task(cast, title="   ")
    assert refused.value.code == "title"


def test_a_closed_case_gets_no_new_task(cast):
    cast.case.state = CaseState.COMPLETED
    cast.case.save(update_fields=["state"])
    with pytest.raises(CaseRuleError) as refused:
        _task(cast)
    assert refused.value.code == "closed"


def test_marking_done_records_who_and_when_once(cast, colleague):
    task = _task(cast, to=colleague)
    done = services.task_complete(task=task, by=colleague)
    assert done.done_by == colleague and done.done_at is not None
    assert AccessLogEntry.objects.filter(detail="task done", user=colleague).count() == 1
    with pytest.raises(CaseRuleError) as refused:
        services.task_complete(task=task, by=cast.caseworker)
    assert refused.value.code == "done"


def test_a_teammate_who_only_reads_cannot_mark_done(cast):
    task = _task(cast)
    with pytest.raises(CaseRuleError):
        services.task_complete(task=task, by=cast.teammate)
    task.refresh_from_db()
    assert task.done_at is None


# --- The daily "task due" job -------------------------------------------------------------------


def test_the_due_job_notifies_each_task_once_per_due_date(cast, colleague):
    due_today = _task(cast, to=colleague, due=TODAY())
    _task(cast, to=colleague, title="Senare Tsk4v9", due=TODAY() + 5 * DAY)
    assert services.tasks_notify_due(today=TODAY()) == 1
    assert services.tasks_notify_due(today=TODAY()) == 0  # run again the same day
    assert services.tasks_notify_due(today=TODAY() + DAY) == 0  # and the next: still overdue
    notes = Notification.objects.filter(kind=NotificationKind.TASK_DUE)
    assert [(n.recipient, n.case) for n in notes] == [(colleague, cast.case)]
    assert due_today.pk in {int(n.key.split(":")[1]) for n in notes}


def test_the_due_job_skips_done_tasks_and_assignees_who_lost_the_case(cast, colleague):
    done = _task(cast, due=TODAY())
    services.task_complete(task=done, by=cast.caseworker)
    _task(cast, to=colleague, due=TODAY())
    policy.case_revoke_assignment(case=cast.case, user=colleague)
    cast.stockholm.team_visibility = False  # so the colleague reads the case no more
    cast.stockholm.save(update_fields=["team_visibility"])
    assert services.tasks_notify_due(today=TODAY() + DAY) == 0
    assert not Notification.objects.filter(kind=NotificationKind.TASK_DUE).exists()


def test_the_due_job_skips_tasks_of_closed_cases(cast, colleague):
    _task(cast, to=colleague, due=TODAY())
    type(cast.case).objects.filter(pk=cast.case.pk).update(
        state=CaseState.COMPLETED, closed_on=TODAY()
    )
    assert services.tasks_notify_due(today=TODAY() + DAY) == 0
    assert not Notification.objects.filter(kind=NotificationKind.TASK_DUE).exists()


# --- Pages ----------------------------------------------------------------------------------------


def test_the_form_creates_a_task_for_a_colleague(login, cast, colleague):
    client = login(cast.caseworker)
    url = reverse("reminders:task_new", args=[cast.case.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'for="id_title"' in text and 'for="id_assigned_to"' in text
    assert colleague.get_full_name() in text and cast.outsider.get_full_name() not in text
    response = client.post(
        url,
        {
            "title": "Boka möte Tsk4v9",
            "due_on": (TODAY() + 2 * DAY).isoformat(),
            "assigned_to": colleague.pk,
            "note": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#tasks")
    assert Task.objects.get().assigned_to == colleague
    assert AccessLogEntry.objects.filter(detail="task form", action=AccessAction.VIEW).count() == 1


def test_bad_input_is_shown_on_the_form_and_kept(login, cast):
    client = login(cast.caseworker)
    response = client.post(
        reverse("reminders:task_new", args=[cast.case.pk]),
        {
            "title": "Behålls Tsk4v9",
            "due_on": (TODAY() - 3 * DAY).isoformat(),
            "assigned_to": cast.caseworker.pk,
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "error-summary" in text and "Behålls Tsk4v9" in text
    assert not Task.objects.exists()


def test_a_date_that_is_no_date_is_a_form_error(login, cast):
    client = login(cast.caseworker)
    response = client.post(
        reverse("reminders:task_new", args=[cast.case.pk]),
        {"title": "Datum Tsk4v9", "due_on": "2026-13-45", "assigned_to": cast.caseworker.pk},
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "police", "police_unshared", "teammate", "analyst"])
def test_who_may_not_edit_the_case_gets_404_on_the_task_pages(login, cast, who):
    task = _task(cast)
    client = login(getattr(cast, who))
    assert client.get(reverse("reminders:task_new", args=[cast.case.pk])).status_code == 404
    done_url = reverse("reminders:task_done", args=[cast.case.pk, task.pk])
    assert client.post(done_url).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_a_task_of_another_case_gets_404(login, cast):
    other_case = CaseFactory(
        municipality=cast.stockholm, created_by=cast.manager, client=ClientFactory()
    )
    policy.case_grant_assignment(case=other_case, user=cast.caseworker)
    task = _task(cast, case=other_case)
    client = login(cast.caseworker)
    response = client.post(reverse("reminders:task_done", args=[cast.case.pk, task.pk]))
    assert response.status_code == 404


def test_marking_done_on_the_case_page(login, cast):
    task = _task(cast)
    client = login(cast.caseworker)
    response = client.post(reverse("reminders:task_done", args=[cast.case.pk, task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_by == cast.caseworker
    assert (
        client.get(reverse("reminders:task_done", args=[cast.case.pk, task.pk])).status_code == 405
    )


def test_the_case_page_shows_the_tasks_with_the_overdue_marked(login, cast):
    task = _task(cast, title="Försenad Tsk4v9")
    Task.objects.filter(pk=task.pk).update(due_on=TODAY() - 2 * DAY)
    text = login(cast.caseworker).get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert 'id="tasks"' in text and "Försenad Tsk4v9" in text and "Anteckning Tsk4v9" in text
    assert reverse("reminders:task_new", args=[cast.case.pk]) in text
    assert reverse("reminders:task_done", args=[cast.case.pk, task.pk]) in text


def test_a_teammate_reads_the_tasks_but_gets_no_buttons(login, cast):
    task = _task(cast, title="Läsbar Tsk4v9")
    text = login(cast.teammate).get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert "Läsbar Tsk4v9" in text
    assert reverse("reminders:task_new", args=[cast.case.pk]) not in text
    assert reverse("reminders:task_done", args=[cast.case.pk, task.pk]) not in text


def test_the_police_never_see_tasks(login, cast):
    _task(cast, title="Hemlig Tsk4v9")
    client = login(cast.police)
    shared = client.get(reverse("cases:shared", args=[cast.case.pk]))
    assert shared.status_code == 200 and "Hemlig Tsk4v9" not in shared.content.decode()
    assert client.get(reverse("cases:detail", args=[cast.case.pk])).status_code == 404
    assert "Hemlig Tsk4v9" not in client.get(reverse("home")).content.decode()


def test_home_lists_my_open_tasks_overdue_marked_each_linking_to_its_case(login, cast, colleague):
    late = _task(cast, to=colleague, title="Sen uppgift Tsk4v9")
    Task.objects.filter(pk=late.pk).update(due_on=TODAY() - DAY)
    _task(cast, to=colleague, title="Kommande uppgift Tsk4v9")
    finished = _task(cast, to=colleague, title="Klar uppgift Tsk4v9")
    services.task_complete(task=finished, by=colleague)
    _task(cast, title="Kims egen Tsk4v9")
    text = login(colleague).get(reverse("home")).content.decode()
    assert "Sen uppgift Tsk4v9" in text and "Kommande uppgift Tsk4v9" in text
    assert "Klar uppgift Tsk4v9" not in text and "Kims egen Tsk4v9" not in text
    assert text.index("Sen uppgift Tsk4v9") < text.index("Kommande uppgift Tsk4v9")
    late_item = text[text.index("Sen uppgift Tsk4v9") :][:300]
    assert 'class="overdue"' in late_item
    assert f'href="{reverse("cases:detail", args=[cast.case.pk])}#tasks"' in text


def test_home_hides_tasks_of_a_case_the_user_no_longer_reads(login, cast, colleague):
    _task(cast, to=colleague, title="Borttagen Tsk4v9")
    policy.case_revoke_assignment(case=cast.case, user=colleague)
    cast.stockholm.team_visibility = False
    cast.stockholm.save(update_fields=["team_visibility"])
    text = login(colleague).get(reverse("home")).content.decode()
    assert "Borttagen Tsk4v9" not in text


def test_the_case_section_takes_one_query_whatever_the_tasks(cast, django_assert_num_queries):
    template = Template("{% load task_sections %}{% case_task_section case access=access %}")
    access = CaseAccess(read=True, edit=True)
    with django_assert_num_queries(1):
        template.render(Context({"case": cast.case, "access": access}))
    for i in range(5):
        _task(cast, title=f"Många {i} Tsk4v9")
    with django_assert_num_queries(1):
        html = template.render(Context({"case": cast.case, "access": access}))
    assert "Många 4 Tsk4v9" in html


def test_the_home_page_queries_do_not_grow_with_tasks(login, cast, colleague):
    client = login(colleague)
    client.get(reverse("home"))  # the session and the language settle
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    for i in range(6):
        _task(cast, to=colleague, title=f"Hem {i} Tsk4v9")
    with CaptureQueriesContext(connection) as after:
        text = client.get(reverse("home")).content.decode()
    assert "Hem 5 Tsk4v9" in text
    assert len(after.captured_queries) == len(before.captured_queries)
