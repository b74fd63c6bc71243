"""The case page's tabs at a laptop's and a phone's width: each tab opens from the section
menu at its own URL and marks itself current, axe is clean, nothing scrolls sideways at
375 px, and printing drops the navigation and the forms. Screenshots of every tab at both
widths are left in test-artifacts/screens/case-tab-*.png."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, ViewportSize, expect

from cases import services
from cases.models import InterventionType, SafeContact
from cases.tabs import TABS, case_tab_url

PHONE: ViewportSize = {"width": 375, "height": 812}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def full_case(cast):
    """The cast's case with a contact card, a network, a wide intervention table and long
    journal text."""
    case, by = cast.case, cast.caseworker
    services.contact_card_save(
        case=case,
        by=by,
        phone="070-555 01 99",
        safe_contact=SafeContact.VIA_CONTACT_PERSON,
        times="Vardagar 9-12, aldrig på kvällen",
        note="Ring aldrig från dolt nummer.",
    )
    services.contact_person_add(
        case=case,
        by=by,
        name="Ingrid Kontaktsdotter",
        relation="Moster",
        reach="073-555 01 01, sms först",
        note="Den enda klienten litar på.",
    )
    services.intervention_create(
        case=case,
        by=by,
        type=InterventionType.objects.get(code="debt_counselling"),
        cost_sek=Decimal("1234567.50"),
        planned_start=timezone.localdate() - datetime.timedelta(days=40),
    )
    services.journal_write(
        case=case,
        by=by,
        occurred_on=timezone.localdate(),
        category="contact",
        text="Långtidsarbetslöshetsersättningsutredningen pågår; skuldsaneringsansökan. " * 4,
    )
    return case


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1280", "375"])
def test_every_tab_opens_from_the_menu_axe_clean_and_never_wider_than_the_screen(
    page: Page, live_server, cast, full_case, log_in, axe_check, size
):
    page.set_viewport_size(size)
    # A young client (16), so that the youth tab is in the menu too (cases.tabs youth_only).
    young = full_case.client
    young.birth_date = timezone.localdate() - datetime.timedelta(days=16 * 365 + 30)
    young.save(update_fields=["birth_date"])
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:detail', args=[full_case.pk])}")
    expect(page.locator(".case-overview")).to_be_visible()
    expect(page.locator("#contact")).to_contain_text("070-555 01 99")
    menu = page.get_by_role("navigation", name="Ärendets delar")
    for tab in TABS:
        with translation.override("sv"):
            label = str(tab.label)
        menu.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(f"{live_server.url}{case_tab_url(full_case.pk, tab.slug)}")
        current = menu.locator('[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("href", case_tab_url(full_case.pk, tab.slug))
        expect(page.locator(f"#{tab.sections[0]}")).to_be_attached()
        overflow = page.evaluate(OVERFLOW)
        assert overflow <= 0, f"the {tab.slug} tab is {overflow} px wider than {size['width']}"
        axe_check(page, name=f"case-tab-{tab.slug}-{size['width']}")


def test_the_print_view_and_a_printed_case_page_have_no_navigation_or_forms(
    page: Page, live_server, cast, full_case, log_in, axe_check
):
    page.set_viewport_size(PHONE)
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:detail', args=[full_case.pk])}")
    with translation.override("sv"):
        print_link = gettext("Print the case")
    page.get_by_role("link", name=print_link).click()
    expect(page).to_have_url(f"{live_server.url}{reverse('cases:print', args=[full_case.pk])}")
    expect(page.locator(".confidential").first).to_contain_text("OSL")
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator("nav")).to_have_count(0)
    expect(page.locator("#journal")).to_contain_text("skuldsaneringsansökan")
    assert page.evaluate(OVERFLOW) <= 0
    axe_check(page, name="case-print-375")
    # Printing the case page itself: the site's header, the tabs and the forms are not printed.
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}{reverse('cases:detail', args=[full_case.pk])}")
    expect(page.locator(".case-header .confidential")).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".case-tabs")).to_be_hidden()
    for form in page.locator("main form").all():
        expect(form).to_be_hidden()
    expect(page.locator("#decisions")).to_be_visible()
    expect(page.locator(".case-header .confidential")).to_contain_text("OSL")
    page.screenshot(path="test-artifacts/screens/case-printed-1280.png", full_page=True)
