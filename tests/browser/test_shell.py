"""The app shell in a real browser: each role logs in, sees its home page, and axe agrees."""

import pytest
from playwright.sync_api import expect

HOME_HEADINGS = {
    "caseworker": "Mina ärenden",
    "manager": "Ärendemängd i Stockholm",
    "police": "Ärenden delade med dig",
    "analyst": "Nationell statistik",
    "administrator": "Administration",
}


def test_login_page_is_accessible(page, live_server, axe_check):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    axe_check(page, name="login")


def test_wrong_password_is_announced(page, live_server, cast, axe_check):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill(cast.caseworker.username)
    page.get_by_label("Lösenord").fill("not-the-password")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_contain_text("Ange ett korrekt användarnamn")
    axe_check(page, name="login-error")


@pytest.mark.parametrize("who", list(HOME_HEADINGS))
def test_each_role_sees_its_home_page(page, live_server, cast, log_in, axe_check, who):
    log_in(page, getattr(cast, who))
    expect(page.get_by_role("heading", name=HOME_HEADINGS[who])).to_be_visible()
    if who == "caseworker":
        expect(page.get_by_role("cell", name=cast.case.reference)).to_be_visible()
    if who == "manager":
        expect(page.get_by_text("1 öppna ärenden", exact=True)).to_be_visible()
    if who == "police":
        expect(page.get_by_role("cell", name=cast.case.reference)).to_be_visible()
    if who in {"analyst", "administrator"}:
        expect(page.get_by_text(cast.case.reference)).to_have_count(0)
    axe_check(page, name=f"home-{who}")


def test_language_switch_to_english_and_back(page, live_server, cast, log_in, axe_check):
    log_in(page, cast.caseworker)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe_check(page, name="home-caseworker-en")
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("heading", name="Mina ärenden")).to_be_visible()


def test_logout_returns_to_login(page, live_server, cast, log_in):
    log_in(page, cast.manager)
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
