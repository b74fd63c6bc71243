"""A caseworker ends a group affiliation through its confirmation page and sees it in the
affiliation's history (issue 11: records that can be corrected). The pages are checked with
axe at 1280 and 375 px. Values looked for carry the suffix "Corr6e2y"."""

import datetime

from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import Browser, expect

from cases.models import CriminalGroup, GroupAffiliation


def test_end_an_affiliation_through_its_confirmation_and_see_its_history(
    browser: Browser, live_server, cast, log_in, axe_check
):
    today = timezone.localdate()
    group = CriminalGroup.objects.create(name="Ligan Corr6e2y", kind=CriminalGroup.Kind.GANG)
    affiliation = GroupAffiliation.objects.create(
        client=cast.case.client,
        group=group,
        role="member",
        started_on=today - datetime.timedelta(days=700),
        source="Polisen Corr6e2y",
        recorded_by=cast.manager,
    )
    ended = today - datetime.timedelta(days=3)
    end_url = reverse("cases:affiliation_end", args=[cast.case.pk, affiliation.pk])
    history_url = reverse(
        "cases:record_history", args=[cast.case.pk, "affiliation", affiliation.pk]
    )

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:detail_tab', args=[cast.case.pk, 'consent'])}")
    groups = page.locator("#groups")
    expect(groups).to_contain_text("Ligan Corr6e2y")
    axe_check(page, name="case-groups-1280")
    groups.locator(f'a[href="{end_url}"]').click()

    # The confirmation page: the affiliation as recorded, the date, and a button that asks.
    expect(page.locator("#current-values")).to_contain_text("Polisen Corr6e2y")
    page.locator("#id_ended_on").fill(ended.isoformat())
    axe_check(page, name="affiliation-end-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    axe_check(page, name="affiliation-end-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator('button[name="confirm"]').click()

    # Back on the case page: the affiliation has its end, and no end link any more.
    expect(page.locator(".messages")).to_be_visible()
    groups = page.locator("#groups")
    with translation.override("sv"):
        expect(groups).to_contain_text(formats.date_format(ended))
    expect(groups.locator(f'a[href="{end_url}"]')).to_have_count(0)
    affiliation.refresh_from_db()
    assert affiliation.ended_on == ended

    groups.locator(f'a[href="{history_url}"]').click()
    expect(page.locator("main")).to_contain_text(ended.strftime("%Y-%m-%d"))
    axe_check(page, name="affiliation-history-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    axe_check(page, name="affiliation-history-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
