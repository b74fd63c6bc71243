"""The periodic schedule: which reports a month gets, at which cadence, and only once."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseState
from reports import services
from reports.models import Report, ReportKind, ReportState
from reports.periods import Period, add_months, case_report_period
from tests.factories import CaseFactory, ReportFactory

pytestmark = pytest.mark.django_db

OCTOBER = Period.month(2026, 10)
DECEMBER = Period.month(2026, 12)


def test_add_months_keeps_month_ends_inside_the_month():
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2026, 1, 15), 24) == datetime.date(2028, 1, 15)
    assert add_months(datetime.date(2026, 3, 31), -1) == datetime.date(2026, 2, 28)


def test_case_report_periods_follow_the_cadence():
    assert case_report_period(OCTOBER, 1) == OCTOBER
    assert case_report_period(OCTOBER, 3) is None
    assert case_report_period(Period.month(2026, 9), 3) == Period(
        datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
    )
    assert case_report_period(DECEMBER, 6) == Period(
        datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)
    )
    assert case_report_period(DECEMBER, 12) == Period(
        datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    )
    assert Period.parse_month("2026-02") == Period(
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)
    )
    for bad in ("2026-13", "26-01", "2026/01", ""):
        with pytest.raises(ValueError):
            Period.parse_month(bad)


@pytest.fixture
def sent(monkeypatch):
    """The report ids sent to the worker (after commit)."""
    ids: list[int] = []

    def publish(app, connection, message):
        assert message.task == "reports.tasks.render_report"
        ids.extend(message.args)

    monkeypatch.setattr("outbox.services._publish", publish)
    return ids


def kinds_of(reports):
    return sorted((r.kind, r.case_id or r.municipality_id) for r in reports)


def test_a_month_gets_each_report_once(cast, sent, django_capture_on_commit_callbacks):
    other = CaseFactory(municipality=cast.stockholm, opened_on=datetime.date(2026, 1, 5))
    CaseFactory(municipality=cast.stockholm, state=CaseState.INQUIRY)  # not active: no report
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reports_schedule_period(month=OCTOBER)
    assert kinds_of(first) == sorted(
        [
            (ReportKind.CASE_FOLLOW_UP, cast.case.pk),
            (ReportKind.CASE_FOLLOW_UP, other.pk),
            (ReportKind.POLICE_SUMMARY, cast.case.pk),
            (ReportKind.CASELOAD, cast.stockholm.pk),
        ]
    )
    assert sorted(sent) == sorted(r.pk for r in first)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.reports_schedule_period(month=OCTOBER)
    assert Report.objects.count() == 4
    assert {r.pk for r in again} == {r.pk for r in first}  # still waiting: sent again

    Report.objects.filter(kind=ReportKind.CASELOAD).update(state=ReportState.READY)
    Report.objects.filter(kind=ReportKind.POLICE_SUMMARY).update(
        state=ReportState.FAILED, attempts=5, error="boom"
    )
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        third = services.reports_schedule_period(month=OCTOBER)
    assert Report.objects.count() == 4
    assert ReportKind.CASELOAD not in {r.kind for r in third}  # made: left alone
    retried = Report.objects.get(kind=ReportKind.POLICE_SUMMARY)
    assert (retried.state, retried.attempts, retried.error) == (ReportState.PENDING, 0, "")
    assert retried.pk in sent


def test_reports_asked_for_by_users_do_not_count_as_the_periodic_one(cast, sent):
    services.report_request(
        kind=ReportKind.CASE_FOLLOW_UP, by=cast.caseworker, case=cast.case, period=OCTOBER
    )
    services.reports_schedule_period(month=OCTOBER, kinds=[ReportKind.CASE_FOLLOW_UP])
    assert Report.objects.filter(case=cast.case, kind=ReportKind.CASE_FOLLOW_UP).count() == 2
    assert Report.objects.filter(requested_by__isnull=True).count() == 1


def test_quarterly_municipality_gets_case_reports_at_quarter_ends(cast, sent):
    cast.stockholm.case_report_months = 3
    cast.stockholm.save()
    services.reports_schedule_period(month=OCTOBER, kinds=[ReportKind.CASE_FOLLOW_UP])
    assert not Report.objects.exists()
    services.reports_schedule_period(month=DECEMBER, kinds=[ReportKind.CASE_FOLLOW_UP])
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )


def test_ended_case_gets_a_report_in_the_month_a_follow_up_falls_due(cast, sent):
    case = CaseFactory(
        municipality=cast.stockholm, state=CaseState.COMPLETED, closed_on=datetime.date(2026, 7, 10)
    )
    case_services.follow_ups_schedule(case=case, ended_on=case.closed_on)
    services.reports_schedule_period(month=OCTOBER, kinds=[ReportKind.CASE_FOLLOW_UP])
    assert Report.objects.filter(case=case).exists()  # the 3-month follow-up: 2026-10-10
    Report.objects.all().delete()
    services.reports_schedule_period(
        month=Period.month(2026, 11), kinds=[ReportKind.CASE_FOLLOW_UP]
    )
    assert not Report.objects.filter(case=case).exists()


def test_police_summary_only_for_cases_shared_now(cast, sent):
    for share in cast.case.police_shares.all():
        case_services.police_share_end(share=share, by=cast.manager)
    services.reports_schedule_period(month=OCTOBER, kinds=[ReportKind.POLICE_SUMMARY])
    assert not Report.objects.exists()


def test_periodic_task_uses_the_month_just_ended(cast, sent, monkeypatch):
    from reports import tasks

    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 11, 1)
    )
    tasks.make_periodic_reports()
    assert set(Report.objects.values_list("period_end", flat=True)) == {datetime.date(2026, 10, 31)}


# --- The cadence setting ----------------------------------------------------------------------


def test_manager_sets_the_cadence(cast, login):
    url = reverse("reports:cadence", args=[cast.stockholm.pk])
    client = login(cast.manager)
    assert client.get(url).status_code == 200
    response = client.post(url, {"case_report_months": "3"})
    assert response.status_code == 302
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.case_report_months == 3


def test_cadence_refuses_bad_input_with_a_message(cast, login):
    url = reverse("reports:cadence", args=[cast.stockholm.pk])
    response = login(cast.manager).post(url, {"case_report_months": "5"})
    assert response.status_code == 200
    assert 'class="field-error' in response.content.decode()
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.case_report_months == 1


@pytest.mark.parametrize(
    "who", ["caseworker", "outsider", "police", "police_unshared", "analyst", "administrator"]
)
def test_only_the_manager_sets_the_cadence(cast, login, who):
    url = reverse("reports:cadence", args=[cast.stockholm.pk])
    client = login(getattr(cast, who))
    assert client.get(url).status_code == 404
    assert client.post(url, {"case_report_months": "12"}).status_code == 404
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.case_report_months == 1


# --- Render guards ---------------------------------------------------------------------------


@pytest.fixture
def other_session():
    """A second database session, as another worker process would hold."""
    import psycopg
    from django.db import connection

    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        host=params["HOST"],
        port=params["PORT"],
        password=params["PASSWORD"] or None,
        autocommit=True,
    ) as session:
        yield session


def test_a_report_being_rendered_elsewhere_is_not_rendered_twice(
    cast, settings, tmp_path, other_session
):
    settings.REPORT_ROOT = tmp_path
    report = ReportFactory(case=cast.case)
    key = services._LOCK_PREFIX + report.pk
    other_session.execute("SELECT pg_advisory_lock(%s)", [key])
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert (report.state, report.attempts) == (ReportState.PENDING, 0)
    other_session.execute("SELECT pg_advisory_unlock(%s)", [key])
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert (report.state, report.attempts) == (ReportState.READY, 1)
    assert oct(Path(report.file.path).stat().st_mode & 0o777) == "0o600"
    assert oct(Path(report.file.path).parent.stat().st_mode & 0o777) == "0o700"


def test_a_report_is_written_where_no_folder_exists_yet(cast, settings, tmp_path):
    # A fresh install: neither MEDIA_ROOT nor the report folder has been made.
    settings.REPORT_ROOT = tmp_path / "media" / "reports"
    report = ReportFactory(case=cast.case)
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.READY, report.error
    path = Path(report.file.path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert path.is_relative_to(settings.REPORT_ROOT)
    assert oct(settings.REPORT_ROOT.stat().st_mode & 0o777) == "0o700"


def test_a_report_tried_too_often_is_given_up(cast, settings, tmp_path):
    settings.REPORT_ROOT = tmp_path
    report = ReportFactory(
        case=cast.case, state=ReportState.RENDERING, attempts=services.MAX_RENDER_ATTEMPTS
    )
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert "gave up" in report.error
    assert not report.file
