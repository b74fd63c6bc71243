"""Reports print user text as text: markup in a journal entry, plan, police note, agency or
caseworker name fetches nothing, neither a local file nor a URL on the network.

A real HTTP server on a free local port counts the requests it gets; the fetcher spy of
tests/test_rendering.py records every URL WeasyPrint asks for.
"""

import datetime
import http.server
import threading

import pytest
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from cases.models import JournalEntry, PoliceNote
from exitprog import pdf as rendering
from exitprog.pdf import render_pdf
from records.models import CasePlan, PlanGoal
from referrals.models import Referral, ReferralDirection, ReferralState
from reports.documents.common import head_context
from reports.models import AUDIENCE_OF_KIND, Report, ReportKind
from reports.periods import Period
from reports.services import report_read, report_render
from tests import test_rendering
from tests.test_rendering import pdf_text

spy = test_rendering.spy  # the fixture, shared

STATIC_PREFIX = f"{rendering.REPORT_ORIGIN}/static/"


class CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format, *args) -> None:  # quiet
        pass


@pytest.fixture
def server():
    """An HTTP server on a free port of 127.0.0.1 that records each request's path."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def hostile(server) -> str:
    port = server.server_address[1]
    return f'<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/x.png">'


@pytest.fixture
def reports_dir(settings, tmp_path):
    settings.REPORT_ROOT = tmp_path / "reports"


@pytest.fixture
def period() -> Period:
    return Period.previous_month(timezone.localdate())


@pytest.fixture
def hostile_case(cast, hostile, period):
    """The cast's case with the markup in every text a report prints."""
    case, kim = cast.case, cast.caseworker
    plan = CasePlan.objects.create(
        case=case,
        version=1,
        written_by=kim,
        written_at=timezone.make_aware(datetime.datetime.combine(period.start, datetime.time(9))),
        next_review_on=period.end,
    )
    PlanGoal.objects.create(plan=plan, order=1, goal=hostile, responsible=kim)
    kim.first_name = hostile[:150]
    kim.save(update_fields=["first_name"])
    day = period.start + datetime.timedelta(days=3)
    JournalEntry.objects.create(
        case=case,
        author=kim,
        occurred_on=day,
        written_at=datetime.datetime.combine(
            day, datetime.time(10), tzinfo=timezone.get_current_timezone()
        ),
        category="contact",
        text=hostile,
    )
    PoliceNote.objects.create(case=case, author=cast.police, threat_level=2, text=hostile)
    agency = Agency.objects.create(name=hostile, kind=AgencyKind.HOUSING)
    Referral.objects.create(
        case=case,
        agency=agency,
        direction=ReferralDirection.OUTBOUND,
        state=ReferralState.SENT,
        purpose="p",
        created_by=kim,
        sent_at=timezone.now() - datetime.timedelta(days=40),
    )
    return case


def assert_fetched_nothing(asked: list[str], served: list[str], server) -> None:
    assert server.requests == []
    assert asked, "the stylesheet at least is asked for"
    assert all(url.startswith(STATIC_PREFIX) for url in asked), asked
    assert served == asked


@pytest.mark.parametrize("kind", list(ReportKind))
def test_markup_in_user_text_is_printed_and_fetches_nothing(
    hostile_case, reports_dir, period, server, spy, kind
):
    asked, served = spy
    report = Report.objects.create(
        kind=kind,
        audience=AUDIENCE_OF_KIND[kind],
        case=None if kind == ReportKind.CASELOAD else hostile_case,
        municipality=hostile_case.municipality,
        period_start=period.start,
        period_end=period.end,
    )
    pdf = report_read(report=report_render(report_id=report.pk))
    text = pdf_text(pdf).replace("\n", "")
    assert_fetched_nothing(asked, served, server)
    assert 'src="file:///etc/passwd"' in text  # the markup, as text
    assert "root:x:0" not in text


def test_the_fetcher_refuses_markup_that_got_into_a_report(
    cast, settings, tmp_path, period, hostile, server, spy
):
    """Unescaped markup in the report layout (a template bug) still reaches nothing."""
    asked, served = spy
    (tmp_path / "unsafe.html").write_text(
        '{% extends "reports/pdf/base.html" %}{% block content %}{{ raw|safe }}{% endblock %}'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    report = Report(
        kind=ReportKind.CASELOAD,
        audience=AUDIENCE_OF_KIND[ReportKind.CASELOAD],
        municipality=cast.stockholm,
        period_start=period.start,
        period_end=period.end,
    )
    context = {**head_context(report, now=timezone.now()), "raw": hostile}
    pdf = render_pdf(template_name="unsafe.html", context=context)
    port = server.server_address[1]
    assert "file:///etc/passwd" in asked
    assert f"http://127.0.0.1:{port}/x.png" in asked
    assert server.requests == []
    assert all(url.startswith(STATIC_PREFIX) for url in served), served
    assert "root:x:0" not in pdf_text(pdf)
