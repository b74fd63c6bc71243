"""Across agencies in a real browser: a caseworker refers the client to an agency and records
its answer; the manager shares the case with the police; the liaison sees exactly the shared
parts; the consent is revoked and the liaison's access is gone. axe checks every page."""

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Agency, AgencyKind
from cases import services
from cases.models import (
    CaseState,
    CaseStateChange,
    CriminalGroup,
    GroupAffiliation,
    JournalEntry,
    Need,
    ThreatSource,
)
from cases.tabs import case_section_url, case_tab_url


def test_referral_then_police_share_then_revocation(
    page: Page, live_server, cast, log_in, axe_check
):
    case = cast.case
    today = timezone.localdate()
    cast.manager.work_phone = "070-Mgr4k7q"
    cast.manager.save(update_fields=["work_phone"])
    for share in case.police_shares.filter(ended_at__isnull=True):  # start unshared
        services.police_share_end(share=share, by=cast.manager)
    Agency.objects.create(name="Arbetsförmedlingen Test", kind=AgencyKind.EMPLOYMENT)
    services.journal_write(
        case=case,
        by=cast.caseworker,
        occurred_on=today,
        category="contact",
        text="Hemlig journaltext om samtalet.",
    )
    services.need_add(
        case=case,
        by=cast.caseworker,
        need=Need.objects.get(code="psychiatric"),
        identified_on=today,
        note="Hälsouppgift som polisen inte får se",
    )
    services.threat_record(
        case=case, by=cast.caseworker, level=3, source=ThreatSource.POLICE, assessed_on=today
    )
    GroupAffiliation.objects.create(
        client=case.client,
        role="member",
        recorded_by=cast.caseworker,
        group=CriminalGroup.objects.create(name="Gänget Testvik", kind="gang"),
        started_on=today - datetime.timedelta(days=900),
    )
    CaseStateChange.objects.create(
        case=case,
        from_state="assessment",
        to_state="accepted",
        by=cast.manager,
        reason="Intern motivering som polisen inte ser.",
    )
    assert case.state == CaseState.ACTIVE

    # The caseworker refers the client and records the agency's answer.
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{case_tab_url(case.pk, 'support')}")
    page.locator(f"a[href='/referrals/case/{case.pk}/new/']").click()
    axe_check(page, name="x-referral-form")
    page.locator("[name=agency]").select_option(label="Arbetsförmedlingen Test")
    page.locator("[name=purpose]").fill("Stöd till arbete efter avhoppet.")
    page.locator("main form.form button[type=submit]").last.click()
    section = page.locator("#referrals")
    expect(section).to_contain_text("Arbetsförmedlingen Test")
    section.locator("input[name=to_state][value=sent]").check()
    section.locator("form.referral-move button[type=submit]").click()
    # No consent names the agency: the sender is warned, and confirms to send anyway.
    expect(page.locator("#consent-warning")).to_be_visible()
    axe_check(page, name="x-referral-consent-warning")
    page.locator("main form.form button[type=submit]").click()
    section = page.locator("#referrals")
    section.locator("input[name=to_state][value=accepted]").check()
    section.locator("textarea[name=note]").fill("Vi tar emot klienten i januari.")
    section.locator("form.referral-move button[type=submit]").click()
    expect(page.locator("#referrals table")).to_contain_text("Vi tar emot klienten i januari.")
    axe_check(page, name="x-case-with-referral")
    page.get_by_role("button", name="Logga ut").click()

    # The manager shares the case with the liaison under the client's consent.
    log_in(page, cast.manager)
    page.goto(f"{live_server.url}{case_tab_url(case.pk, 'police')}")
    page.locator(f"a[href='/cases/{case.pk}/shares/new/']").click()
    axe_check(page, name="x-share-form")
    page.locator(f"input[name=recipient][value='{cast.police.pk}']").check()
    page.locator("[name=consent]").select_option(str(cast.consent.pk))
    page.locator("main form.form button[type=submit]").last.click()
    expect(page.locator("#police")).to_contain_text(str(cast.police))
    page.get_by_role("button", name="Logga ut").click()

    # The liaison sees the shared parts and nothing else.
    log_in(page, cast.police)
    page.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/shared/")
    main = page.locator("main")
    expect(main).to_contain_text(case.client.last_name)
    expect(main).to_contain_text("Hög")
    expect(main).to_contain_text("Gänget Testvik")
    expect(main).to_contain_text("Antagen")
    # Whom to call at the municipality, on what basis, and until when the share runs.
    share = case.police_shares.get(ended_at__isnull=True)
    basis = main.locator(".share-basis")
    expect(basis).to_contain_text("Kontakt i kommunen")
    expect(basis).to_contain_text(cast.manager.get_full_name() or cast.manager.username)
    expect(basis).to_contain_text("070-Mgr4k7q")
    expect(basis).to_contain_text(f"Klientens samtycke från {share.consent.valid_from:%Y-%m-%d}")
    until = share.consent.valid_until
    expect(basis).to_contain_text(
        f"{until:%Y-%m-%d}" if until else "Tills verksamheten avslutar den"
    )
    for secret in (
        "Hemlig journaltext",
        "Hälsouppgift",
        "Psykisk ohälsa",
        "Arbetsförmedlingen",
        "Intern motivering",
    ):
        expect(main).not_to_contain_text(secret)
    axe_check(page, name="x-police-shared")
    page.get_by_role("button", name="Logga ut").click()

    # The consent is revoked: the same request is refused at once.
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{case_section_url(case.pk, 'consent')}")
    page.locator("#consent button[type=submit]").first.click()
    page.locator('button[name="confirm"]').click()  # revoking asks first
    expect(page.locator("#consent")).to_contain_text("Återkallat")
    page.get_by_role("button", name="Logga ut").click()
    log_in(page, cast.police)
    response = page.goto(f"{live_server.url}/cases/{case.pk}/shared/")
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).not_to_contain_text(case.reference)
    assert JournalEntry.objects.filter(case=case).exists()  # the case itself is untouched
