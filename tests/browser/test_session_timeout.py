"""The session's time-out in a real browser, with a session of a few seconds: the warning
comes before the end and "Stay signed in" keeps the session; text typed into a form when the
session ends is kept in the tab's sessionStorage (never localStorage), filled in again after
signing in, and gone after a successful submit or a logout."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.models import JournalEntry

AGE = 12  # seconds: the warning comes at half of it, the end a second after it

DRAFTS_JS = """() => Object.keys(sessionStorage).filter((k) => k.startsWith('exitprog.draft:'))
  .map((k) => sessionStorage.getItem(k))"""


@pytest.fixture
def short_session(settings):
    settings.SESSION_COOKIE_AGE = AGE


def sign_in_here(page: Page, user, password) -> None:
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def test_the_warning_comes_and_stay_signed_in_keeps_the_session(
    page: Page, live_server, cast, log_in, short_session, axe_check
):
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}")
    warning = page.locator("[data-session-warning-box][role=alert]")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=AGE * 1000)
    expect(page.locator("[data-session-countdown]")).to_have_text(re.compile(r"^0:0[1-7]$"))
    axe_check(page, name="session-warning")
    with page.expect_response(f"{live_server.url}{reverse('session_refresh')}") as refreshed:
        warning.get_by_role("button").click()
    assert refreshed.value.json() == {"expires_in": AGE}
    expect(warning).to_be_hidden()
    # Past the end of the session this page began: still signed in, on the refreshed one.
    page.wait_for_timeout((AGE // 2 + 2) * 1000)
    expect(page.locator("[data-session-ended-box]")).to_be_hidden()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Mina ärenden")).to_be_visible()


def test_text_typed_when_the_session_ends_is_filled_in_again_after_signing_in(
    page: Page, live_server, cast, log_in, password, short_session, axe_check
):
    text = "Samtal om skuldsaneringen, kvar efter utloggningen Unik41q."
    form_url = f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}"
    log_in(page, cast.caseworker)
    page.goto(form_url)
    page.locator("[name=text]").fill(text)
    ended = page.locator("[data-session-ended-box][role=alert]")
    expect(ended).to_be_visible(timeout=(AGE + 2) * 1000)
    page.locator("[name=text]").press("End")
    page.locator("[name=text]").type(" Mer.")
    drafts = page.evaluate(DRAFTS_JS)
    assert len(drafts) == 1 and f"{text} Mer." in drafts[0]
    assert page.evaluate("() => localStorage.length") == 0
    axe_check(page, name="session-ended")

    # Saving now leads to the login page, and back to the form with the text in it.
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    sign_in_here(page, cast.caseworker, password)
    expect(page).to_have_url(form_url)
    expect(page.locator("[name=text]")).to_have_value(f"{text} Mer.")
    expect(page.locator("main [role=status].draft-restored")).to_be_visible()
    axe_check(page, name="session-restored")
    assert page.evaluate(DRAFTS_JS) == []

    page.get_by_role("button", name="Spara").click()
    expect(page).not_to_have_url(form_url)
    assert JournalEntry.objects.filter(case=cast.case, text=f"{text} Mer.").count() == 1
    assert page.evaluate(DRAFTS_JS) == []


def test_a_submit_the_server_sends_to_the_login_page_is_kept(
    page: Page, live_server, cast, log_in, password
):
    """The page did not know the session had ended (here its cookie is gone): the server sends
    the submit to the login page, and the text comes back after signing in."""
    text = "Boendet i Västerås är ordnat Unik42q."
    form_url = f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}"
    log_in(page, cast.caseworker)
    page.goto(form_url)
    page.locator("[name=text]").fill(text)
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    sign_in_here(page, cast.caseworker, password)
    expect(page).to_have_url(form_url)
    expect(page.locator("[name=text]")).to_have_value(text)
    assert not JournalEntry.objects.filter(text=text).exists()


def test_another_user_signing_in_in_the_tab_gets_nothing_back(
    page: Page, live_server, cast, log_in, password, short_session
):
    form_url = f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}"
    log_in(page, cast.caseworker)
    page.goto(form_url)
    page.locator("[name=text]").fill("Bara för handläggaren Unik43q.")
    expect(page.locator("[data-session-ended-box]")).to_be_visible(timeout=(AGE + 2) * 1000)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    sign_in_here(page, cast.teammate, password)
    page.goto(form_url)  # the teammate may not open the case: whatever the answer, no text
    expect(page.get_by_text("Unik43q")).to_have_count(0)
    assert page.evaluate(DRAFTS_JS) == []


def test_logging_out_clears_the_kept_text(page: Page, live_server, cast, log_in, short_session):
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}")
    page.locator("[name=text]").fill("Ska inte finnas kvar Unik44q.")
    expect(page.locator("[data-session-ended-box]")).to_be_visible(timeout=(AGE + 2) * 1000)
    assert len(page.evaluate(DRAFTS_JS)) == 1
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    assert page.evaluate(DRAFTS_JS) == []
