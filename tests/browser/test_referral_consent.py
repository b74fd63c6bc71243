"""A caseworker writes a referral in English to an agency no consent covers: the form offers
the letter's language, sending warns that no consent covers the agency, and the referral is
sent only once the caseworker confirms (issue 11). Values looked for carry "Remiss7t3w"."""

from playwright.sync_api import Browser, expect

from agencies.models import Agency, AgencyKind
from referrals.models import Referral, ReferralState


def test_send_a_referral_without_consent_after_the_warning(
    browser: Browser, live_server, cast, log_in, axe_check
):
    Agency.objects.create(name="Arbete Remiss7t3w", kind=AgencyKind.EMPLOYMENT)
    for width in (1280, 375):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        log_in(page, cast.caseworker)
        page.goto(f"{live_server.url}/referrals/case/{cast.case.pk}/new/")
        page.locator("[name=agency]").select_option(label="Arbete Remiss7t3w")
        page.locator("[name=purpose]").fill(f"Stöd till arbete Remiss7t3w {width}")
        expect(page.locator("input[name=letter_language][value=sv]")).to_be_checked()
        page.locator("input[name=letter_language][value=en]").check()
        axe_check(page, name=f"referral-form-{width}")
        page.locator("main form.form button[type=submit]").last.click()
        expect(page.locator("#referrals")).to_contain_text("Arbete Remiss7t3w")

        referral = Referral.objects.get(purpose=f"Stöd till arbete Remiss7t3w {width}")
        assert referral.letter_language == "en"
        move = page.locator(f"form[action='/referrals/{referral.pk}/transition/']")
        move.locator("input[name=to_state][value=sent]").check()
        move.locator("button[type=submit]").click()

        expect(page.locator("#consent-warning")).to_contain_text("Arbete Remiss7t3w")
        axe_check(page, name=f"referral-consent-warning-{width}")
        referral.refresh_from_db()
        assert referral.state == ReferralState.DRAFT
        page.locator("main form.form button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()
        referral.refresh_from_db()
        assert referral.state == ReferralState.SENT
        assert referral.events.get().without_consent
        page.context.close()
