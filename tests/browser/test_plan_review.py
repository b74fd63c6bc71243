"""A caseworker writes the case plan and records a review: the overdue mark goes from the
caseload (issue 11). Values looked for carry the suffix "Plan4w8b"."""

import datetime

from django.utils import timezone
from playwright.sync_api import Browser, expect

from cases.models import Case, Intervention, InterventionType
from records.models import CasePlan, Review


def test_write_a_plan_and_record_a_review_and_the_overdue_mark_goes(
    browser: Browser, live_server, cast, log_in, axe_check
):
    today = timezone.localdate()
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=today - datetime.timedelta(days=4))
    Intervention.objects.create(
        case=cast.case,
        created_by=cast.caseworker,
        type=InterventionType.objects.get(code="mentor"),
        planned_start=today,
    )
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, cast.caseworker)
    caseload = f"{live_server.url}/cases/"
    page.goto(caseload)
    row = page.locator("tr", has_text=cast.case.reference)
    expect(row.locator("time.overdue")).to_be_visible()

    page.goto(f"{live_server.url}/cases/{cast.case.pk}/")
    page.locator("#plan").get_by_role("link", name="Skriv planen").click()
    page.get_by_label("Nästa granskning").fill((today + datetime.timedelta(days=20)).isoformat())
    first = page.locator("fieldset.goal").first
    first.locator("textarea[name$='-goal']").fill("Eget boende Plan4w8b")
    first.get_by_label("Ansvarig").select_option(label=cast.caseworker.get_full_name())
    first.get_by_label("mentor", exact=False).check()
    axe_check(page, name="plan-form-1280")
    page.get_by_role("button", name="Spara planen").click()
    expect(page.locator(".messages")).to_contain_text("Planen är sparad som en ny version")
    expect(page.locator("main")).to_contain_text("Eget boende Plan4w8b")

    page.get_by_role("link", name="Registrera en granskning").first.click()
    page.get_by_label("Vad som granskades").fill("Genomgång med klienten Plan4w8b")
    page.get_by_label("Fortsätt enligt planen").check()
    page.get_by_label("Nästa granskning").fill((today + datetime.timedelta(days=45)).isoformat())
    page.get_by_role("button", name="Registrera granskningen").click()
    expect(page.locator(".messages")).to_contain_text("Granskningen är registrerad")
    expect(page.locator("main")).to_contain_text("Genomgång med klienten Plan4w8b")
    axe_check(page, name="plan-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    axe_check(page, name="plan-375")

    page.goto(caseload)
    row = page.locator("tr", has_text=cast.case.reference)
    expect(row).to_be_visible()
    expect(row.locator("time.overdue")).to_have_count(0)
    assert CasePlan.objects.get(case=cast.case).goals.get().goal == "Eget boende Plan4w8b"
    assert Review.objects.get(case=cast.case).next_review_on == today + datetime.timedelta(days=45)
