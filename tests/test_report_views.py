"""Asking for reports, watching their progress, downloading and listing them: who may."""

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from cases import services as case_services
from cases.tabs import case_tab_url
from outbox.models import OutboxMessage
from outbox.services import outbox_relay
from reports import services
from reports.models import Report, ReportKind, ReportState
from reports.periods import Period, preset_period
from tests.factories import CaseFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _report_root(settings, tmp_path):
    settings.REPORT_ROOT = tmp_path / "reports"


def made(report: Report) -> Report:
    """The report, rendered in this process."""
    return services.report_render(report_id=report.pk)


def case_url(case):
    return reverse("reports:case_new", args=[case.pk])


# --- Asking for a report on a case --------------------------------------------------------


def test_assigned_caseworker_asks_for_a_follow_up_report(cast, login):
    response = login(cast.caseworker).post(
        case_url(cast.case), {"kind": "case_follow_up", "period": "last_month"}
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    last_month = Period.previous_month(timezone.localdate())
    assert (report.kind, report.case, report.requested_by) == (
        ReportKind.CASE_FOLLOW_UP,
        cast.case,
        cast.caseworker,
    )
    assert (report.period_start, report.period_end) == (last_month.start, last_month.end)
    assert report.state == ReportState.PENDING
    assert report.language == "sv"
    assert AccessLogEntry.objects.filter(
        user=cast.caseworker, action=AccessAction.CREATE, case=cast.case, object_type="report"
    ).exists()


def test_asking_twice_while_waiting_gives_the_same_report(cast, login):
    client = login(cast.caseworker)
    for _ in range(2):
        client.post(case_url(cast.case), {"kind": "case_follow_up", "period": "this_month"})
    assert Report.objects.count() == 1


def published_renders(monkeypatch, *, broker_down: bool = False) -> list[int]:
    """The report ids whose render job the outbox hands to the broker from now on (or, with
    `broker_down`, a broker that refuses every message)."""
    sent: list[int] = []

    def publish(app, connection, message):
        if broker_down:
            raise ConnectionError("Redis is away")
        assert message.task == "reports.tasks.render_report"
        sent.extend(message.args)

    monkeypatch.setattr("outbox.services._publish", publish)
    return sent


def test_report_is_sent_to_the_worker_only_after_commit(
    cast, login, django_capture_on_commit_callbacks, monkeypatch
):
    sent = published_renders(monkeypatch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        login(cast.caseworker).post(
            case_url(cast.case), {"kind": "case_follow_up", "period": "last_month"}
        )
    assert sent == []  # nothing before the commit
    report = Report.objects.get()
    # The job is a row written with the report, in the same transaction.
    assert OutboxMessage.objects.get().args == [report.pk]
    for callback in callbacks:
        callback()
    assert sent == [report.pk]
    assert OutboxMessage.objects.get().sent_at is not None


def test_a_broker_that_is_down_loses_no_report(
    cast, login, django_capture_on_commit_callbacks, monkeypatch
):
    published_renders(monkeypatch, broker_down=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(cast.caseworker).post(
            case_url(cast.case), {"kind": "case_follow_up", "period": "last_month"}
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.state == ReportState.PENDING
    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert message.failures == 1
    assert message.last_error == "ConnectionError: Redis is away"
    # The broker is back: the relay sends it.
    sent = published_renders(monkeypatch)
    assert outbox_relay() == 1
    assert sent == [report.pk]
    assert outbox_relay() == 0  # sent once


def test_teammate_may_ask_for_a_follow_up_report_but_not_a_police_summary(cast, login):
    client = login(cast.teammate)
    client.post(case_url(cast.case), {"kind": "case_follow_up", "period": "last_month"})
    response = client.post(case_url(cast.case), {"kind": "police_summary", "period": "last_month"})
    assert response.status_code == 302
    assert list(Report.objects.values_list("kind", flat=True)) == [ReportKind.CASE_FOLLOW_UP]


def test_manager_may_ask_for_a_police_summary(cast, login):
    login(cast.manager).post(
        case_url(cast.case), {"kind": "police_summary", "period": "last_month"}
    )
    assert Report.objects.get().kind == ReportKind.POLICE_SUMMARY


def test_shared_liaison_may_ask_for_a_police_summary_only(cast, login):
    client = login(cast.police)
    response = client.post(case_url(cast.case), {"kind": "police_summary", "period": "last_month"})
    assert response.status_code == 302
    response = client.post(case_url(cast.case), {"kind": "case_follow_up", "period": "last_month"})
    assert response["Location"] == reverse("cases:shared", args=[cast.case.pk]) + "#reports"
    assert list(Report.objects.values_list("kind", flat=True)) == [ReportKind.POLICE_SUMMARY]


@pytest.mark.parametrize("who", ["outsider", "police_unshared", "analyst", "administrator"])
def test_others_get_404_and_nothing_is_made(cast, login, who):
    client = login(getattr(cast, who))
    for kind in ("case_follow_up", "police_summary"):
        response = client.post(case_url(cast.case), {"kind": kind, "period": "last_month"})
        assert response.status_code == 404
    assert not Report.objects.exists()


def test_bad_period_is_refused_with_a_message(cast, login):
    client = login(cast.caseworker)
    response = client.post(
        case_url(cast.case), {"kind": "case_follow_up", "period": "forever"}, follow=True
    )
    assert response.status_code == 200
    assert "forever" in response.content.decode()  # Django's "not one of the available choices"
    assert not Report.objects.exists()


def test_get_is_not_allowed(cast, login):
    assert login(cast.caseworker).get(case_url(cast.case)).status_code == 405


def test_service_refuses_a_period_in_the_future(cast):
    today = timezone.localdate()
    with pytest.raises(services.ReportRuleError):
        services.report_request(
            kind=ReportKind.CASE_FOLLOW_UP,
            by=cast.caseworker,
            case=cast.case,
            period=Period(today, today + datetime.timedelta(days=1)),
        )


def test_presets_cover_whole_months():
    today = datetime.date(2026, 3, 31)
    assert preset_period("last_month", today) == Period.month(2026, 2)
    assert preset_period("last_3_months", today) == Period(
        datetime.date(2025, 12, 1), datetime.date(2026, 2, 28)
    )
    assert preset_period("this_month", today).start.day == 1
    with pytest.raises(ValueError):
        preset_period("nonsense", today)


# --- The caseload report ------------------------------------------------------------------


def test_manager_asks_for_a_caseload_report(cast, login):
    response = login(cast.manager).post(
        reverse("reports:caseload_new"), {"municipality": cast.stockholm.pk, "period": "last_month"}
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.kind, report.municipality, report.case) == (
        ReportKind.CASELOAD,
        cast.stockholm,
        None,
    )


def test_manager_cannot_ask_for_another_municipalitys_caseload(cast, login):
    response = login(cast.manager).post(
        reverse("reports:caseload_new"),
        {"municipality": cast.malmo.pk, "period": "last_month"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ["caseworker", "outsider", "police", "analyst", "administrator"])
def test_only_managers_ask_for_caseload_reports(cast, login, who):
    response = login(getattr(cast, who)).post(
        reverse("reports:caseload_new"), {"municipality": cast.stockholm.pk, "period": "last_month"}
    )
    assert response.status_code == 404
    assert not Report.objects.exists()


# --- Progress, download ---------------------------------------------------------------------


def test_progress_page_and_status_while_waiting(cast, login):
    report = ReportFactory(case=cast.case)
    client = login(cast.caseworker)
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status-url="' + reverse("reports:status", args=[report.pk]) in html
    assert "<progress" in html
    assert "väntar" in html  # Swedish by default: "The report is waiting for its turn…"
    status = client.get(reverse("reports:status", args=[report.pk])).json()
    assert status["finished"] is False
    assert status["download_url"] == ""


def test_status_says_ready_and_gives_the_link(cast, login):
    report = made(ReportFactory(case=cast.case))
    status = login(cast.caseworker).get(reverse("reports:status", args=[report.pk])).json()
    assert status == {
        "state": "ready",
        "state_label": "Klar",
        "progress": 100,
        "finished": True,
        "message": "Rapporten är klar.",
        "download_url": reverse("reports:download", args=[report.pk]),
    }


def test_download_is_a_pdf_and_is_logged(cast, login):
    report = made(ReportFactory(case=cast.case))
    response = login(cast.caseworker).get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert cast.case.reference in response["Content-Disposition"]
    assert AccessLogEntry.objects.filter(
        user=cast.caseworker,
        action=AccessAction.DOWNLOAD,
        case=cast.case,
        object_type="report",
        object_id=str(report.pk),
    ).exists()


def test_download_before_ready_explains_instead_of_failing(cast, login):
    report = ReportFactory(case=cast.case)
    response = login(cast.caseworker).get(
        reverse("reports:download", args=[report.pk]), follow=True
    )
    assert response.status_code == 200
    assert "inte klar" in response.content.decode()


def test_damaged_file_is_refused_with_a_message(cast, login):
    report = made(ReportFactory(case=cast.case))
    with open(report.file.path, "r+b") as f:
        f.seek(20)
        f.write(b"XXXX")
    response = login(cast.caseworker).get(
        reverse("reports:download", args=[report.pk]), follow=True
    )
    assert response.status_code == 200
    assert "skadad" in response.content.decode()
    assert not AccessLogEntry.objects.filter(action=AccessAction.DOWNLOAD).exists()


def test_missing_file_is_refused_with_a_message(cast, login):
    report = made(ReportFactory(case=cast.case))
    Path(report.file.path).unlink()
    response = login(cast.caseworker).get(
        reverse("reports:download", args=[report.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Rapportens fil saknas" in response.content.decode()
    assert not AccessLogEntry.objects.filter(action=AccessAction.DOWNLOAD).exists()


@pytest.mark.parametrize(
    "who", ["outsider", "police", "police_unshared", "analyst", "administrator"]
)
def test_follow_up_report_is_hidden_from_others(cast, login, who):
    report = made(ReportFactory(case=cast.case))
    client = login(getattr(cast, who))
    for name in ("reports:detail", "reports:status", "reports:download"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(action=AccessAction.DOWNLOAD).exists()


def test_police_summary_is_read_by_the_shared_liaison_and_the_manager(cast, login):
    report = made(ReportFactory(case=cast.case, kind=ReportKind.POLICE_SUMMARY))
    url = reverse("reports:download", args=[report.pk])
    assert login(cast.police).get(url).status_code == 200
    assert login(cast.manager).get(url).status_code == 200
    assert login(cast.police_unshared).get(url).status_code == 404
    assert login(cast.teammate).get(url).status_code == 404


def test_police_summary_is_gone_when_the_consent_is_revoked(cast, login):
    report = made(ReportFactory(case=cast.case, kind=ReportKind.POLICE_SUMMARY))
    case_services.consent_revoke(consent=cast.consent, by=cast.manager)
    assert login(cast.police).get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_caseload_report_is_for_the_municipalitys_managers(cast, login):
    report = made(ReportFactory(case=None, kind=ReportKind.CASELOAD, municipality=cast.stockholm))
    url = reverse("reports:download", args=[report.pk])
    assert login(cast.manager).get(url).status_code == 200
    for who in ("caseworker", "teammate", "outsider", "police", "analyst"):
        assert login(getattr(cast, who)).get(url).status_code == 404, who


# --- Lists and query counts -------------------------------------------------------------------


def test_report_list_shows_only_readable_reports_in_fixed_queries(
    cast, login, django_assert_num_queries
):
    mine = ReportFactory(case=cast.case)
    other = ReportFactory(case=CaseFactory(municipality=cast.malmo))
    client = login(cast.caseworker)
    response = client.get(reverse("reports:list"))
    html = response.content.decode()
    assert reverse("reports:detail", args=[mine.pk]) in html
    assert reverse("reports:detail", args=[other.pk]) not in html
    ReportFactory.create_batch(
        30, case=cast.case, state=ReportState.READY, requested_by=cast.caseworker
    )
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("reports:list"))
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("reports:list") + "?page=2")


LIST_QUERIES = 9  # with the header's unread notifications
DETAIL_QUERIES = 10  # with the access-log row of a case report's page, the unread count


def test_progress_page_runs_fixed_queries(cast, login, django_assert_num_queries):
    report = ReportFactory(case=cast.case)
    client = login(cast.caseworker)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("reports:detail", args=[report.pk]))


def test_case_page_lists_the_case_reports_and_offers_the_form(cast, login):
    report = made(ReportFactory(case=cast.case))
    tab = case_tab_url(cast.case.pk, "closing")  # the case page's tab with the reports
    html = login(cast.caseworker).get(tab).content.decode()
    assert 'id="reports"' in html
    assert reverse("reports:download", args=[report.pk]) in html
    assert reverse("reports:case_new", args=[cast.case.pk]) in html
    assert 'value="police_summary"' not in html  # a caseworker cannot ask for one
    html = login(cast.manager).get(tab).content.decode()
    assert 'value="police_summary"' in html


def test_shared_view_lists_police_summaries_only(cast, login):
    summary = made(ReportFactory(case=cast.case, kind=ReportKind.POLICE_SUMMARY))
    follow_up = made(ReportFactory(case=cast.case))
    html = login(cast.police).get(reverse("cases:shared", args=[cast.case.pk])).content.decode()
    assert reverse("reports:download", args=[summary.pk]) in html
    assert reverse("reports:download", args=[follow_up.pk]) not in html


def test_manager_home_offers_the_caseload_report(cast, login):
    html = login(cast.manager).get(reverse("home")).content.decode()
    assert reverse("reports:caseload_new") in html
    assert 'id="caseload-report"' in html
    html = login(cast.caseworker).get(reverse("home")).content.decode()
    assert reverse("reports:caseload_new") not in html


# --- The management command -------------------------------------------------------------------


def test_make_reports_makes_a_month_once(cast, capsys):
    CaseFactory(municipality=cast.stockholm)  # a second active case
    call_command("make_reports", "--month", "2026-10")
    first = Report.objects.count()
    assert first == Report.objects.filter(state=ReportState.READY).count()
    assert Report.objects.filter(kind=ReportKind.CASE_FOLLOW_UP).count() == 2
    assert Report.objects.filter(kind=ReportKind.POLICE_SUMMARY, case=cast.case).count() == 1
    assert Report.objects.filter(kind=ReportKind.CASELOAD, municipality=cast.stockholm).count() == 1
    out = capsys.readouterr()
    assert f"{first} reports of 2026-10-01..2026-10-31 made, 0 failed" in out.out
    assert "100%" in out.err  # the progress bar
    call_command("make_reports", "--month", "2026-10", "--no-progress")
    assert Report.objects.count() == first
    assert "0 reports of" in capsys.readouterr().out


def test_make_reports_kind_filter_and_bad_month(cast):
    call_command("make_reports", "--month", "2026-10", "--kind", "caseload", "--no-progress")
    assert set(Report.objects.values_list("kind", flat=True)) == {ReportKind.CASELOAD}
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("make_reports", "--month", "October")
