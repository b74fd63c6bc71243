"""The layout at a phone's width and at a laptop's: each role visits its main pages at 375 px
and none scrolls sideways (a failure names the page and the elements that stick out); at
1280 px the header is one row; axe is clean at both widths. Screenshots of every page at both
widths are left in test-artifacts/screens/layout-*.png."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from cases import services
from cases.models import InterventionType
from reports.models import ReportKind
from tests.factories import ReportFactory

PHONE: ViewportSize = {"width": 375, "height": 812}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}

# The elements that stick out to the right, outermost first: those whose parent does not.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!el.checkVisibility() || box.width === 0 || box.right <= width + 1) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (parent.right > width + 1 && el.parentElement !== document.body) continue;
    out.push(`${name(el)} (${Math.round(box.width)} px wide, to ${Math.round(box.right)} px:`
      + ` "${(el.textContent || '').trim().slice(0, 40)}")`);
  }
  return {scroll, width, widest: out.slice(0, 5)};
}"""

# The header's items (those shown) and the header's height.
HEADER_JS = """() => {
  const header = document.querySelector('.site-header');
  const items = [...header.querySelectorAll(
    '.brand, .site-menu__nav, .site-header__status, .site-header__tools, .site-menu__toggle')]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => { const b = el.getBoundingClientRect();
      return {name: el.className, top: b.top, left: b.left, right: b.right, height: b.height}; });
  const links = [...header.querySelectorAll('.brand, a, button, summary')]
    .filter((el) => el.checkVisibility())
    .map((el) => [el.textContent.trim(), el.getBoundingClientRect()]);
  const overlaps = [];
  links.forEach(([a, p], i) => links.slice(i + 1).forEach(([b, q]) => {
    if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1
        && !(p.left <= q.left && q.right <= p.right) && !(q.left <= p.left && p.right <= q.right))
      overlaps.push(`${a} / ${b}`);
  }));
  return {height: header.getBoundingClientRect().height, items, overlaps};
}"""


@pytest.fixture
def busy_case(cast):
    """The cast's case with an intervention that costs something, a long journal entry and a
    report, so that the pages have wide tables and long text."""
    case = cast.case
    services.intervention_create(
        case=case,
        by=cast.caseworker,
        type=InterventionType.objects.get(code="debt_counselling"),
        cost_sek=Decimal("1234567.50"),
        planned_start=timezone.localdate() - datetime.timedelta(days=40),
    )
    services.journal_write(
        case=case,
        by=cast.caseworker,
        occurred_on=timezone.localdate(),
        category="contact",
        text="Budget- och skuldrådgivning bokad; långtidsarbetslöshetsersättning utreds. " * 4,
    )
    ReportFactory(case=case, requested_by=cast.caseworker)
    ReportFactory(
        kind=ReportKind.CASELOAD, case=None, municipality=cast.stockholm, requested_by=cast.manager
    )
    return case


def pages_of(who: str, cast) -> list[tuple[str, str]]:
    case = cast.case.pk
    report = cast.case.reports.order_by("pk").first() if who != "police" else None
    caseworker = [
        ("home", reverse("home")),
        ("caseload", reverse("cases:caseload")),
        ("case", reverse("cases:detail", args=[case])),
        ("journal-form", reverse("cases:journal_new", args=[case])),
        ("intervention-form", reverse("cases:intervention_new", args=[case])),
        ("inquiry-form", reverse("cases:new")),
        ("case-history", reverse("cases:record_history", args=[case, "case", case])),
        ("referrals", reverse("referrals:list")),
        ("reports", reverse("reports:list")),
        ("report", reverse("reports:detail", args=[report.pk]) if report else ""),
        ("notifications", reverse("notifications:list")),
    ]
    return {
        "caseworker": caseworker,
        "manager": [
            ("home", reverse("home")),
            ("caseload", reverse("cases:caseload")),
            ("case", reverse("cases:detail", args=[case])),
            ("transfers", reverse("cases:transfers")),
            ("access-log", reverse("audit:municipality_access_log", args=[cast.stockholm.pk])),
            ("roles", reverse("municipality_roles", args=[cast.stockholm.pk])),
            ("reports", reverse("reports:list")),
        ],
        "police": [
            ("home", reverse("home")),
            ("shared-case", reverse("cases:shared", args=[case])),
            ("reports", reverse("reports:list")),
        ],
        "analyst": [("home", reverse("home"))],
        "administrator": [("home", reverse("home"))],
    }[who]


def visit(page: Page, live_server, path: str, name: str) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200, f"{name}: {path} gave {response}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()


ROLES = ["caseworker", "manager", "police", "analyst", "administrator"]


@pytest.mark.parametrize("who", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(
    page: Page, live_server, cast, busy_case, log_in, axe_check, who
):
    page.set_viewport_size(PHONE)
    log_in(page, getattr(cast, who))
    overflowing = []
    for name, path in pages_of(who, cast):
        if not path:
            continue
        visit(page, live_server, path, name)
        found = page.evaluate(OVERFLOW_JS)
        if found:
            overflowing.append(f"{who} {name} ({path}): {found}")
        axe_check(page, name=f"layout-{who}-{name}-375")
    assert not overflowing, "pages wider than the phone:\n" + "\n".join(overflowing)


@pytest.mark.parametrize("who", ROLES)
def test_the_header_is_one_row_on_a_laptop(
    page: Page, live_server, cast, busy_case, log_in, axe_check, who
):
    page.set_viewport_size(LAPTOP)
    # The longest names the header must hold (the cast's are random, so set the worst case).
    user = getattr(cast, who)
    user.first_name, user.last_name = "Maximiliana-Charlotta", "Wallenberg-Östergren"
    user.save(update_fields=["first_name", "last_name"])
    log_in(page, user)
    for name, path in pages_of(who, cast):
        if not path:
            continue
        visit(page, live_server, path, name)
        header = page.evaluate(HEADER_JS)
        tops = {round(item["top"] + item["height"] / 2) for item in header["items"]}
        assert header["height"] < 64, f"{who} {name}: the header is {header['height']} px high"
        assert max(tops) - min(tops) <= 6, f"{who} {name}: header items on rows {header}"
        assert not any("site-menu__toggle" in item["name"] for item in header["items"])
        assert not header["overlaps"], f"{who} {name}: header items overlap {header['overlaps']}"
        expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
        expect(
            page.get_by_role("navigation", name="Huvudmeny").get_by_role("link").first
        ).to_be_visible()
        assert page.evaluate(OVERFLOW_JS) is None, f"{who} {name} scrolls sideways at 1280 px"
        axe_check(page, name=f"layout-{who}-{name}-1280")


def test_the_phone_menu_opens_and_leads_to_the_caseload(
    page: Page, live_server, cast, log_in, axe_check
):
    page.set_viewport_size(PHONE)
    log_in(page, cast.caseworker)
    caseload = page.get_by_role("link", name="Ärendelista", exact=True)
    expect(caseload).to_be_hidden()
    expect(page.locator(".notification-link")).to_be_visible()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 60
    page.locator(".site-menu__toggle").click()
    expect(caseload).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    assert page.evaluate(OVERFLOW_JS) is None
    axe_check(page, name="layout-caseworker-menu-open-375")
    caseload.click()
    expect(page).to_have_url(f"{live_server.url}{reverse('cases:caseload')}")
    expect(page.locator(".site-menu")).not_to_have_attribute("open", "")


def test_costs_show_swedish_digit_groups_on_the_case_page(
    page: Page, live_server, cast, busy_case, log_in
):
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:detail_tab', args=[cast.case.pk, 'support'])}")
    cost = "1\N{NO-BREAK SPACE}234\N{NO-BREAK SPACE}567,50"
    expect(page.locator("main td.num").filter(has_text=cost).first).to_be_visible()
