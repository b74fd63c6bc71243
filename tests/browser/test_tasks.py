"""A caseworker creates a task for a colleague on the same case; the colleague signs in and
sees the count in the header, the notification and the task on the home page (issue 11).
Values looked for carry the suffix "Tsk7b3m"."""

import datetime

from django.utils import timezone
from playwright.sync_api import Browser, expect

from access import policy
from notifications.models import Notification, NotificationKind
from reminders.models import Task


def test_a_task_for_a_colleague_reaches_them(
    browser: Browser, live_server, cast, log_in, axe_check
):
    policy.case_grant_assignment(case=cast.case, user=cast.teammate)
    due = timezone.localdate() + datetime.timedelta(days=2)

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}/cases/{cast.case.pk}/")
    page.locator("#tasks a[href$='/tasks/new/']").click()
    page.locator("#id_title").fill("Ring frivården Tsk7b3m")
    page.locator("#id_due_on").fill(due.isoformat())
    page.locator("#id_assigned_to").select_option(label=cast.teammate.get_full_name())
    page.locator("#id_note").fill("Fråga om besökstider Tsk7b3m")
    axe_check(page, name="task-form-1280")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#tasks")).to_contain_text("Ring frivården Tsk7b3m")
    axe_check(page, name="case-tasks-1280")
    task = Task.objects.get()
    assert (task.assigned_to, task.created_by) == (cast.teammate, cast.caseworker)

    colleague = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(colleague, cast.teammate)
    badge = colleague.locator(".site-header .notification-link .count-badge")
    expect(badge).to_contain_text("1")
    tasks = colleague.locator("section[aria-labelledby='tasks-heading']")
    expect(tasks).to_contain_text("Ring frivården Tsk7b3m")
    expect(tasks.locator(f"a[href='/cases/{cast.case.pk}/#tasks']")).to_have_text(
        cast.case.reference
    )
    axe_check(colleague, name="home-tasks-1280")
    colleague.set_viewport_size({"width": 375, "height": 800})
    axe_check(colleague, name="home-tasks-375")
    colleague.set_viewport_size({"width": 1280, "height": 900})

    colleague.locator(".site-header .notification-link").click()
    row = colleague.locator("tr.notification--unread")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(cast.case.reference)
    expect(colleague.locator("main")).not_to_contain_text("Ring frivården Tsk7b3m")
    axe_check(colleague, name="notifications-1280")
    colleague.set_viewport_size({"width": 375, "height": 800})
    axe_check(colleague, name="notifications-375")
    row.locator("button[type=submit]").click()
    expect(colleague.locator("tr.notification--unread")).to_have_count(0)
    expect(colleague.locator(".site-header .count-badge")).to_have_count(0)
    notification = Notification.objects.get(recipient=cast.teammate)
    assert notification.kind == NotificationKind.TASK_ASSIGNED and notification.read_at

    colleague.goto(f"{live_server.url}/notifications/preferences/")
    axe_check(colleague, name="notification-preferences-375")
    colleague.set_viewport_size({"width": 1280, "height": 900})
    axe_check(colleague, name="notification-preferences-1280")
