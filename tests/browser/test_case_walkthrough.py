"""A caseworker's day in a real browser: intake, assessment, the manager's acceptance, an
intervention and a journal entry, all found again on the case page. axe checks every page."""

import re

from playwright.sync_api import Page, expect

from cases.models import Case
from cases.tabs import case_tab_url
from tests.factories import synthetic_identity_number


def open_tab(page: Page, case: Case, tab: str) -> None:
    """Open a tab of the case page from its section menu."""
    page.locator(f"nav.case-tabs a[href='{case_tab_url(case.pk, tab)}']").click()


def submit(page: Page) -> None:
    page.locator("main form.form button[type=submit]").last.click()


def decide(page: Page, state: str, reason: str) -> None:
    page.locator(f"#decisions input[name=to_state][value={state}]").check()
    page.locator("#decisions textarea[name=reason]").fill(reason)
    page.locator("#decisions button[type=submit]").click()


def test_caseworker_walks_a_case_from_intake_to_active(
    page: Page, live_server, cast, log_in, axe_check
):
    number = synthetic_identity_number(777)
    log_in(page, cast.caseworker)

    # Intake
    page.get_by_role("link", name="Nytt ärende").click()
    axe_check(page, name="walk-intake")
    page.locator("[name=first_name]").fill("Elias")
    page.locator("[name=last_name]").fill("Exempelsson")
    page.locator("[name=identity_number]").fill(f"{number[2:8]}-{number[8:]}")
    page.locator("[name=source]").select_option("police")
    page.locator("[name=reason]").fill("Polisen förmedlade kontakt; klienten vill lämna gruppen.")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ärende")
    case = Case.objects.get(client__last_name="Exempelsson")
    case_url = f"{live_server.url}/cases/{case.pk}/"
    expect(page).to_have_url(case_url)
    axe_check(page, name="walk-case-inquiry")

    # Into assessment, and a motivation assessment
    decide(page, "assessment", "Förhandsbedömningen visar att en utredning behövs.")
    open_tab(page, case, "assessments")
    page.locator(f"a[href='/cases/{case.pk}/assessments/new/']").click()
    axe_check(page, name="walk-assessment-form")
    page.locator("input[name=stage][value=preparation]").check()
    for group in page.locator("fieldset:has(input[name^=item_])").all():
        group.locator("input[value='3']").check()
    for group in page.locator("fieldset:has(input[name^=criterion_])").all():
        group.locator("input[value=met]").check()
    page.locator("input[name=recommendation][value=accept]").check()
    submit(page)
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/tab/assessments/#assessments$"))
    expect(page.locator("#assessments svg[role=img]")).to_be_visible()
    expect(page.locator("#assessments table")).to_contain_text("18 / 24")

    # The manager accepts the client
    page.get_by_role("button", name="Logga ut").click()
    log_in(page, cast.manager)
    page.get_by_role("link", name="Ärendelista", exact=True).click()
    axe_check(page, name="walk-caseload")
    page.locator("[name=q]").fill("Exempelsson")
    page.locator("form[role=search] button[type=submit]").click()
    page.get_by_role("link", name=case.reference).click()
    decide(page, "accepted", "Kriterierna är uppfyllda.")
    expect(page.locator("#decisions table")).to_contain_text("Kriterierna är uppfyllda.")
    decide(page, "active", "Planen är upprättad.")
    axe_check(page, name="walk-case-active")

    # Back to the caseworker: an intervention and a journal entry
    page.get_by_role("button", name="Logga ut").click()
    log_in(page, cast.caseworker)
    page.goto(case_url)
    open_tab(page, case, "support")
    page.locator(f"a[href='/cases/{case.pk}/interventions/new/']").click()
    axe_check(page, name="walk-intervention-form")
    page.locator("[name=type]").select_option(label="Budget- och skuldrådgivning")
    page.locator("[name=cost_sek]").fill("12500,50")
    submit(page)
    open_tab(page, case, "journal")
    page.locator(f"a[href='/cases/{case.pk}/journal/new/']").first.click()
    axe_check(page, name="walk-journal-form")
    page.locator("[name=text]").fill("Första mötet efter antagningen. Klienten är motiverad.")
    submit(page)

    # Everything is on the case page, each on its tab
    page.goto(case_url)
    expect(page.locator(".case-overview")).to_contain_text("Aktiv")
    open_tab(page, case, "support")
    expect(page.locator("#interventions")).to_contain_text("Budget- och skuldrådgivning")
    expect(page.locator("#interventions")).to_contain_text("12")
    open_tab(page, case, "journal")
    expect(page.locator("#journal")).to_contain_text("Första mötet efter antagningen")
    open_tab(page, case, "assessments")
    expect(page.locator("#assessments table")).to_contain_text("18 / 24")
    axe_check(page, name="walk-case-final")
