"""Every read of case content is logged, form pages included; every refused attempt is a
security event the owning municipality's managers see; services log their own writes."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from cases import services
from cases.models import (
    FollowUp,
    Intervention,
    InterventionType,
    JournalEntry,
)
from referrals.models import Referral
from tests.factories import CaseFactory, ReportFactory

pytestmark = pytest.mark.django_db

UA = "Kanarie7f3q-agent"


def _views(**filters) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(action=AccessAction.VIEW, **filters))


def test_journal_correction_form_logs_a_view_with_the_case(client, cast):
    original = JournalEntry.objects.create(
        case=cast.case,
        author=cast.caseworker,
        occurred_on=datetime.date(2026, 1, 10),
        category="contact",
        text="Kanarie7f3q ringde.",
    )
    client.force_login(cast.caseworker)
    url = reverse("cases:journal_new", args=[cast.case.pk]) + f"?corrects={original.pk}"
    response = client.get(url, HTTP_USER_AGENT=UA)
    assert "Kanarie7f3q ringde." in response.content.decode()
    (entry,) = _views(case=cast.case, user=cast.caseworker)
    assert entry.detail == "journal correction form"
    assert (entry.object_type, entry.object_id) == ("journalentry", str(original.pk))
    # The request's agent and path come from the request context, not from the view.
    assert entry.user_agent == UA
    assert entry.path == reverse("cases:journal_new", args=[cast.case.pk])


def test_intervention_edit_form_logs_a_view(client, cast):
    intervention = Intervention.objects.create(
        case=cast.case,
        created_by=cast.caseworker,
        type=InterventionType.objects.get(code="mentor"),
        outcome_note="Kanarie8x2w gick bra.",
        cost_sek=Decimal(500),
    )
    client.force_login(cast.caseworker)
    response = client.get(reverse("cases:intervention_edit", args=[cast.case.pk, intervention.pk]))
    assert "Kanarie8x2w gick bra." in response.content.decode()
    (entry,) = _views(case=cast.case, user=cast.caseworker)
    assert entry.detail == "intervention edit form"
    assert (entry.object_type, entry.object_id) == ("intervention", str(intervention.pk))


def _follow_up(cast) -> FollowUp:
    return FollowUp.objects.create(
        case=cast.case, months=3, due_on=timezone.localdate() + datetime.timedelta(days=5)
    )


FORM_PAGES = [
    ("cases:assessment_new", "caseworker", lambda cast: [cast.case.pk], "assessment form"),
    ("cases:threat_new", "caseworker", lambda cast: [cast.case.pk], "threat form"),
    ("cases:need_new", "caseworker", lambda cast: [cast.case.pk], "need form"),
    ("cases:intervention_new", "caseworker", lambda cast: [cast.case.pk], "intervention form"),
    ("cases:journal_new", "caseworker", lambda cast: [cast.case.pk], "journal form"),
    ("cases:consent_new", "caseworker", lambda cast: [cast.case.pk], "consent form"),
    ("cases:affiliation_new", "caseworker", lambda cast: [cast.case.pk], "affiliation form"),
    (
        "cases:follow_up_record",
        "caseworker",
        lambda cast: [cast.case.pk, _follow_up(cast).pk],
        "follow-up form",
    ),
    ("cases:placement_new", "caseworker", lambda cast: [cast.case.pk], "placement form"),
    ("cases:share_new", "manager", lambda cast: [cast.case.pk], "police share form"),
    ("cases:police_note_new", "police", lambda cast: [cast.case.pk], "police note form"),
    ("cases:transfer_new", "manager", lambda cast: [cast.case.pk], "transfer form"),
    ("referrals:new", "caseworker", lambda cast: [cast.case.pk], "referral form"),
]


@pytest.mark.parametrize(("name", "who", "args", "detail"), FORM_PAGES)
def test_every_form_page_logs_a_view(client, cast, name, who, args, detail):
    user = getattr(cast, who)
    client.force_login(user)
    url = reverse(name, args=args(cast))
    before = AccessLogEntry.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    entries = _views(case=cast.case, user=user, detail=detail)
    assert len(entries) == 1
    assert AccessLogEntry.objects.count() == before + 1
    assert entries[0].path == url


def test_form_error_shows_the_page_again_without_a_view_row(client, cast):
    client.force_login(cast.caseworker)
    client.post(reverse("cases:threat_new", args=[cast.case.pk]), {"level": ""})
    assert not _views(case=cast.case)


# --- Refused attempts ---------------------------------------------------------------------------


def _referral(cast) -> Referral:
    return Referral.objects.create(
        case=cast.case, agency=cast.police_agency, purpose="x", created_by=cast.caseworker
    )


REFUSALS = [
    ("outsider", lambda cast: reverse("cases:detail", args=[cast.case.pk]), "case page"),
    (
        "outsider",
        lambda cast: reverse("referrals:letter", args=[_referral(cast).pk]),
        "referral letter",
    ),
    (
        "outsider",
        lambda cast: reverse("reports:download", args=[ReportFactory(case=cast.case).pk]),
        "report download",
    ),
    ("police_unshared", lambda cast: reverse("cases:shared", args=[cast.case.pk]), "shared view"),
    ("outsider", lambda cast: reverse("cases:journal_new", args=[cast.case.pk]), "edit"),
]


@pytest.mark.parametrize(("who", "url", "what"), REFUSALS)
def test_refused_attempt_is_a_denied_row_on_the_case(client, cast, who, url, what):
    user = getattr(cast, who)
    target = url(cast)
    client.force_login(user)
    response = client.get(target, HTTP_USER_AGENT=UA)
    assert response.status_code == 404
    (denied,) = AccessLogEntry.objects.filter(action=AccessAction.DENIED, user=user)
    assert denied.case == cast.case
    assert denied.detail == f"refused: {what}"
    assert denied.municipality == cast.stockholm
    assert (denied.path, denied.user_agent) == (target, UA)


def test_refusal_on_an_unknown_case_is_logged_without_a_case(client, cast):
    client.force_login(cast.outsider)
    assert client.get(reverse("cases:detail", args=[987654])).status_code == 404
    (denied,) = AccessLogEntry.objects.filter(action=AccessAction.DENIED)
    assert denied.case is None and denied.municipality is None
    assert denied.user == cast.outsider


def test_the_owning_manager_sees_the_refusal_in_the_case_log(client, cast):
    cast.outsider.first_name, cast.outsider.last_name = "Erik", "Kanarie5r1t"
    cast.outsider.save()
    client.force_login(cast.outsider)
    client.get(reverse("cases:detail", args=[cast.case.pk]))
    client.force_login(cast.manager)
    page = client.get(reverse("audit:case_access_log", args=[cast.case.pk])).content.decode()
    assert "Kanarie5r1t" in page


def test_refused_caseload_report_belongs_to_its_municipality(client, cast):
    report = ReportFactory(kind="caseload", case=None, municipality=cast.stockholm)
    client.force_login(cast.caseworker)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404
    (denied,) = AccessLogEntry.objects.filter(action=AccessAction.DENIED)
    assert denied.case is None
    assert denied.municipality == cast.stockholm


# --- Services log without the view --------------------------------------------------------------


def test_journal_service_logs_its_own_write(cast):
    before = AccessLogEntry.objects.filter(action=AccessAction.CREATE).count()
    entry = services.journal_write(
        case=cast.case,
        by=cast.caseworker,
        occurred_on=timezone.localdate(),
        category="contact",
        text="Kanarie3k9z",
    )
    created = AccessLogEntry.objects.filter(action=AccessAction.CREATE).order_by("-id")
    assert created.count() == before + 1
    assert (created[0].case, created[0].object_id) == (cast.case, str(entry.pk))
    assert created[0].user == cast.caseworker


def test_a_view_write_logs_once(client, cast):
    client.force_login(cast.caseworker)
    client.post(
        reverse("cases:journal_new", args=[cast.case.pk]),
        {"occurred_on": timezone.localdate().isoformat(), "category": "contact", "text": "K7"},
    )
    assert AccessLogEntry.objects.filter(detail="journal entry").count() == 1


def test_another_municipality_case_log_is_not_shown(client, cast):
    other = CaseFactory(municipality=cast.malmo, created_by=cast.manager)
    client.force_login(cast.manager)
    assert client.get(reverse("audit:case_access_log", args=[other.pk])).status_code == 404


def test_referral_services_log_their_own_writes(cast):
    from referrals import services as referral_services
    from referrals.models import ReferralState

    referral = referral_services.referral_create(
        case=cast.case, by=cast.caseworker, agency=cast.police_agency, purpose="Kanarie6t2u"
    )
    referral_services.referral_transition(
        referral=referral, to_state=ReferralState.SENT, by=cast.caseworker
    )
    rows = AccessLogEntry.objects.filter(object_id=str(referral.pk), object_type="referral")
    assert sorted(rows.values_list("action", "detail")) == [
        (AccessAction.CHANGE, "referral sent"),
        (AccessAction.CREATE, "referral"),
    ]
    assert all(row.case_id == cast.case.pk and row.user == cast.caseworker for row in rows)


def test_the_report_service_logs_a_request(cast):
    from reports import services as report_services
    from reports.models import ReportKind
    from reports.periods import preset_period

    report = report_services.report_request(
        kind=ReportKind.CASELOAD,
        by=cast.manager,
        period=preset_period("last_month", timezone.localdate()),
        municipality=cast.stockholm,
    )
    row = AccessLogEntry.objects.get(object_type="report", object_id=str(report.pk))
    assert (row.action, row.detail) == (AccessAction.CREATE, "caseload report asked for")
    assert row.municipality_id == cast.stockholm.pk and row.case is None
