"""The contents of the three PDF report kinds, read back from the rendered PDFs.

The history is built once per test (`history`): the cast's case with a year of assessments,
threats, needs, interventions with costs, referrals sent and started, journal entries in and
outside the period, police notes; a completed case with follow-ups recorded and overdue; a
client with a protected identity; and cases waiting in inquiry and assessment.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from access import policy
from accounts.models import Municipality, User
from agencies.models import Agency, AgencyKind
from cases.models import (
    Case,
    CaseNeed,
    CaseState,
    CaseStateChange,
    CriminalGroup,
    FollowUp,
    GroupAffiliation,
    Instrument,
    Intervention,
    InterventionType,
    JournalEntry,
    MotivationAssessment,
    Need,
    Placement,
    PoliceNote,
    ThreatAssessment,
)
from records.models import CasePlan, PlanGoal
from referrals.models import Referral, ReferralDirection, ReferralState
from reports.charts import Bar, bar_chart_svg
from reports.documents import report_document
from reports.models import AUDIENCE_OF_KIND, Report, ReportKind
from reports.periods import Period
from reports.services import report_read, report_render
from tests.factories import CaseFactory, ClientFactory
from tests.test_rendering import pdf_text

STAGES = ["precontemplation", "contemplation", "preparation", "action", "maintenance"]


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@dataclass
class History:
    today: datetime.date
    period: Period
    case: Case
    closed: Case
    protected: Case
    psychiatry: Agency
    enforcement: Agency
    police_agency: Agency
    author: User


def add_assessments(case: Case, by: User, days: list[datetime.date]) -> None:
    instrument = Instrument.objects.get(code="motivation", is_current=True)
    MotivationAssessment.objects.bulk_create(
        MotivationAssessment(
            case=case,
            instrument=instrument,
            assessed_on=day,
            assessor=by,
            stage=STAGES[min(i // 3, 4)],
            total_score=8 + i,
            criteria_met=i >= 3,
            recommendation="continue" if i >= 3 else "reassess",
        )
        for i, day in enumerate(days)
    )


def add_journal(
    case: Case, by: User, day: datetime.date, text: str, *, written: datetime.date | None = None
) -> JournalEntry:
    return JournalEntry.objects.create(
        case=case,
        author=by,
        occurred_on=day,
        written_at=at(written or day),
        category="contact",
        text=text,
    )


def build_history(cast) -> History:
    """A year of one case's history, a closed case and a protected client (see the module)."""
    today = timezone.localdate()
    period = Period.previous_month(today)
    kim, manager = cast.caseworker, cast.manager
    kim.first_name, kim.last_name = "Kim", "Handläggarsson"
    kim.save(update_fields=["first_name", "last_name"])
    start = period.start

    case = cast.case
    case.opened_on = start - datetime.timedelta(days=330)
    case.next_review_on = today - datetime.timedelta(days=3)
    # The plan in force when the period ended (written then: made here, not by the service).
    plan = CasePlan.objects.create(
        case=case, version=1, written_by=kim, written_at=at(start), next_review_on=today
    )
    PlanGoal.objects.create(
        plan=plan,
        order=1,
        goal="Boende i annan kommun, skuldsanering och stöd till arbete.",
        responsible=kim,
    )
    case.save(update_fields=["opened_on", "next_review_on"])
    CaseStateChange.objects.create(
        case=case,
        from_state=CaseState.ASSESSMENT,
        to_state=CaseState.ACCEPTED,
        at=at(case.opened_on + datetime.timedelta(days=20)),
        by=manager,
        reason="DECISION-REASON-SECRET",
    )
    add_assessments(case, kim, [start - datetime.timedelta(days=30 * (11 - i)) for i in range(12)])
    ThreatAssessment.objects.create(
        case=case,
        level=1,
        source="own",
        assessed_on=start - datetime.timedelta(days=200),
        recorded_by=kim,
    )
    ThreatAssessment.objects.create(
        case=case,
        level=3,
        source="police",
        assessed_on=start + datetime.timedelta(days=3),
        note="THREAT-NOTE-SECRET",
        recorded_by=kim,
    )
    CaseNeed.objects.create(
        case=case,
        need=Need.objects.get(code="trauma"),
        identified_on=case.opened_on,
        note="NEED-NOTE-SECRET",
    )
    CaseNeed.objects.create(
        case=case,
        need=Need.objects.get(code="debt"),
        identified_on=case.opened_on,
        resolved_on=start - datetime.timedelta(days=10),
    )

    psychiatry = Agency.objects.create(name="Traumamottagningen Syd", kind=AgencyKind.PSYCHIATRY)
    enforcement = Agency.objects.create(name="Kronofogden", kind=AgencyKind.ENFORCEMENT)
    types = {t.code: t for t in InterventionType.objects.all()}

    def intervention(code: str, **values) -> Intervention:
        return Intervention.objects.create(case=case, type=types[code], created_by=kim, **values)

    # Started in the period: 5 000 + 7 500 = 12 500; the others start outside it.
    intervention(
        "trauma_treatment",
        provider=psychiatry,
        planned_start=start,
        actual_start=start + datetime.timedelta(days=2),
        status="ongoing",
        cost_sek=Decimal("5000"),
    )
    intervention(
        "debt_counselling",
        planned_start=start + datetime.timedelta(days=5),
        actual_start=start + datetime.timedelta(days=6),
        actual_end=start + datetime.timedelta(days=20),
        status="completed",
        cost_sek=Decimal("7500"),
        outcome="achieved",
        outcome_note="OUTCOME-NOTE-SECRET",
    )
    intervention(
        "mentor",
        planned_start=start - datetime.timedelta(days=90),
        actual_start=start - datetime.timedelta(days=88),
        status="ongoing",
        cost_sek=Decimal("20000"),
    )
    intervention(
        "employment_support",
        planned_start=today + datetime.timedelta(days=5),
        status="planned",
    )

    def referral(agency: Agency, *, sent: datetime.datetime, **values) -> Referral:
        return Referral.objects.create(
            case=case,
            agency=agency,
            direction=ReferralDirection.OUTBOUND,
            purpose=f"REFERRAL-PURPOSE-{agency.kind}",
            created_by=kim,
            sent_at=sent,
            **values,
        )

    # Waiting 40 and 10 days, started in the period; one unanswered for 30 days.
    referral(
        psychiatry,
        sent=at(start - datetime.timedelta(days=35)),
        state=ReferralState.STARTED,
        accepted_at=at(start - datetime.timedelta(days=20)),
        started_at=at(start + datetime.timedelta(days=5)),
    )
    referral(
        cast.police_agency,
        sent=at(start + datetime.timedelta(days=1)),
        state=ReferralState.STARTED,
        started_at=at(start + datetime.timedelta(days=11)),
    )
    referral(enforcement, sent=at(today - datetime.timedelta(days=30)), state=ReferralState.SENT)

    add_journal(case, kim, start - datetime.timedelta(days=20), "JOURNAL-BEFORE-PERIOD")
    first = add_journal(case, kim, start + datetime.timedelta(days=2), "JOURNAL-IN-PERIOD-ONE")
    add_journal(case, kim, start + datetime.timedelta(days=9), "JOURNAL-IN-PERIOD-TWO\nrad två")
    add_journal(
        case,
        kim,
        start - datetime.timedelta(days=3),
        "JOURNAL-WRITTEN-IN-PERIOD",
        written=start + datetime.timedelta(days=1),
    )
    JournalEntry.objects.create(
        case=case,
        author=kim,
        occurred_on=start + datetime.timedelta(days=2),
        written_at=at(start + datetime.timedelta(days=4)),
        category="other",
        text="JOURNAL-CORRECTION",
        corrects=first,
    )
    if period.end < today:
        add_journal(case, kim, period.end + datetime.timedelta(days=1), "JOURNAL-AFTER-PERIOD")

    group = CriminalGroup.objects.create(name="Nätverket Testet", kind="network")
    GroupAffiliation.objects.create(
        client=case.client,
        group=group,
        role="member",
        started_on=case.opened_on - datetime.timedelta(days=900),
        recorded_by=kim,
    )
    Placement.objects.create(
        case=case,
        municipality=Municipality.objects.get(code="0581"),
        kind="protected_housing",
        started_on=start - datetime.timedelta(days=60),
        recorded_by=kim,
    )
    PoliceNote.objects.create(
        case=case,
        author=cast.police,
        written_at=at(start + datetime.timedelta(days=7)),
        threat_level=3,
        text="POLICE-NOTE-TEXT",
    )

    # A completed case: follow-up at 3 months recorded, at 6 months overdue.
    closed = CaseFactory(
        municipality=cast.stockholm,
        created_by=manager,
        state=CaseState.COMPLETED,
        opened_on=today - datetime.timedelta(days=600),
        closed_on=today - datetime.timedelta(days=200),
        next_review_on=None,
    )
    policy.case_grant_assignment(case=closed, user=kim)
    FollowUp.objects.create(
        case=closed,
        months=3,
        due_on=today - datetime.timedelta(days=110),
        checked_on=today - datetime.timedelta(days=105),
        alive="yes",
        reoffended="yes",
        reoffending_source="police",
        housing="own_home",
        occupation="work",
        group_contact="none",
        note="FOLLOW-UP-NOTE",
        recorded_by=kim,
        recorded_at=at(today - datetime.timedelta(days=105)),
    )
    FollowUp.objects.create(case=closed, months=6, due_on=today - datetime.timedelta(days=20))
    FollowUp.objects.create(case=closed, months=12, due_on=today + datetime.timedelta(days=165))

    protected = CaseFactory(
        municipality=cast.stockholm,
        created_by=manager,
        client=ClientFactory(first_name="Hemlig", last_name="Hemligsson", protected_identity=True),
    )
    add_journal(protected, kim, start + datetime.timedelta(days=3), "PROTECTED-JOURNAL")
    for state, days in ((CaseState.INQUIRY, 12), (CaseState.ASSESSMENT, 45)):
        CaseFactory(
            municipality=cast.stockholm,
            created_by=manager,
            state=state,
            opened_on=today - datetime.timedelta(days=days),
        )
    return History(
        today=today,
        period=period,
        case=case,
        closed=closed,
        protected=protected,
        psychiatry=psychiatry,
        enforcement=enforcement,
        police_agency=cast.police_agency,
        author=kim,
    )


@pytest.fixture
def history(cast) -> History:
    return build_history(cast)


@pytest.fixture
def reports_dir(settings, tmp_path):
    settings.REPORT_ROOT = tmp_path / "reports"
    return settings.REPORT_ROOT


def make_report(
    kind: ReportKind, period: Period, *, case: Case | None = None, municipality=None, **extra
) -> Report:
    """A report of `kind` about `case` (for a caseload report: about the case's municipality)."""
    if municipality is None:
        assert case is not None
        municipality = case.municipality
    return Report.objects.create(
        kind=kind,
        audience=AUDIENCE_OF_KIND[kind],
        case=None if kind == ReportKind.CASELOAD else case,
        municipality=municipality,
        period_start=period.start,
        period_end=period.end,
        **extra,
    )


def render_text(report: Report) -> str:
    """Render `report` as the worker does and return its PDF's text, on one line."""
    made = report_render(report_id=report.pk)
    pdf = report_read(report=made)
    assert pdf.startswith(b"%PDF")
    return " ".join(pdf_text(pdf).replace("\xa0", " ").split())


def sv(message: str) -> str:
    """`message` as the Swedish catalogue has it (the English text until it is translated)."""
    with translation.override("sv"):
        return gettext(message)


def loaded(report: Report) -> Report:
    """The report loaded the way `report_render` loads it."""
    return Report.objects.select_related("case__client", "case__municipality", "municipality").get(
        pk=report.pk
    )


# --- The case follow-up report ----------------------------------------------------------------


def test_case_follow_up_report_shows_the_case_of_the_period(history, reports_dir):
    report = make_report(ReportKind.CASE_FOLLOW_UP, history.period, case=history.case)
    text = render_text(report)
    client = history.case.client

    for heading in (
        "Tasks due",
        "Plan",
        "Open needs",
        "Motivation",
        "Interventions",
        "Referrals",
        "Journal entries of the period",
        "Follow-ups",
    ):
        assert sv(heading) in text, heading
    assert history.case.reference in text
    assert client.full_name in text
    assert f"{client.identity_number[:8]}-{client.identity_number[8:]}" in text
    assert "Stockholm" in text
    assert "Kim Handläggarsson" in text
    assert "Boende i annan kommun, skuldsanering" in text
    # Threat level now: the newest assessment (high, from the police).
    assert f"{sv('High')} ({history.period.start + datetime.timedelta(days=3):%Y-%m-%d}" in text
    assert re.search(r"Trauma \(\S+ \d{4}-\d\d-\d\d\): NEED-NOTE-SECRET", text)
    open_needs = text.split(sv("Open needs"))[1].split(sv("Motivation"))[0]
    assert "Skulder" not in open_needs  # resolved before the period
    # The motivation table: twelve assessments up to the period's end, out of 6 items x 4.
    assert text.count(" / 24 ") == 12
    assert "<svg" not in text  # the chart is drawn, not printed as markup
    # Interventions and their total cost.
    assert "Traumamottagningen Syd" in text and sv("Own unit") in text
    assert "32 500" in text  # 5 000 + 7 500 + 20 000, the planned one has no cost
    assert f"{sv('Total cost')} 32 500" in text
    # Referrals with waiting days: 40, 10 and 30 (unanswered after the municipality's 14).
    assert re.search(r"Traumamottagningen Syd \S+ \S+ \S+ 40\b", text)
    with translation.override("sv"):
        no_answer = ngettext(
            "No answer after %(days)s day", "No answer after %(days)s days", 14
        ) % {"days": 14}
    dash = "\N{EN DASH}"  # no start yet
    assert re.search(rf"Kronofogden {sv('Sent')} \S+ {dash} 30 {no_answer}", text)
    # The journal of the period, oldest first; entries outside it are left out.
    for inside in (
        "JOURNAL-IN-PERIOD-ONE",
        "JOURNAL-IN-PERIOD-TWO",
        "rad två",
        "JOURNAL-WRITTEN-IN-PERIOD",
        "JOURNAL-CORRECTION",
    ):
        assert inside in text, inside
    assert "JOURNAL-BEFORE-PERIOD" not in text
    assert "JOURNAL-AFTER-PERIOD" not in text
    assert "PROTECTED-JOURNAL" not in text
    assert text.index("JOURNAL-WRITTEN-IN-PERIOD") < text.index("JOURNAL-IN-PERIOD-ONE")
    # The police's and decisions' own texts are not part of this report.
    assert "DECISION-REASON-SECRET" not in text


def test_case_report_marks_corrections_and_what_they_correct(history, reports_dir):
    report = make_report(ReportKind.CASE_FOLLOW_UP, history.period, case=history.case)
    text = render_text(report)
    first = JournalEntry.objects.get(text="JOURNAL-IN-PERIOD-ONE")
    with translation.override("sv"):
        corrects = gettext("Corrects the entry written %(date)s") % {
            "date": timezone.localtime(first.written_at).strftime("%Y-%m-%d %H:%M")
        }
    assert corrects in text
    assert sv("A later entry corrects this one.") in text


def test_case_report_lists_the_tasks_due(history, reports_dir):
    report = make_report(ReportKind.CASE_FOLLOW_UP, history.period, case=history.case)
    text = render_text(report)
    tasks = text.split(sv("Tasks due"))[1].split(sv("Plan"))[0]
    today = history.today
    # The review three days ago, overdue; the referral to Kronofogden unanswered since its
    # deadline (sent 30 days ago + 14); the employment support planned to start in 5 days.
    assert f"{today - datetime.timedelta(days=3):%Y-%m-%d}" in tasks
    assert "Kronofogden" in tasks
    assert f"{today - datetime.timedelta(days=16):%Y-%m-%d}" in tasks
    assert f"{today + datetime.timedelta(days=5):%Y-%m-%d}" in tasks
    assert "Stöd till arbete" in tasks
    assert tasks.count(sv("overdue")) == 2


def test_case_report_of_a_closed_case_shows_its_follow_ups(history, reports_dir):
    report = make_report(ReportKind.CASE_FOLLOW_UP, history.period, case=history.closed)
    text = render_text(report)
    section = text.split(sv("Follow-ups"))[-1]
    with translation.override("sv"):
        three, six = (gettext("%(months)s months") % {"months": m} for m in (3, 6))
    assert three in section and six in section
    for shown in ("Yes", "The police", "Own home (rented or owned)", "Work", "No contact"):
        assert sv(shown) in section, shown
    assert "FOLLOW-UP-NOTE" in section
    assert sv("Not recorded yet.") in section
    # The 6-month follow-up is overdue, the 12-month one is not due yet.
    assert section.count(sv("overdue")) == 1
    tasks = text.split(sv("Tasks due"))[1].split(sv("Plan"))[0]
    assert f"{history.today - datetime.timedelta(days=20):%Y-%m-%d}" in tasks


# --- The caseload report ----------------------------------------------------------------------


def test_caseload_report_counts_and_lists_by_reference(history, reports_dir, cast):
    report = make_report(ReportKind.CASELOAD, history.period, municipality=cast.stockholm)
    text = render_text(report)
    for heading in (
        "Cases by state",
        "Open cases per caseworker",
        "Overdue",
        "Waiting times",
        "Costs",
    ):
        assert sv(heading) in text, heading
    # Active: the cast's case and the protected one; one each in inquiry, assessment, completed.
    states = text.split(sv("Cases by state"))[-1]
    assert re.search(rf"{sv('Active')} 2 0 0\b", states)
    assert re.search(rf"{sv('Inquiry')} 1 \d 0\b", states)
    assert re.search(rf"{sv('Completed')} 1 0 0\b", states)
    assert re.search(rf"{sv('All states')} 5 \d 0\b", states)
    # Open cases per caseworker: Kim has one open case (the closed one does not count); three
    # open cases have no caseworker.
    assert re.search(r"Kim Handläggarsson 1\b", text)
    assert re.search(rf"{sv('Not assigned')} 3\b", text)
    # Overdue items by reference: the review, the unanswered referral, the follow-up.
    overdue = text.split(sv("Overdue"))[1].split(sv("Waiting times"))[0]
    assert history.case.reference in overdue
    assert "Kronofogden" in overdue
    assert history.closed.reference in overdue
    # Waiting times: 40 days (psychiatry) and 10 days (police); median 25, mean 25, longest 40.
    waits = text.split(sv("Waiting times"))[1].split(sv("Costs"))[0]
    assert re.search(rf"{sv('Regional psychiatry')} 1 40,0 40,0 40\b", waits)
    assert re.search(rf"{sv('Police region')} 1 10,0 10,0 10\b", waits)
    assert re.search(r" 2 25,0 25,0 40\b", waits)
    # The cases waiting for a decision, with days since opening.
    assert "45" in waits and "12" in waits
    # Costs of the interventions started in the period: 5 000 + 7 500.
    costs = text.split(sv("Costs"))[-1]
    assert f"{sv('Total cost')} 12 500" in costs
    assert "20 000" not in costs
    # Never a client's name.
    for client in (history.case.client, history.protected.client, history.closed.client):
        assert client.last_name not in text


# --- The police summary -----------------------------------------------------------------------


def test_police_summary_shows_only_the_shared_parts(history, reports_dir):
    report = make_report(ReportKind.POLICE_SUMMARY, history.period, case=history.case)
    text = render_text(report)
    for heading in (
        "Threat",
        "Group affiliations",
        "Placements",
        "Referrals to the police",
        "Intake decision",
        "Police notes",
    ):
        assert sv(heading) in text, heading
    assert history.case.client.full_name in text
    assert "Nätverket Testet" in text
    assert "Norrköping" in text and sv("Protected housing") in text
    assert "Polisregion Stockholm" in text
    assert sv("Accepted into the program") in text
    assert "POLICE-NOTE-TEXT" in text
    assert sv("High") in text and sv("Low") in text
    for secret in (
        "JOURNAL-",
        "NEED-NOTE-SECRET",
        sv("Trauma"),
        "THREAT-NOTE-SECRET",
        "DECISION-REASON-SECRET",
        "OUTCOME-NOTE-SECRET",
        "REFERRAL-PURPOSE",
        "Traumamottagningen Syd",
        "Kronofogden",
        sv("Interventions"),
        "Budget- och skuldrådgivning",
        "Boende i annan kommun",
        "Kim Handläggarsson",
        sv("Motivation"),
    ):
        assert secret not in text, secret


# --- Every kind -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ReportKind))
def test_protected_identity_is_masked_in_every_kind(history, reports_dir, kind):
    client = history.protected.client
    report = make_report(kind, history.period, case=history.protected)
    text = render_text(report)
    assert client.first_name not in text
    assert client.last_name not in text
    assert client.identity_number not in text
    assert client.identity_number[:8] not in text
    assert f"{client.birth_date:%Y-%m-%d}" not in text
    if kind != ReportKind.CASELOAD:
        assert "Skyddad identitet" in text
        assert history.protected.reference in text


@pytest.mark.parametrize("kind", list(ReportKind))
def test_every_kind_is_swedish_with_a_confidential_header_and_page_numbers(
    history, reports_dir, kind
):
    report = make_report(kind, history.period, case=history.case)
    text = render_text(report)
    assert text.count("KONFIDENTIELLT / Sekretess enligt offentlighets- och sekretesslagen") >= 2
    first = re.search(r"Sida 1 av (\d+)", text)
    assert first is not None
    pages = int(first.group(1))
    assert f"Sida {pages} av {pages}" in text
    with translation.override("sv"):
        assert str(ReportKind(kind).label) in text
    period = f"{history.period.start:%Y-%m-%d} \N{EN DASH} {history.period.end:%Y-%m-%d}"
    assert period in text
    assert f"{timezone.localdate():%Y-%m-%d}" in text  # when it was made
    assert "Avhopparverksamheten i Stockholm" in text


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        (ReportKind.CASE_FOLLOW_UP, "Journal entries of the period"),
        (ReportKind.CASELOAD, "Open cases per caseworker"),
        (ReportKind.POLICE_SUMMARY, "Referrals to the police"),
    ],
)
def test_a_report_asked_for_in_english_is_english(history, reports_dir, kind, heading):
    report = make_report(kind, history.period, case=history.case, language="en")
    text = render_text(report)
    assert "CONFIDENTIAL / Secret under the Public Access" in text
    assert "Page 1 of" in text
    assert heading in text
    with translation.override("en"):
        assert str(ReportKind(kind).label) in text
    assert "Sida 1 av" not in text


# --- A fixed number of queries ----------------------------------------------------------------


def grow(history: History, n: int) -> None:
    """Add `n` of everything to the case (and the municipality's caseload)."""
    case, kim, start = history.case, history.author, history.period.start
    types = list(InterventionType.objects.all())
    add_assessments(case, kim, [start - datetime.timedelta(days=400 + i) for i in range(n)])
    JournalEntry.objects.bulk_create(
        JournalEntry(
            case=case,
            author=kim,
            occurred_on=start + datetime.timedelta(days=i % 25),
            written_at=at(start + datetime.timedelta(days=i % 25)),
            category="meeting",
            text=f"Mer text {i}",
        )
        for i in range(n * 5)
    )
    Intervention.objects.bulk_create(
        Intervention(
            case=case,
            type=types[i % len(types)],
            provider=history.psychiatry,
            planned_start=start + datetime.timedelta(days=i % 20),
            status="planned",
            cost_sek=Decimal(1000 + i),
            created_by=kim,
        )
        for i in range(n)
    )
    Referral.objects.bulk_create(
        Referral(
            case=case,
            agency=(history.psychiatry, history.enforcement, history.police_agency)[i % 3],
            state=ReferralState.STARTED,
            purpose="p",
            created_by=kim,
            sent_at=at(start - datetime.timedelta(days=i)),
            started_at=at(start + datetime.timedelta(days=i % 20)),
        )
        for i in range(n)
    )
    ThreatAssessment.objects.bulk_create(
        ThreatAssessment(case=case, level=i % 5, source="own", assessed_on=start, recorded_by=kim)
        for i in range(n)
    )
    PoliceNote.objects.bulk_create(
        PoliceNote(case=case, author=kim, text=f"not {i}") for i in range(n)
    )
    for _ in range(n):
        extra = CaseFactory(municipality=case.municipality, created_by=kim, state=CaseState.ACTIVE)
        policy.case_grant_assignment(case=extra, user=kim)
        FollowUp.objects.create(case=extra, months=3, due_on=start)


# The queries of report_document per kind, with the report loaded as report_render loads it.
QUERIES = {
    ReportKind.CASE_FOLLOW_UP: 12,  # 9, and the plan in force with its goals and interventions
    # 9, and the young clients' figures (cases.youth_figures), two queries (issue 12).
    ReportKind.CASELOAD: 11,
    ReportKind.POLICE_SUMMARY: 6,
}


@pytest.mark.parametrize("kind", list(ReportKind))
def test_report_document_reads_a_fixed_number_of_queries(history, kind, django_assert_num_queries):
    report = loaded(make_report(kind, history.period, case=history.case))
    with translation.override("sv"), CaptureQueriesContext(connection) as small:
        report_document(report)
    grow(history, 15)
    report = loaded(report)
    with translation.override("sv"), django_assert_num_queries(QUERIES[kind]):
        template, context = report_document(report)
    assert len(small.captured_queries) == QUERIES[kind]
    assert template == f"reports/pdf/{kind.value}.html"
    assert context["report"] == report


# --- The bar charts ---------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_escapes_its_labels_and_sets_the_font_of_every_text():
    hostile = '<img src="file:///etc/passwd"> & "x"'
    markup = bar_chart_svg(
        [Bar(hostile, 12500, "12 500"), Bar("Sara Lind", 0)],
        title="Kostnader <b>",
        desc="Per typ",
    )
    root = ET.fromstring(markup)  # noqa: S314 - our own output; also proves it is well-formed
    assert "<img" not in markup and "<b>" not in markup
    texts = root.findall(f"{SVG}text")
    assert len(texts) == 4  # a label and a value per bar
    assert all(t.get("font-family", "").startswith("DejaVu Sans") for t in texts)
    # The long label is shortened on the chart and whole in the bar's title.
    assert texts[0].text is not None and texts[0].text.endswith("…")
    assert [t.text for t in root.iter(f"{SVG}title")][1] == f"{hostile}: 12 500"
    assert texts[3].text == "0"
    widths = [float(r.get("width", "")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > 0 and widths[1] == 0


def test_bar_chart_of_nothing_is_empty_and_negative_values_are_refused():
    assert bar_chart_svg([], title="t", desc="d") == ""
    with pytest.raises(ValueError):
        bar_chart_svg([Bar("a", -1)], title="t", desc="d")
    with pytest.raises(ValueError):
        bar_chart_svg([Bar("a", 1)], title="t", desc="d", chart_id="1 bad")
