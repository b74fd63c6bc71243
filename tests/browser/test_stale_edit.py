"""Two people edit one record in two browsers: the second, stale form is refused with the
current values shown and the second person's input kept (issue 10, optimistic locking).
Values looked for carry the suffix "Kanarie2p5d"."""

from django.utils import translation
from playwright.sync_api import Browser, expect

from accounts.models import Role
from cases.models import CaseState, Intervention, InterventionType
from tests.conftest import make_user


def test_a_stale_intervention_form_is_refused_with_the_current_values(
    browser: Browser, live_server, cast, log_in, axe_check
):
    intervention = Intervention.objects.create(
        case=cast.case,
        created_by=cast.manager,
        type=InterventionType.objects.get(code="mentor"),
        status="planned",
    )
    url = f"{live_server.url}/cases/{cast.case.pk}/interventions/{intervention.pk}/edit/"
    first = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    second = browser.new_context(viewport={"width": 375, "height": 900}).new_page()
    log_in(first, cast.caseworker)
    log_in(second, cast.manager)
    first.goto(url)
    second.goto(url)

    first.locator("[name=outcome_note]").fill("Kanarie2p5d först")
    first.locator("main form.form button[type=submit]").click()
    expect(first.locator(".messages")).to_be_visible()

    second.locator("[name=outcome_note]").fill("Kanarie2p5d sedan")
    second.locator("main form.form button[type=submit]").click()
    expect(second.locator("#current-values")).to_contain_text("Kanarie2p5d först")
    expect(second.locator("[name=outcome_note]")).to_have_value("Kanarie2p5d sedan")
    expect(second.locator("main")).to_contain_text("Någon annan ändrade insatsen")
    axe_check(second, name="stale-intervention-375")
    intervention.refresh_from_db()
    assert intervention.outcome_note == "Kanarie2p5d först"


def test_a_stale_decision_on_the_case_page_is_refused_with_the_state_now(
    browser: Browser, live_server, cast, log_in, axe_check
):
    """Two managers decide on one case: the second, whose page was opened before the first
    decision, is told the state the case is in now, and finds the reason typed kept."""
    other = make_user("mona", Role.MANAGER, municipality=cast.stockholm)
    cast.manager.first_name = "Kanarie2p5d"
    cast.manager.save(update_fields=["first_name"])
    url = f"{live_server.url}/cases/{cast.case.pk}/"
    first = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    second = browser.new_context(viewport={"width": 375, "height": 900}).new_page()
    log_in(first, cast.manager)
    log_in(second, other)
    first.goto(url)
    second.goto(url)

    first.locator("#decisions input[name=to_state][value=completed]").check()
    first.locator("#decisions textarea[name=reason]").fill("Kanarie2p5d målen nådda")
    first.locator("#decisions button[type=submit]").click()
    # Closing goes through the checklist, confirmed there.
    first.locator("input[name=confirm_closing]").check()
    first.locator("main form.form button[type=submit]").click()
    expect(first.locator(".messages")).to_be_visible()

    second.locator("#decisions input[name=to_state][value=discontinued]").check()
    second.locator("#decisions textarea[name=reason]").fill("Kanarie2p5d avbryts")
    second.locator("#decisions button[type=submit]").click()
    with translation.override("sv"):  # the page's language
        completed = str(CaseState.COMPLETED.label)
    expect(second.locator(".messages")).to_contain_text(completed)
    expect(second.locator(".messages")).to_contain_text("Kanarie2p5d")  # who decided
    # A completed case takes no decision: the reason typed is shown, not lost.
    expect(second.locator("#unsaved-reason")).to_contain_text("Kanarie2p5d avbryts")
    axe_check(second, name="stale-decision-375")
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.COMPLETED
