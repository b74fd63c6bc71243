"""A young client in a real browser (issue 12): a caseworker opens an inquiry for a
16-year-old, records the guardians (one not safe to contact) and the report of concern to the
child unit; a manager takes the case on the youth path. axe checks the new pages. Values looked
for carry the suffix "Yb7q"."""

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases import services
from cases.identity import luhn_check_digit
from cases.models import Case, CaseState
from youth.models import ReportOfConcern


def sixteen_year_old_number() -> str:
    today = timezone.localdate()
    birth = datetime.date(today.year - 16, 1, 15)
    nine = f"{birth:%y%m%d}981"
    return f"{birth:%y%m%d}-981{luhn_check_digit(nine)}"


def submit(page: Page) -> None:
    page.locator("main form.form button[type=submit]").last.click()


def test_a_young_clients_inquiry_guardians_report_of_concern_and_youth_path(
    page: Page, live_server, cast, log_in, axe_check
):
    services.youth_rules_save(
        municipality=cast.stockholm,
        by=cast.manager,
        minimum_age=15,
        guardian_consent_for_interventions=True,
        guardian_consent_for_sharing=True,
        own_consent_age=15,
        child_unit_name="Barnenheten Norr Yb7q",
        child_unit_phone="08-000 00 00",
    )
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{reverse('cases:new')}")
    page.locator("[name=first_name]").fill("Ung")
    page.locator("[name=last_name]").fill("Sextonsson-Yb7q")
    page.locator("[name=identity_number]").fill(sixteen_year_old_number())
    page.locator("[name=source]").select_option("social_services")
    page.locator("[name=reason]").fill("Skolan oroas för att eleven rekryteras.")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ärende")
    case = Case.objects.get(client__last_name="Sextonsson-Yb7q")
    assert case.client.young
    expect(page.locator(".case-header")).to_contain_text("Under 18 år")

    # The guardians: the mother safe to contact, the father not.
    for name, relation, safe in (
        ("Mamma Yb7q", "mother", "yes"),
        ("Pappa Yb7q", "father", "no"),
    ):
        page.goto(f"{live_server.url}{reverse('cases:guardian_new', args=[case.pk])}")
        page.locator("[name=name]").fill(name)
        page.locator(f"[name=relation][value={relation}]").check()
        page.locator("[name=phone]").fill("070-000 00 01")
        page.locator(f"[name=safe_to_contact][value={safe}]").check()
        if safe == "no":
            page.locator("[name=safety_note]").fill("Står gruppen nära.")
            axe_check(page, name="young-guardian-form")
        submit(page)
    card = page.locator("#contact")
    expect(card).to_contain_text("Mamma Yb7q")
    expect(card).to_contain_text("Pappa Yb7q")

    # The report of concern to the child unit.
    page.goto(f"{live_server.url}{reverse('youth:report_of_concern_new', args=[case.pk])}")
    axe_check(page, name="young-report-of-concern-form")
    page.locator("[name=made_to]").fill("Barnenheten Norr Yb7q, mottagningen")
    page.locator("[name=how][value=phone]").check()
    page.locator("[name=what_was_said]").fill("Oro för rekrytering till gruppen Yb7q.")
    submit(page)
    assert ReportOfConcern.objects.filter(case=case).count() == 1
    expect(page.locator("main")).to_contain_text("Oro för rekrytering till gruppen Yb7q.")

    # Into assessment, and the manager accepts on the youth path.
    services.case_transition(
        case=case, to_state=CaseState.ASSESSMENT, by=cast.caseworker, reason="Utreds."
    )
    page.get_by_role("button", name="Logga ut").click()
    log_in(page, cast.manager)
    page.goto(f"{live_server.url}{reverse('cases:detail', args=[case.pk])}")
    page.locator("#decisions input[name=to_state][value=accepted]").check()
    page.locator("#decisions input[name=youth_path]").check()
    page.locator("#decisions textarea[name=reason]").fill("Ungdomsspåret, med barnenheten Yb7q.")
    page.locator("#decisions button[type=submit]").click()
    expect(page.locator("#youth-path")).to_contain_text("Barnenheten Norr Yb7q")
    axe_check(page, name="young-case-youth-path")
    case.refresh_from_db()
    assert (case.state, case.youth_path) == (CaseState.ACCEPTED, True)
