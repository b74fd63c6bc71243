"""A report in a real browser, made by a real worker: the caseworker asks for a follow-up
report on the case page, watches its progress update without a reload, and downloads the PDF.
axe checks the pages."""

import shutil
import subprocess

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases import services
from cases.tabs import case_section_url
from reports.models import Report, ReportState


def test_ask_for_a_report_watch_it_and_download_it(
    page: Page, live_server, cast, log_in, axe_check, celery_worker, tmp_path
):
    case = cast.case
    services.journal_write(
        case=case,
        by=cast.caseworker,
        occurred_on=timezone.localdate(),
        category="contact",
        text="Samtal om boende och skuld.",
    )
    log_in(page, cast.caseworker)
    page.goto(f"{live_server.url}{case_section_url(case.pk, 'reports')}")
    section = page.locator("section#reports")
    expect(section.get_by_role("heading", level=2)).to_be_visible()
    section.locator("select[name=period]").select_option("this_month")
    section.locator("form.report-request button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/reports/*/")
    report = Report.objects.get(case=case)
    # A marker on the window: a reload would wipe it, so it shows the page updated in place.
    page.evaluate("window.exitprogNoReload = true")
    progress = page.locator("progress")
    expect(progress).to_be_visible()
    axe_check(page, name="report-progress")

    download_link = page.locator("[data-role=download-link]")
    expect(download_link).to_be_visible(timeout=30_000)
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_role("status").filter(has_text="klar")).to_be_visible()
    assert page.evaluate("window.exitprogNoReload") is True
    report.refresh_from_db()
    assert report.state == ReportState.READY
    assert report.attempts == 1
    axe_check(page, name="report-ready")

    with page.expect_download() as info:
        download_link.click()
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(  # noqa: S603  (a fixed command on our own file)
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", str(target), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert case.reference in text

    page.goto(f"{live_server.url}{reverse('reports:list')}")
    expect(page.locator(f"a[href='{reverse('reports:detail', args=[report.pk])}']")).to_have_text(
        "Uppföljningsrapport"
    )
    axe_check(page, name="report-list")
