"""Referrals: the state machine, the figures, the pages and who may use them, the letter."""

import contextlib
import datetime
import random
import re
import shutil
import subprocess
import zlib

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_stubs_ext import StrOrPromise

from agencies.models import Agency, AgencyKind
from audit.models import AccessAction, AccessLogEntry
from cases import services as case_services
from cases.models import (
    Case,
    CaseState,
    CriminalGroup,
    GroupAffiliation,
    ThreatAssessment,
    ThreatLevel,
)
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from demo.referrals import referrals_demo
from referrals import selectors, services
from referrals.models import (
    STATE_TIMESTAMPS,
    Referral,
    ReferralDirection,
    ReferralEvent,
    ReferralState,
)
from tests.factories import CaseFactory, synthetic_identity_number
from tests.test_rendering import pdf_text as rendered_text

S = ReferralState
PATHS = {
    S.DRAFT: (),
    S.SENT: (S.SENT,),
    S.ACKNOWLEDGED: (S.SENT, S.ACKNOWLEDGED),
    S.ACCEPTED: (S.SENT, S.ACCEPTED),
    S.DECLINED: (S.SENT, S.DECLINED),
    S.STARTED: (S.SENT, S.ACCEPTED, S.STARTED),
    S.COMPLETED: (S.SENT, S.ACCEPTED, S.STARTED, S.COMPLETED),
    S.WITHDRAWN: (S.WITHDRAWN,),
}
LEGAL = [
    (S.DRAFT, S.SENT),
    (S.DRAFT, S.WITHDRAWN),
    (S.SENT, S.ACKNOWLEDGED),
    (S.SENT, S.ACCEPTED),
    (S.SENT, S.DECLINED),
    (S.SENT, S.WITHDRAWN),
    (S.ACKNOWLEDGED, S.ACCEPTED),
    (S.ACKNOWLEDGED, S.DECLINED),
    (S.ACKNOWLEDGED, S.WITHDRAWN),
    (S.ACCEPTED, S.STARTED),
    (S.ACCEPTED, S.WITHDRAWN),
    (S.STARTED, S.COMPLETED),
]
ILLEGAL = [
    (S.DRAFT, S.ACKNOWLEDGED),
    (S.DRAFT, S.STARTED),
    (S.SENT, S.STARTED),
    (S.SENT, S.COMPLETED),
    (S.ACKNOWLEDGED, S.SENT),
    (S.DECLINED, S.ACCEPTED),
    (S.DECLINED, S.WITHDRAWN),
    (S.STARTED, S.WITHDRAWN),
    (S.COMPLETED, S.STARTED),
    (S.WITHDRAWN, S.SENT),
    (S.SENT, S.SENT),
]


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(name="Bostadsbolaget Hem AB", kind=AgencyKind.HOUSING)


@pytest.fixture
def make_referral(cast, agency):
    def _make(state: ReferralState = S.DRAFT, *, case: Case | None = None, to=None) -> Referral:
        referral = services.referral_create(
            case=case or cast.case, by=cast.manager, agency=to or agency, purpose="Boende"
        )
        for step in PATHS[state]:
            referral = services.referral_transition(
                referral=referral, to_state=step, by=cast.manager, without_consent=True
            )
        return referral

    return _make


def _sent(referral: Referral, *, days_ago: int, started_days_ago: int | None = None) -> Referral:
    now = timezone.now()
    referral.sent_at = now - datetime.timedelta(days=days_ago)
    if started_days_ago is not None:
        referral.started_at = now - datetime.timedelta(days=started_days_ago)
    referral.save()
    return referral


# --- Services ---------------------------------------------------------------------------------


def test_create_makes_an_outbound_draft(cast, agency):
    referral = services.referral_create(
        case=cast.case, by=cast.caseworker, agency=agency, purpose="  Boende  "
    )
    assert referral.state == S.DRAFT
    assert referral.direction == ReferralDirection.OUTBOUND
    assert referral.purpose == "Boende"
    assert referral.created_by == cast.caseworker


@pytest.mark.parametrize("who", ["teammate", "outsider", "police", "analyst", "administrator"])
def test_only_editors_create_referrals(cast, agency, who):
    with pytest.raises(CaseRuleError):
        services.referral_create(
            case=cast.case, by=getattr(cast, who), agency=agency, purpose="Boende"
        )


def test_inactive_agency_is_refused(cast, agency):
    agency.active = False
    agency.save()
    with pytest.raises(CaseRuleError):
        services.referral_create(case=cast.case, by=cast.manager, agency=agency, purpose="x")


@pytest.mark.parametrize(("from_state", "to_state"), LEGAL)
def test_legal_transition(cast, make_referral, from_state, to_state):
    referral = make_referral(from_state)
    before = referral.events.count()
    moved = services.referral_transition(
        referral=referral,
        to_state=to_state,
        by=cast.caseworker,
        note="Svar från byrån",
        without_consent=True,  # the housing company: no consent names it
    )
    moved.refresh_from_db()
    assert moved.state == to_state
    assert getattr(moved, STATE_TIMESTAMPS[to_state]) is not None
    event = list(moved.events.all())[-1]
    assert moved.events.count() == before + 1
    assert (event.from_state, event.to_state, event.by, event.note) == (
        from_state,
        to_state,
        cast.caseworker,
        "Svar från byrån",
    )
    if to_state in (S.ACCEPTED, S.DECLINED):
        assert moved.answer_note == "Svar från byrån"


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL)
def test_illegal_transition_is_refused(cast, make_referral, from_state, to_state):
    referral = make_referral(from_state)
    events = referral.events.count()
    with pytest.raises(CaseRuleError) as info:
        services.referral_transition(referral=referral, to_state=to_state, by=cast.manager)
    assert info.value.code == "illegal_transition"
    referral.refresh_from_db()
    assert referral.state == from_state
    assert referral.events.count() == events


def test_timestamps_are_set_once(cast, make_referral):
    referral = make_referral(S.SENT)
    sent_at = referral.sent_at
    services.referral_transition(referral=referral, to_state=S.ACCEPTED, by=cast.manager)
    referral.refresh_from_db()
    assert referral.sent_at == sent_at
    assert referral.acknowledged_at is None
    assert referral.accepted_at >= sent_at


def test_declined_keeps_the_agencys_answer(cast, make_referral):
    referral = make_referral(S.ACKNOWLEDGED)
    services.referral_transition(
        referral=referral, to_state=S.DECLINED, by=cast.manager, note="Ingen plats"
    )
    referral.refresh_from_db()
    assert referral.answer_note == "Ingen plats"
    assert referral.declined_at is not None


@pytest.mark.parametrize("who", ["teammate", "outsider", "police", "analyst"])
def test_only_editors_move_referrals(cast, make_referral, who):
    referral = make_referral(S.DRAFT)
    with pytest.raises(CaseRuleError):
        services.referral_transition(referral=referral, to_state=S.SENT, by=getattr(cast, who))
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


def test_inbound_referral_opens_an_inquiry(cast, agency):
    referral = services.referral_receive_inbound(
        by=cast.caseworker,
        municipality=cast.stockholm,
        agency=agency,
        first_name="Ada",
        last_name="Berg",
        identity_number=synthetic_identity_number(1),
        reserve_identity="",
        protected_identity=False,
        purpose="Vill lämna gruppen",
    )
    case = referral.case
    case.refresh_from_db()
    assert case.state == CaseState.INQUIRY
    assert case.source == "other_agency"
    assert case.source_agency == agency
    assert case.state_changes.get().reason == "Vill lämna gruppen"
    assert referral.direction == ReferralDirection.INBOUND
    assert referral.state == S.ACKNOWLEDGED
    assert referral.sent_at == referral.acknowledged_at is not None
    assert referral.events.get().to_state == S.ACKNOWLEDGED


def test_inbound_referral_needs_intake_rights(cast, agency):
    with pytest.raises(CaseRuleError):
        services.referral_receive_inbound(
            by=cast.outsider,
            municipality=cast.stockholm,
            agency=agency,
            first_name="Ada",
            last_name="Berg",
            reserve_identity="R-1",
            purpose="x",
        )


# --- Figures ----------------------------------------------------------------------------------


def test_waiting_days_from_sent_to_started(make_referral):
    referral = _sent(make_referral(S.STARTED), days_ago=10, started_days_ago=4)
    assert selectors.waiting_days(referral, today=timezone.localdate()) == 6


def test_waiting_days_until_today_while_not_started(make_referral):
    referral = _sent(make_referral(S.ACCEPTED), days_ago=10)
    assert selectors.waiting_days(referral, today=timezone.localdate()) == 10


def test_no_waiting_days_before_sending(make_referral):
    assert selectors.waiting_days(make_referral(S.DRAFT), today=timezone.localdate()) is None


def test_unanswered_after_the_municipalitys_days(cast, make_referral):
    today = timezone.localdate()
    referral = _sent(make_referral(S.SENT), days_ago=10)
    assert not selectors.is_unanswered(referral, today=today, days=14)
    assert selectors.is_unanswered(referral, today=today, days=7)
    acknowledged = _sent(make_referral(S.ACKNOWLEDGED), days_ago=30)
    assert not selectors.is_unanswered(acknowledged, today=today, days=7)


def _annotated(case: Case) -> bool:
    return (
        Case.objects.annotate(unanswered=selectors.unanswered_referrals_exist())
        .get(pk=case.pk)
        .unanswered
    )


def test_unanswered_referrals_exist_follows_referral_answer_days(cast, make_referral):
    _sent(make_referral(S.SENT), days_ago=10)
    assert not _annotated(cast.case)  # Stockholm waits 14 days by default
    cast.stockholm.referral_answer_days = 7
    cast.stockholm.save()
    assert _annotated(cast.case)
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    assert not _annotated(other)


@pytest.mark.parametrize("state", [S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN])
def test_answered_referrals_are_not_unanswered(cast, make_referral, state):
    _sent(make_referral(state), days_ago=60)
    assert not _annotated(cast.case)


def test_case_rows_carry_the_figures(cast, make_referral, django_assert_num_queries):
    _sent(make_referral(S.SENT), days_ago=20)
    _sent(make_referral(S.STARTED), days_ago=10, started_days_ago=4)
    make_referral(S.DRAFT)
    with django_assert_num_queries(1):
        rows = selectors.case_referral_rows(case=cast.case, today=timezone.localdate())
    by_state = {row.referral.state: row for row in rows}
    assert by_state[S.SENT].unanswered and by_state[S.SENT].waiting_days == 20
    assert by_state[S.STARTED].waiting_days == 6 and not by_state[S.STARTED].unanswered
    assert by_state[S.DRAFT].next_states == (S.SENT, S.WITHDRAWN)


@pytest.mark.parametrize("count", [3, 60])
def test_case_rows_take_one_query(cast, make_referral, count, django_assert_num_queries):
    agency = Agency.objects.create(name="Arbetsförmedlingen", kind=AgencyKind.EMPLOYMENT)
    Referral.objects.bulk_create(
        Referral(case=cast.case, agency=agency, purpose="x", created_by=cast.manager)
        for _ in range(count)
    )
    with django_assert_num_queries(1):
        rows = selectors.case_referral_rows(case=cast.case, today=timezone.localdate())
    assert len(rows) == count


def test_overdue_referrals_for_the_manager(cast, make_referral, django_assert_num_queries):
    overdue = _sent(make_referral(S.SENT), days_ago=30)
    _sent(make_referral(S.SENT), days_ago=2)
    malmo_case = CaseFactory(municipality=cast.malmo, created_by=cast.manager)
    Referral.objects.create(
        case=malmo_case,
        agency=overdue.agency,
        purpose="x",
        created_by=cast.manager,
        state=S.SENT,
        sent_at=timezone.now() - datetime.timedelta(days=60),
    )
    today = timezone.localdate()
    selectors.overdue_referrals_for(user=cast.manager, today=today)  # reads the grants once
    with django_assert_num_queries(1):
        rows = selectors.overdue_referrals_for(user=cast.manager, today=today)
        assert [r.referral.case.reference for r in rows] == [cast.case.reference]
        assert rows[0].referral.agency.name == overdue.agency.name
    assert rows[0].waiting_days == 30
    assert selectors.overdue_referrals_for(user=cast.caseworker, today=today) == []


# --- Pages ------------------------------------------------------------------------------------

DENIED = ["outsider", "police", "police_unshared", "analyst", "administrator"]


def _url(name: str, *args) -> str:
    return reverse(f"referrals:{name}", args=args)


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_editors_create_a_referral(cast, login, agency, who):
    client = login(getattr(cast, who))
    page = client.get(_url("new", cast.case.pk))
    assert page.status_code == 200
    assert agency.name in page.content.decode()
    response = client.post(_url("new", cast.case.pk), {"agency": agency.pk, "purpose": "Boende"})
    assert response.status_code == 302
    assert response["Location"] == case_section_url(cast.case.pk, "referrals")
    referral = cast.case.referrals.get()
    assert (referral.agency, referral.purpose, referral.state) == (agency, "Boende", S.DRAFT)
    assert AccessLogEntry.objects.filter(
        action=AccessAction.CREATE, object_type="referral", object_id=str(referral.pk)
    ).exists()


def test_new_referral_form_shows_errors(cast, login):
    response = login(cast.caseworker).post(_url("new", cast.case.pk), {"purpose": ""})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not cast.case.referrals.exists()


@pytest.mark.parametrize("who", ["teammate", *DENIED])
def test_others_may_not_create_a_referral(cast, login, agency, who):
    client = login(getattr(cast, who))
    assert client.get(_url("new", cast.case.pk)).status_code == 404
    response = client.post(_url("new", cast.case.pk), {"agency": agency.pk, "purpose": "x"})
    assert response.status_code == 404
    assert not cast.case.referrals.exists()


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_editors_move_a_referral(cast, login, make_referral, who):
    referral = make_referral(S.SENT)
    response = login(getattr(cast, who)).post(
        _url("transition", referral.pk), {"to_state": "declined", "note": "Ingen plats"}
    )
    assert response.status_code == 302
    assert response["Location"] == case_section_url(cast.case.pk, "referrals")
    referral.refresh_from_db()
    assert (referral.state, referral.answer_note) == (S.DECLINED, "Ingen plats")
    assert AccessLogEntry.objects.filter(
        action=AccessAction.CHANGE, object_type="referral", detail="referral declined"
    ).exists()


def test_illegal_move_from_the_page_changes_nothing(cast, login, make_referral):
    referral = make_referral(S.DRAFT)
    response = login(cast.manager).post(_url("transition", referral.pk), {"to_state": "started"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


@pytest.mark.parametrize("who", ["teammate", *DENIED])
def test_others_may_not_move_a_referral(cast, login, make_referral, who):
    referral = make_referral(S.SENT)
    response = login(getattr(cast, who)).post(
        _url("transition", referral.pk), {"to_state": "accepted"}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.state == S.SENT


def test_transition_needs_post(cast, login, make_referral):
    referral = make_referral(S.SENT)
    assert login(cast.manager).get(_url("transition", referral.pk)).status_code == 405


@pytest.mark.parametrize(
    "url", ["/referrals/", "/referrals/inbound/new/", "/referrals/1/letter.pdf"]
)
def test_anonymous_goes_to_login(client, cast, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_cannot_post(client, cast, make_referral):
    referral = make_referral(S.SENT)
    response = client.post(_url("transition", referral.pk), {"to_state": "accepted"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.get(_url("new", cast.case.pk))
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["caseworker", "manager", "teammate"])
def test_list_shows_referrals_of_readable_cases(cast, login, make_referral, who):
    _sent(make_referral(S.SENT), days_ago=20)
    page = login(getattr(cast, who)).get(_url("list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert cast.case.reference in html
    assert "Bostadsbolaget Hem AB" in html
    assert 'class="overdue"' in html
    assert cast.case.client.last_name not in html


def test_list_of_an_outsider_has_no_other_municipalitys_referrals(cast, login, make_referral):
    make_referral(S.SENT)
    page = login(cast.outsider).get(_url("list"))
    assert page.status_code == 200
    assert cast.case.reference not in page.content.decode()


@pytest.mark.parametrize("who", ["police", "police_unshared", "analyst", "administrator"])
def test_list_is_404_without_a_municipality_role(cast, login, who):
    assert login(getattr(cast, who)).get(_url("list")).status_code == 404


def test_list_filters(cast, login, make_referral):
    old = _sent(make_referral(S.SENT), days_ago=20)
    fresh = _sent(make_referral(S.SENT), days_ago=1)
    accepted = make_referral(S.ACCEPTED)
    client = login(cast.manager)

    def shown(query: str) -> set[int]:
        page = client.get(_url("list") + query)
        return {row.referral.pk for row in page.context["rows"]}

    assert shown("") == {old.pk, fresh.pk, accepted.pk}
    assert shown("?unanswered=on") == {old.pk}
    assert shown("?state=accepted") == {accepted.pk}
    assert shown("?state=sent") == {old.pk, fresh.pk}


@pytest.mark.parametrize("count", [3, 60])
def test_list_takes_a_fixed_number_of_queries(
    cast, login, agency, count, django_assert_num_queries
):
    cases = [cast.case, *(CaseFactory(municipality=cast.stockholm) for _ in range(3))]
    Referral.objects.bulk_create(
        Referral(
            case=cases[n % len(cases)],
            agency=agency,
            purpose="x",
            created_by=cast.manager,
            state=S.SENT,
            sent_at=timezone.now() - datetime.timedelta(days=n),
        )
        for n in range(count)
    )
    client = login(cast.manager)
    # session, user, three for the grants, count, the page of referrals, the header's unread
    # notifications, and the session's save and the middleware's own reads: the same for 3
    # and 60 referrals
    with django_assert_num_queries(9):
        page = client.get(_url("list"))
    assert len(page.context["rows"]) == min(count, 50)


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_inbound_page_opens_an_inquiry(cast, login, agency, who):
    client = login(getattr(cast, who))
    assert client.get(_url("inbound_new")).status_code == 200
    response = client.post(
        _url("inbound_new"),
        {
            "municipality": cast.stockholm.pk,
            "agency": agency.pk,
            "first_name": "Ada",
            "last_name": "Berg",
            "identity_number": synthetic_identity_number(2),
            "purpose": "Vill lämna gruppen",
        },
    )
    case = Case.objects.get(source_agency=agency)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.client.identity_number == synthetic_identity_number(2)
    assert case.referrals.get().direction == ReferralDirection.INBOUND


def _bad_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def test_inbound_page_checks_the_identity_number(cast, login, agency):
    response = login(cast.caseworker).post(
        _url("inbound_new"),
        {
            "municipality": cast.stockholm.pk,
            "agency": agency.pk,
            "first_name": "Ada",
            "last_name": "Berg",
            "identity_number": _bad_check_digit(synthetic_identity_number(2)),
            "purpose": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["identity_number"]
    assert not Case.objects.filter(source_agency=agency).exists()


def test_inbound_page_offers_only_the_users_municipalities(cast, login, agency):
    response = login(cast.outsider).post(
        _url("inbound_new"),
        {
            "municipality": cast.stockholm.pk,
            "agency": agency.pk,
            "first_name": "Ada",
            "last_name": "Berg",
            "reserve_identity": "R-1",
            "purpose": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["municipality"]
    assert not Case.objects.filter(source_agency=agency).exists()


@pytest.mark.parametrize("who", ["police", "police_unshared", "analyst", "administrator"])
def test_inbound_page_is_404_without_intake_rights(cast, login, who):
    assert login(getattr(cast, who)).get(_url("inbound_new")).status_code == 404


# --- The letter -------------------------------------------------------------------------------


HEADER = "CONFIDENTIAL / Secret under the Public Access to Information and Secrecy Act (OSL)"
NO_CONSENT = (
    "This referral contains no information about the person, because there is no valid "
    "consent to share information with your agency."
)


def sv(message: "StrOrPromise") -> str:
    """`message` in Swedish, the default language of the pages (the source text until the
    catalogue has it)."""
    with translation.override("sv"):
        return str(translation.gettext(message) if isinstance(message, str) else message)


def pdf_text(pdf: bytes) -> str:
    pdftotext = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    done = subprocess.run(  # noqa: S603  (a fixed command on our own bytes)
        [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def _formatted(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


@pytest.fixture
def threat(cast):
    return ThreatAssessment.objects.create(
        case=cast.case,
        level=3,
        source="police",
        assessed_on=timezone.localdate(),
        recorded_by=cast.manager,
    )


@pytest.mark.parametrize("who", ["caseworker", "manager", "teammate"])
def test_readers_download_the_letter(cast, login, make_referral, threat, who):
    referral = make_referral(S.SENT, to=cast.police_agency)
    response = login(getattr(cast, who)).get(_url("letter", referral.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Polisregion Stockholm" in text
    assert "Boende" in text
    assert cast.case.reference in text
    assert _formatted(cast.case.client.identity_number) in text
    assert cast.case.client.last_name in text
    assert sv(ThreatLevel.HIGH.label) in text  # the threat level, consented for the police
    assert sv(HEADER) in text
    assert f"{sv('Page')} 1 {sv('of')} 1" in text
    assert AccessLogEntry.objects.filter(
        user=getattr(cast, who),
        action=AccessAction.DOWNLOAD,
        case=cast.case,
        object_type="referral",
        object_id=str(referral.pk),
    ).exists()


@pytest.mark.parametrize("who", DENIED)
def test_others_may_not_download_the_letter(cast, login, make_referral, who):
    referral = make_referral(S.SENT, to=cast.police_agency)
    assert login(getattr(cast, who)).get(_url("letter", referral.pk)).status_code == 404
    assert not AccessLogEntry.objects.filter(action=AccessAction.DOWNLOAD).exists()


def test_letter_to_an_agency_without_consent_says_nothing_about_the_person(
    cast, login, make_referral, threat
):
    referral = make_referral(S.SENT)  # the housing company: not named in the consent
    text = pdf_text(login(cast.caseworker).get(_url("letter", referral.pk)).content)
    assert "Bostadsbolaget Hem AB" in text
    assert "Boende" in text
    assert _formatted(cast.case.client.identity_number) not in text
    assert cast.case.client.identity_number not in text
    assert cast.case.client.last_name not in text
    assert sv(ThreatLevel.HIGH.label) not in text
    assert sv(NO_CONSENT)[:40] in " ".join(text.split())


def test_letter_shares_only_the_consented_kinds(cast, login, make_referral, threat, agency):
    case_services.consent_record(
        case=cast.case,
        by=cast.manager,
        agencies=[agency],
        information=["group"],
        valid_from=timezone.localdate(),
        valid_until=None,
    )
    group = CriminalGroup.objects.create(name="Norrgänget", kind="gang")
    GroupAffiliation.objects.create(
        client=cast.case.client, group=group, role="member", recorded_by=cast.manager
    )
    referral = make_referral(S.SENT)
    text = pdf_text(login(cast.caseworker).get(_url("letter", referral.pk)).content)
    assert "Norrgänget" in text
    assert cast.case.client.last_name not in text
    assert sv(ThreatLevel.HIGH.label) not in text


def test_revoked_consent_shares_nothing(cast, login, make_referral, threat):
    case_services.consent_revoke(consent=cast.consent, by=cast.manager)
    referral = make_referral(S.SENT, to=cast.police_agency)
    text = pdf_text(login(cast.caseworker).get(_url("letter", referral.pk)).content)
    assert cast.case.client.last_name not in text
    assert sv(ThreatLevel.HIGH.label) not in text


def test_protected_identity_is_never_printed(cast, login, make_referral):
    client = cast.case.client
    client.protected_identity = True
    client.first_name, client.last_name = "Zacharias", "Qvarnström"
    client.address = "Hemliga gatan 1"
    client.save()
    referral = make_referral(S.SENT, to=cast.police_agency)
    text = pdf_text(login(cast.caseworker).get(_url("letter", referral.pk)).content)
    assert sv("Protected identity") in text
    assert client.last_name not in text
    assert client.first_name not in text
    assert _formatted(client.identity_number) not in text
    assert "Hemliga" not in text


def test_user_text_in_the_letter_is_escaped(cast, login, agency):
    referral = services.referral_create(
        case=cast.case, by=cast.manager, agency=agency, purpose='<b>fet</b> <img src="x">'
    )
    text = pdf_text(login(cast.caseworker).get(_url("letter", referral.pk)).content)
    assert "<b>fet</b>" in text


# --- The case section and the home panel ------------------------------------------------------


def _render(template: str, **context) -> str:
    from django.template.loader import render_to_string

    return render_to_string(template, context)


def test_case_section_offers_the_legal_moves(cast, make_referral):
    _sent(make_referral(S.SENT), days_ago=20)
    rows = selectors.case_referral_rows(case=cast.case, today=timezone.localdate())
    html = _render(
        "referrals/_case_section.html", case=cast.case, referral_rows=rows, can_edit=True
    )
    assert 'id="referrals"' in html
    for state in ("acknowledged", "accepted", "declined", "withdrawn"):
        assert f'value="{state}"' in html
    assert 'value="started"' not in html
    assert 'class="overdue"' in html
    read_only = _render(
        "referrals/_case_section.html", case=cast.case, referral_rows=rows, can_edit=False
    )
    assert "to_state" not in read_only
    assert reverse("referrals:letter", args=[rows[0].referral.pk]) in read_only


def test_overdue_panel(cast, make_referral):
    _sent(make_referral(S.SENT), days_ago=20)
    rows = selectors.overdue_referrals_for(user=cast.manager, today=timezone.localdate())
    html = _render("referrals/_overdue_panel.html", overdue_referrals=rows)
    assert cast.case.reference in html and "Bostadsbolaget Hem AB" in html
    empty = _render("referrals/_overdue_panel.html", overdue_referrals=[])
    assert 'class="empty"' in empty


# --- Demo -------------------------------------------------------------------------------------


def test_demo_makes_referrals_in_every_state(cast, agency):
    rng = random.Random(7)
    today = timezone.localdate()
    cases = [
        CaseFactory(
            municipality=cast.stockholm,
            state=CaseState.ACTIVE,
            opened_on=today - datetime.timedelta(days=400),
        )
        for _ in range(40)
    ]
    made = []
    for case in cases:
        made += referrals_demo(
            rng=rng, case=case, staff=[cast.manager], agencies=[agency], today=today
        )
    assert {r.state for r in Referral.objects.all()} == set(S)
    assert ReferralEvent.objects.count() >= len(made)
    assert Case.objects.annotate(u=selectors.unanswered_referrals_exist()).filter(u=True).exists()
    for referral in Referral.objects.all():
        assert referral.created_at <= timezone.now()
        if referral.sent_at:
            assert referral.sent_at >= referral.created_at
    inquiry = CaseFactory(municipality=cast.stockholm, state=CaseState.INQUIRY)
    assert (
        referrals_demo(rng=rng, case=inquiry, staff=[cast.manager], agencies=[agency], today=today)
        == []
    )


# --- The warning before sending without consent -----------------------------------------------


def pdf_languages(pdf: bytes) -> set[str]:
    """The /Lang entries of a PDF (the document's language, from <html lang>), its
    compressed object streams read too."""
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(stream))
    return {
        lang.decode() for chunk in chunks for lang in re.findall(rb"/Lang\s*\(([^)]*)\)", chunk)
    }


def _send(client, referral, **extra):
    return client.post(
        _url("transition", referral.pk), {"to_state": "sent", "note": "Kanarie8s1d", **extra}
    )


def test_sending_without_a_covering_consent_warns_and_sends_nothing(cast, login, make_referral):
    referral = make_referral(S.DRAFT)  # the housing company: no consent names it
    response = _send(login(cast.caseworker), referral)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="consent-warning"' in text
    assert "Bostadsbolaget Hem AB" in text
    assert 'name="without_consent" value="on"' in text
    assert 'value="Kanarie8s1d"' in text  # the note typed goes with the confirmation
    referral.refresh_from_db()
    assert referral.state == S.DRAFT
    assert not referral.events.exists()
    assert AccessLogEntry.objects.filter(
        user=cast.caseworker, action=AccessAction.VIEW, detail="referral consent warning"
    ).exists()


def test_an_expired_consent_does_not_cover_the_agency(cast, login, make_referral):
    cast.consent.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    cast.consent.save()
    referral = make_referral(S.DRAFT, to=cast.police_agency)
    response = _send(login(cast.caseworker), referral)
    assert 'id="consent-warning"' in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


def test_no_warning_when_a_valid_consent_covers_the_agency(cast, login, make_referral):
    referral = make_referral(S.DRAFT, to=cast.police_agency)  # named in the cast's consent
    response = _send(login(cast.caseworker), referral)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == S.SENT
    event = referral.events.get()
    assert (event.by, event.without_consent) == (cast.caseworker, False)
    assert AccessLogEntry.objects.filter(
        object_id=str(referral.pk), detail="referral sent", user=cast.caseworker
    ).exists()


def test_sending_after_the_warning_records_who_confirmed(cast, login, make_referral):
    referral = make_referral(S.DRAFT)
    response = _send(login(cast.caseworker), referral, without_consent="on")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == S.SENT
    event = referral.events.get()
    assert (event.by, event.without_consent, event.note) == (cast.caseworker, True, "Kanarie8s1d")
    entry = AccessLogEntry.objects.get(object_id=str(referral.pk), action=AccessAction.CHANGE)
    assert (entry.user, entry.case, entry.detail) == (
        cast.caseworker,
        cast.case,
        "referral sent without consent",
    )


def test_the_service_refuses_an_unconfirmed_send_without_consent(cast, make_referral):
    referral = make_referral(S.DRAFT)
    with pytest.raises(services.ConsentMissingError):
        services.referral_transition(referral=referral, to_state=S.SENT, by=cast.manager)
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


def test_the_confirmation_is_no_way_around_the_permissions(cast, login, make_referral):
    referral = make_referral(S.DRAFT)
    response = _send(login(cast.outsider), referral, without_consent="on")
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


# --- The letter's language and the sender's contact -------------------------------------------


@pytest.fixture
def sender(cast):
    manager = cast.manager
    manager.first_name, manager.last_name = "Kanarie", "Avsändarsson"
    manager.work_phone = "08-123 456 78"
    manager.email = "kanarie.avsandarsson@exempel.invalid"
    manager.save()
    return manager


def test_the_form_offers_the_letters_language_swedish_first(cast, login):
    text = login(cast.caseworker).get(_url("new", cast.case.pk)).content.decode()
    assert 'name="letter_language"' in text
    assert re.search(r'<input[^>]*value="sv"[^>]*checked', text)
    assert not re.search(r'<input[^>]*value="en"[^>]*checked', text)


def test_a_letter_is_swedish_by_default(cast, login, agency):
    client = login(cast.caseworker)
    client.post(_url("new", cast.case.pk), {"agency": agency.pk, "purpose": "Boende"})
    assert Referral.objects.get(case=cast.case).letter_language == "sv"


def test_the_letter_is_in_the_chosen_language_whatever_the_screen_shows(
    cast, login, agency, sender
):
    client = login(cast.manager)
    client.post(
        _url("new", cast.case.pk),
        {"agency": agency.pk, "purpose": "Boende", "letter_language": "en"},
    )
    referral = Referral.objects.get(case=cast.case)
    assert referral.letter_language == "en"
    client.post(reverse("set_language"), {"language": "sv"})  # the sender's screen: Swedish
    response = client.get(_url("letter", referral.pk))
    text = pdf_text(response.content)
    assert "Information shared" not in text  # no consent: that part is not there at all
    assert HEADER in text
    assert "Case reference" in text
    with translation.override("sv"):
        assert translation.gettext("Case reference") not in text
    assert pdf_languages(response.content) == {"en"}


def test_a_swedish_letter_from_an_english_screen_is_swedish(cast, login, agency, sender):
    client = login(cast.manager)
    client.post(reverse("set_language"), {"language": "en"})
    client.post(_url("new", cast.case.pk), {"agency": agency.pk, "purpose": "Boende"})
    referral = Referral.objects.get(case=cast.case)
    response = client.get(_url("letter", referral.pk))
    text = pdf_text(response.content)
    assert sv(HEADER) in text
    assert pdf_languages(response.content) == {"sv"}


def test_the_letter_carries_the_senders_contact(cast, login, agency, sender):
    referral = services.referral_create(case=cast.case, by=sender, agency=agency, purpose="Boende")
    text = rendered_text(login(cast.caseworker).get(_url("letter", referral.pk)).content)
    assert "Kanarie Avsändarsson" in text
    assert "08-123 456 78" in text
    assert "kanarie.avsandarsson@exempel.invalid" in text


def test_the_service_refuses_an_unknown_letter_language(cast, agency):
    with pytest.raises(CaseRuleError):
        services.referral_create(
            case=cast.case, by=cast.manager, agency=agency, purpose="x", letter_language="de"
        )
