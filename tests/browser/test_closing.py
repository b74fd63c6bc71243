"""A manager closes a case through the closing checklist (issue 11): the decision on the case
page leads to the list of what is still open and the follow-ups to come, and only the ticked
confirmation closes the case. Values looked for carry the suffix "Stang5k2r"."""

from django.utils import timezone
from playwright.sync_api import Browser, expect

from agencies.models import Agency, AgencyKind
from cases.models import Case, CaseState, FollowUp, Intervention, InterventionType
from exitprog.dates import add_months
from referrals.models import Referral, ReferralState


def test_close_a_case_through_the_checklist(browser: Browser, live_server, cast, log_in, axe_check):
    today = timezone.localdate()
    mentor = InterventionType.objects.get(code="mentor")
    Intervention.objects.create(
        case=cast.case, created_by=cast.manager, type=mentor, status="ongoing"
    )
    Referral.objects.create(
        case=cast.case,
        agency=Agency.objects.create(name="Boende Stang5k2r AB", kind=AgencyKind.HOUSING),
        purpose="Boende",
        created_by=cast.manager,
        state=ReferralState.SENT,
        sent_at=timezone.now(),
    )
    case_url = f"{live_server.url}/cases/{cast.case.pk}/"

    for width in (375, 1280):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        log_in(page, cast.manager)
        # The home page's figures are links (the intake queue among them).
        page.goto(f"{live_server.url}/")
        expect(page.locator("a.figure-link").first).to_be_visible()
        axe_check(page, name=f"manager-home-{width}")
        page.locator("a.figure-link[href^='/intake/']").click()
        expect(page.locator("main h1")).to_be_visible()
        axe_check(page, name=f"intake-queue-{width}")
        page.goto(case_url)
        page.locator("#decisions input[name=to_state][value=completed]").check()
        page.locator("#decisions textarea[name=reason]").fill("Målen nådda Stang5k2r")
        page.locator("#decisions button[type=submit]").click()

        expect(page).to_have_url(f"{live_server.url}/cases/{cast.case.pk}/close/")
        main = page.locator("main")
        expect(main).to_contain_text(mentor.label)
        expect(main).to_contain_text("Boende Stang5k2r AB")
        expect(main).to_contain_text(add_months(today, 24).isoformat())
        expect(main.locator("textarea[name=reason]")).to_have_value("Målen nådda Stang5k2r")
        axe_check(page, name=f"closing-checklist-{width}")

        if width == 375:
            # Without the confirmation nothing is closed: the checklist comes back, input kept.
            main.locator("form.form button[type=submit]").click()
            expect(page.locator(".messages")).to_be_visible()
            expect(main.locator("textarea[name=reason]")).to_have_value("Målen nådda Stang5k2r")
            assert Case.objects.get(pk=cast.case.pk).state == CaseState.ACTIVE
            page.context.close()
            continue

        main.locator("input[name=confirm_closing]").check()
        main.locator("form.form button[type=submit]").click()
        expect(page.locator("#decisions")).to_be_visible()
        expect(page.locator(".messages")).to_be_visible()
        axe_check(page, name="closing-done-1280")

    case = Case.objects.get(pk=cast.case.pk)
    assert case.state == CaseState.COMPLETED
    assert FollowUp.objects.filter(case=case).count() == 4
