"""The caseload in a real browser at a phone's width and a laptop's: a caseworker opens on
their own cases, switches to all, finds a misspelt name, saves the filter and applies it
again; axe is clean and nothing scrolls sideways. Screenshots: test-artifacts/screens/
caseload-*.png. Values looked for carry the suffix "7qz"."""

import pytest
from playwright.sync_api import Page, expect

from access import policy
from tests.browser.test_layout import LAPTOP, OVERFLOW_JS, PHONE
from tests.factories import CaseFactory, ClientFactory


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["375", "1280"])
def test_caseworker_finds_saves_and_applies_a_filter_on_the_caseload(
    page: Page, live_server, cast, log_in, axe_check, size
):
    page.set_viewport_size(size)
    width = size["width"]
    mine = CaseFactory(
        municipality=cast.stockholm,
        created_by=cast.manager,
        reference="MIN-7qz",
        client=ClientFactory(first_name="Anna", last_name="Nilsson"),
    )
    policy.case_grant_assignment(case=mine, user=cast.caseworker)
    CaseFactory(
        municipality=cast.stockholm,
        created_by=cast.manager,
        reference="TEAM-7qz",
        client=ClientFactory(first_name="Omar", last_name="Lindqvist"),
    )
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}/cases/")

    # My cases first: the teammate's case is one click away.
    switch = page.locator(".scope-switch a")
    expect(switch.first).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="MIN-7qz")).to_be_visible()
    expect(page.get_by_role("link", name="TEAM-7qz")).to_have_count(0)
    assert page.evaluate(OVERFLOW_JS) is None
    axe_check(page, name=f"caseload-mine-{width}")
    switch.nth(1).click()
    expect(page.locator(".scope-switch a").nth(1)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="TEAM-7qz")).to_be_visible()

    # A misspelt name finds the client; the search is not in the address bar.
    page.locator("#id_q").fill("nilson")
    page.locator(".caseload-filters button[type=submit]").click()
    expect(page.get_by_role("link", name="MIN-7qz")).to_be_visible()
    expect(page.get_by_role("link", name="TEAM-7qz")).to_have_count(0)
    assert "nilson" not in page.url
    assert page.evaluate(OVERFLOW_JS) is None
    axe_check(page, name=f"caseload-search-{width}")

    # Filter by state, save it under a name, clear, and apply it again.
    page.locator("input[name=state][value=active]").check()
    page.locator(".caseload-filters button[type=submit]").click()
    page.locator("#id_name").fill("Aktiva 7qz")
    page.locator(".saved-filters__form button[type=submit]").click()
    saved = page.get_by_role("link", name="Aktiva 7qz")
    expect(saved).to_be_visible()
    page.locator("a.clear-filters").click()
    expect(page.locator("input[name=state][value=active]")).not_to_be_checked()
    page.get_by_role("link", name="Aktiva 7qz").click()
    expect(page.locator("input[name=state][value=active]")).to_be_checked()
    assert "state=active" in page.url
    expect(page.get_by_role("link", name="TEAM-7qz")).to_be_visible()
    assert page.evaluate(OVERFLOW_JS) is None
    axe_check(page, name=f"caseload-saved-{width}")

    # Deleting it takes it off the list.
    page.locator(".saved-filters__list button[type=submit]").click()
    expect(page.get_by_role("link", name="Aktiva 7qz")).to_have_count(0)
