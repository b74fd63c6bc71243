"""The session's time-out in a real browser: the warning comes before the end and "Stay signed
in" keeps the session; text typed into a form when the session ends is kept in the tab's
sessionStorage (never localStorage), filled in again after signing in, and gone after a
successful submit or a logout.

Nothing here waits for the session's half hour. The page's timers run on Playwright's fake
clock (installed before the first page loads), which the tests move on; the server's end of
the session is its row in the database expiring (the sessions are in the database, and the
live server's thread sees the change at once)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import JournalEntry
from exitprog.session import SessionTimes, session_times

AGE = 30 * 60  # seconds: a normal session
WARNING = 5 * 60  # seconds before its end the page warns
MARGIN = 1  # second: the page says "ended" this long after the server has ended the session
SECOND = 1000  # the clock's unit, ms

DRAFTS_JS = """() => Object.keys(sessionStorage).filter((k) => k.startsWith('exitprog.draft:'))
  .map((k) => sessionStorage.getItem(k))"""


@pytest.fixture
def normal_session(settings) -> None:
    settings.SESSION_COOKIE_AGE = AGE
    assert session_times() == SessionTimes(age_seconds=AGE, warning_seconds=WARNING)


def sign_in_here(page: Page, user, password) -> None:
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def server_session(page: Page) -> Session:
    """The server's row of the session this browser holds."""
    key = next(
        c["value"]
        for c in page.context.cookies()
        if c["name"] == django_settings.SESSION_COOKIE_NAME
    )
    return Session.objects.get(session_key=key)


def end_the_session(page: Page) -> None:
    """The session ends as after AGE seconds without a request: first on the server (its row
    expires), then on the page (its clock passes the end it was given)."""
    Session.objects.filter(pk=server_session(page).pk).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    page.clock.fast_forward((AGE + MARGIN + 1) * SECOND)


def test_the_warning_comes_and_stay_signed_in_keeps_the_session(
    page: Page, live_server, cast, log_in, normal_session, axe_check
):
    page.clock.install()
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}")
    warning = page.locator("[data-session-warning-box][role=alert]")
    ended = page.locator("[data-session-ended-box]")
    countdown = page.locator("[data-session-countdown]")
    warns_at = AGE + MARGIN - WARNING  # seconds after the page arrived
    page.clock.fast_forward((warns_at - 10) * SECOND)
    expect(warning).to_be_hidden()
    page.clock.fast_forward(15 * SECOND)
    expect(warning).to_be_visible()
    expect(ended).to_be_hidden()
    expect(countdown).to_have_text(re.compile(r"^4:5[0-5]$"))  # 4:55, less the real time taken
    page.clock.run_for(60 * SECOND)
    expect(countdown).to_have_text(re.compile(r"^3:5[0-5]$"))
    axe_check(page, name="session-warning")

    # The server's side at the warning: a few minutes left. "Stay signed in" gives a whole AGE.
    Session.objects.filter(pk=server_session(page).pk).update(
        expire_date=timezone.now() + timedelta(seconds=WARNING - 60)
    )
    with page.expect_response(f"{live_server.url}{reverse('session_refresh')}") as refreshed:
        warning.get_by_role("button").click()
    assert refreshed.value.json() == {"expires_in": AGE}
    assert server_session(page).expire_date > timezone.now() + timedelta(seconds=AGE - 10)
    expect(warning).to_be_hidden()

    # Past the end of the session this page began (3:55 was left): still signed in, on the
    # refreshed one, whose own warning comes in its turn.
    page.clock.fast_forward(WARNING * SECOND)
    expect(ended).to_be_hidden()
    expect(warning).to_be_hidden()
    page.clock.fast_forward((warns_at - WARNING + 5) * SECOND)
    expect(warning).to_be_visible()
    expect(ended).to_be_hidden()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Mina ärenden")).to_be_visible()


def test_text_typed_when_the_session_ends_is_filled_in_again_after_signing_in(
    page: Page, live_server, cast, log_in, password, normal_session, axe_check
):
    text = "Samtal om skuldsaneringen, kvar efter utloggningen Unik41q."
    form_url = f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}"
    page.clock.install()
    log_in(page, cast.caseworker)
    page.goto(form_url)
    page.locator("[name=text]").fill(text)
    assert page.evaluate(DRAFTS_JS) == []  # nothing is kept while the session lasts
    end_the_session(page)
    expect(page.locator("[data-session-ended-box][role=alert]")).to_be_visible()
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
    page: Page, live_server, cast, log_in, password, normal_session
):
    form_url = f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}"
    page.clock.install()
    log_in(page, cast.caseworker)
    page.goto(form_url)
    page.locator("[name=text]").fill("Bara för handläggaren Unik43q.")
    end_the_session(page)
    expect(page.locator("[data-session-ended-box]")).to_be_visible()
    assert len(page.evaluate(DRAFTS_JS)) == 1
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    sign_in_here(page, cast.teammate, password)
    page.goto(form_url)  # the teammate may not open the case: whatever the answer, no text
    expect(page.get_by_text("Unik43q")).to_have_count(0)
    assert page.evaluate(DRAFTS_JS) == []


def test_logging_out_clears_the_kept_text(page: Page, live_server, cast, log_in, normal_session):
    page.clock.install()
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:journal_new', args=[cast.case.pk])}")
    page.locator("[name=text]").fill("Ska inte finnas kvar Unik44q.")
    end_the_session(page)
    expect(page.locator("[data-session-ended-box]")).to_be_visible()
    assert len(page.evaluate(DRAFTS_JS)) == 1
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    assert page.evaluate(DRAFTS_JS) == []
