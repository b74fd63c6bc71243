"""The police liaison's view of a shared case, police notes, sharing, placements and the sweep.

Pages are Swedish by default, so the tests look at data (names, numbers, texts the test wrote)
and at saved rows rather than at English labels.
"""

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from access import policy
from accounts.models import Municipality, PoliceRegion, Role
from audit.models import AccessAction, AccessLogEntry
from cases import selectors, services
from cases.models import (
    AffiliationRole,
    CaseNeed,
    CaseState,
    CaseStateChange,
    CaseUserObjectPermission,
    CriminalGroup,
    GroupAffiliation,
    Instrument,
    Intervention,
    InterventionType,
    JournalCategory,
    JournalEntry,
    MotivationAssessment,
    Need,
    Placement,
    PlacementKind,
    PoliceNote,
    PoliceShare,
    PoliceShareEnd,
    PoliceVisit,
    Recommendation,
    StageOfChange,
    ThreatLevel,
    ThreatSource,
)
from cases.tasks import sweep_police_shares
from referrals.models import Referral, ReferralState
from tests.conftest import Cast, make_user
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

NOT_LIAISONS = ["teammate", "outsider", "analyst", "administrator"]
NOT_MANAGERS = ["caseworker", "teammate", "outsider", "police", "police_unshared"]


def today() -> datetime.date:
    return timezone.localdate()


def shared_url(case) -> str:
    return reverse("cases:shared", args=[case.pk])


def get_shared(client, user, case):
    client.force_login(user)
    return client.get(shared_url(case))


def add_threat(cast: Cast, level: int = ThreatLevel.HIGH, note: str = ""):
    return services.threat_record(
        case=cast.case,
        by=cast.caseworker,
        level=level,
        source=ThreatSource.POLICE,
        assessed_on=today(),
        note=note,
    )


@pytest.fixture
def full_case(cast: Cast) -> dict[str, str]:
    """Every kind of record in `cast.case`, shared and not; returns the texts to look for."""
    case = cast.case
    add_threat(cast, note="HOTNOTERING-HEMLIG")
    group = CriminalGroup.objects.create(name="Nätverket Norra", kind=CriminalGroup.Kind.NETWORK)
    GroupAffiliation.objects.create(
        client=case.client, group=group, role=AffiliationRole.MEMBER, recorded_by=cast.caseworker
    )
    Placement.objects.create(
        case=case,
        municipality=Municipality.objects.get(code="2580"),  # Luleå
        kind=PlacementKind.PROTECTED_HOUSING,
        started_on=today() - datetime.timedelta(days=10),
        recorded_by=cast.caseworker,
    )
    Referral.objects.create(
        case=case,
        agency=cast.police_agency,
        state=ReferralState.SENT,
        purpose="REMISSSYFTE-HEMLIGT",
        created_by=cast.caseworker,
        sent_at=timezone.now(),
    )
    CaseStateChange.objects.create(
        case=case,
        from_state=CaseState.ASSESSMENT,
        to_state=CaseState.ACCEPTED,
        by=cast.manager,
        reason="BESLUTSMOTIVERING-HEMLIG",
    )
    JournalEntry.objects.create(
        case=case,
        author=cast.caseworker,
        occurred_on=today(),
        category=JournalCategory.CONTACT,
        text="JOURNALTEXT-HEMLIG",
    )
    health = Need.objects.filter(is_health=True).first()
    assert health is not None
    CaseNeed.objects.create(case=case, need=health, identified_on=today(), note="HALSA-HEMLIG")
    instrument = Instrument.objects.create(
        code="motivation-test", version=1, name="Motivation", published_on=today()
    )
    MotivationAssessment.objects.create(
        case=case,
        instrument=instrument,
        assessed_on=today(),
        assessor=cast.caseworker,
        stage=StageOfChange.ACTION,
        total_score=12,
        criteria_met=True,
        recommendation=Recommendation.ACCEPT,
        notes="BEDOMNING-HEMLIG",
    )
    Intervention.objects.create(
        case=case,
        type=InterventionType.objects.all()[0],
        created_by=cast.caseworker,
        outcome_note="INSATS-HEMLIG",
    )
    return {"health": health.name_sv}


# --- The shared view --------------------------------------------------------------------------


def test_liaison_with_share_sees_only_the_shared_parts(client, cast, full_case):
    response = get_shared(client, cast.police, cast.case)
    assert response.status_code == 200
    text = response.content.decode()
    client_ = cast.case.client
    assert client_.full_name in text
    assert f"{client_.identity_number[:8]}-{client_.identity_number[8:]}" in text
    assert str(ThreatLevel.HIGH.label) in text or "Hög" in text
    assert "Nätverket Norra" in text
    assert "Luleå" in text
    assert cast.police_agency.name in text
    page = response.context["page"]
    assert [d.to_state for d in page.decisions] == [CaseState.ACCEPTED]
    assert len(page.placements) == 1
    assert len(response.context["referrals"]) == 1  # the referrals app's police section
    for secret in (
        "JOURNALTEXT-HEMLIG",
        "HALSA-HEMLIG",
        full_case["health"],
        "BEDOMNING-HEMLIG",
        "INSATS-HEMLIG",
        "HOTNOTERING-HEMLIG",
        "BESLUTSMOTIVERING-HEMLIG",
        "REMISSSYFTE-HEMLIGT",
        cast.caseworker.get_full_name(),
    ):
        assert secret not in text, secret
    # The manager who made the share is named once: as the liaison's contact (issue 11).
    assert text.count(cast.manager.get_full_name()) == 1


def test_protected_identity_is_masked_and_no_address(client, cast):
    cast.case.client.protected_identity = True
    cast.case.client.address = "Hemliga gatan 1"
    cast.case.client.save()
    text = get_shared(client, cast.police, cast.case).content.decode()
    assert cast.case.client.full_name not in text
    assert cast.case.client.last_name not in text
    assert "Hemliga gatan" not in text
    number = cast.case.client.identity_number
    assert f"{number[:8]}-{number[8:]}" not in text and number not in text
    assert "Skyddad identitet" in text


def test_shared_view_is_logged_and_records_the_visit(client, cast):
    get_shared(client, cast.police, cast.case)
    entry = AccessLogEntry.objects.get(user=cast.police, case=cast.case)
    assert entry.action == AccessAction.VIEW and entry.detail == "shared parts"
    assert PoliceVisit.objects.filter(user=cast.police, case=cast.case).count() == 1
    get_shared(client, cast.police, cast.case)
    assert PoliceVisit.objects.filter(user=cast.police, case=cast.case).count() == 1


def test_liaison_without_share_gets_404_and_no_case_at_home(client, cast):
    assert get_shared(client, cast.police_unshared, cast.case).status_code == 404
    assert selectors.police_home(user=cast.police_unshared) == []
    text = client.get(reverse("home")).content.decode()
    assert cast.case.reference not in text


@pytest.mark.parametrize("who", NOT_LIAISONS)
def test_others_get_404_on_the_shared_view(client, cast, who):
    assert get_shared(client, getattr(cast, who), cast.case).status_code == 404


def test_revoked_consent_ends_the_access_at_once(client, cast):
    assert get_shared(client, cast.police, cast.case).status_code == 200
    services.consent_revoke(consent=cast.consent, by=cast.caseworker)
    assert client.get(shared_url(cast.case)).status_code == 404


def test_expired_consent_ends_the_access(client, cast):
    cast.consent.valid_until = today() - datetime.timedelta(days=1)
    cast.consent.valid_from = today() - datetime.timedelta(days=60)
    cast.consent.save()
    assert get_shared(client, cast.police, cast.case).status_code == 404


def test_sweep_ends_a_share_whose_consent_was_revoked(cast):
    services.consent_revoke(consent=cast.consent, by=cast.caseworker)
    ended = sweep_police_shares.apply().get()
    assert ended == 1
    share = PoliceShare.objects.get(case=cast.case)
    assert share.ended_at is not None
    assert share.end_reason == PoliceShareEnd.CONSENT_REVOKED
    assert not CaseUserObjectPermission.objects.filter(
        content_object=cast.case, user=cast.police, permission__codename=policy.POLICE_SHARE_PERM
    ).exists()
    assert AccessLogEntry.objects.filter(
        case=cast.case, user=None, object_type="policeshare", detail__startswith="police share"
    ).exists()
    assert sweep_police_shares.apply().get() == 0


def test_sweep_task_is_scheduled_every_fifteen_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-police-shares"]
    assert entry["task"] == "cases.tasks.sweep_police_shares"
    assert entry["schedule"].minute == set(range(0, 60, 15))


# --- Police notes -----------------------------------------------------------------------------


def test_liaison_adds_a_police_note_the_caseworkers_see(client, cast):
    client.force_login(cast.police)
    response = client.post(
        reverse("cases:police_note_new", args=[cast.case.pk]),
        {"text": "Hot från Nätverket Norra", "threat_level": str(ThreatLevel.CRITICAL)},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(shared_url(cast.case))
    note = PoliceNote.objects.get(case=cast.case)
    assert note.author == cast.police and note.threat_level == ThreatLevel.CRITICAL
    assert AccessLogEntry.objects.filter(
        user=cast.police, action=AccessAction.CREATE, object_type="policenote"
    ).exists()
    section = selectors.case_police_section(case=cast.case)
    assert section.notes == [note]
    html = render_to_string(
        "cases/police/_case_section.html",
        {"case": cast.case, "police": section, "can_manage": False, "can_edit": True},
        request=RequestFactory().get("/"),
    )
    assert "Hot från Nätverket Norra" in html
    assert str(cast.police) in html
    client.force_login(cast.caseworker)
    page = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    if 'id="police"' in page:  # once the section is wired into the case page
        assert "Hot från Nätverket Norra" in page


def test_police_note_without_text_is_refused(client, cast):
    client.force_login(cast.police)
    response = client.post(reverse("cases:police_note_new", args=[cast.case.pk]), {"text": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not PoliceNote.objects.exists()


@pytest.mark.parametrize("who", ["police_unshared", "teammate", "caseworker", "manager"])
def test_only_a_liaison_with_the_share_may_add_a_note(client, cast, who):
    client.force_login(getattr(cast, who))
    url = reverse("cases:police_note_new", args=[cast.case.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x"}).status_code == 404
    assert not PoliceNote.objects.exists()


def test_police_notes_cannot_be_changed_or_deleted(cast):
    note = services.police_note_add(case=cast.case, by=cast.police, text="Hot", threat_level=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        PoliceNote.objects.filter(pk=note.pk).update(text="Ändrat")
    with pytest.raises(DatabaseError), transaction.atomic():
        PoliceNote.objects.filter(pk=note.pk).delete()
    assert PoliceNote.objects.get(pk=note.pk).text == "Hot"


# --- Sharing ----------------------------------------------------------------------------------


def test_manager_shares_with_the_whole_region_under_a_legal_basis(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    client.force_login(cast.manager)
    url = reverse("cases:share_new", args=[other.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert str(cast.police) in page.content.decode()  # the region's liaisons are offered
    response = client.post(url, {"recipient": "region", "legal_basis": "OSL 10 kap. 18 a §"})
    assert response.status_code == 302
    share = PoliceShare.objects.get(case=other)
    assert share.police_region == PoliceRegion.objects.get(code="stockholm")
    assert share.liaison is None and share.legal_basis == "OSL 10 kap. 18 a §"
    assert AccessLogEntry.objects.filter(
        user=cast.manager, case=other, action=AccessAction.CHANGE, detail="police share"
    ).exists()
    assert get_shared(client, cast.police, other).status_code == 200


def test_manager_shares_with_a_liaison_under_the_consent(client, cast):
    colleague = make_user(
        "polis2", Role.POLICE_LIAISON, police_region=PoliceRegion.objects.get(code="stockholm")
    )
    client.force_login(cast.manager)
    response = client.post(
        reverse("cases:share_new", args=[cast.case.pk]),
        {"recipient": str(colleague.pk), "consent": str(cast.consent.pk)},
    )
    assert response.status_code == 302
    assert PoliceShare.objects.filter(case=cast.case, liaison=colleague).exists()
    assert get_shared(client, colleague, cast.case).status_code == 200


def test_sharing_without_a_basis_shows_the_error_and_keeps_the_input(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    client.force_login(cast.manager)
    response = client.post(
        reverse("cases:share_new", args=[other.pk]), {"recipient": str(cast.police.pk)}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert any("rättslig grund" in e or "legal basis" in e for e in form.non_field_errors())
    assert form["recipient"].value() == str(cast.police.pk)
    assert not PoliceShare.objects.filter(case=other).exists()


def test_liaisons_of_another_region_are_not_offered(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("cases:share_new", args=[cast.case.pk]),
        {"recipient": str(cast.police_unshared.pk), "legal_basis": "OSL"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["recipient"]


def test_manager_ends_a_share(client, cast):
    share = PoliceShare.objects.get(case=cast.case)
    client.force_login(cast.manager)
    response = client.post(reverse("cases:share_end", args=[cast.case.pk, share.pk]))
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.end_reason == PoliceShareEnd.REVOKED and share.ended_by == cast.manager
    assert AccessLogEntry.objects.filter(
        user=cast.manager, action=AccessAction.CHANGE, detail="police share ended"
    ).exists()
    assert get_shared(client, cast.police, cast.case).status_code == 404


def test_ending_a_share_needs_post(client, cast):
    share = PoliceShare.objects.get(case=cast.case)
    client.force_login(cast.manager)
    assert client.get(reverse("cases:share_end", args=[cast.case.pk, share.pk])).status_code == 405


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_only_the_manager_may_share_or_end_a_share(client, cast, who):
    share = PoliceShare.objects.get(case=cast.case)
    client.force_login(getattr(cast, who))
    new_url = reverse("cases:share_new", args=[cast.case.pk])
    assert client.get(new_url).status_code == 404
    assert client.post(new_url, {"recipient": "region", "legal_basis": "OSL"}).status_code == 404
    end_url = reverse("cases:share_end", args=[cast.case.pk, share.pk])
    assert client.post(end_url).status_code == 404
    share.refresh_from_db()
    assert share.ended_at is None
    assert PoliceShare.objects.filter(case=cast.case).count() == 1


def test_case_section_lists_shares_with_their_basis(cast):
    services.case_share_with_police(
        case=cast.case,
        by=cast.manager,
        region=PoliceRegion.objects.get(code="stockholm"),
        legal_basis="LVU 11 §",
    )
    section = selectors.case_police_section(case=cast.case)
    assert len(section.shares) == 2 and len(section.open_shares) == 2
    html = render_to_string(
        "cases/police/_case_section.html",
        {"case": cast.case, "police": section, "can_manage": True, "can_edit": True},
        request=RequestFactory().get("/"),
    )
    assert "LVU 11 §" in html
    assert html.count(reverse("cases:share_end", args=[cast.case.pk, section.shares[0].pk])) == 1
    assert reverse("cases:share_new", args=[cast.case.pk]) in html
    assert reverse("cases:placement_new", args=[cast.case.pk]) in html


# --- Placements -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_editors_add_a_placement(client, cast, who):
    user = getattr(cast, who)
    lulea = Municipality.objects.get(code="2580")
    client.force_login(user)
    url = reverse("cases:placement_new", args=[cast.case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "municipality": str(lulea.pk),
            "kind": PlacementKind.TREATMENT_HOME,
            "started_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    placement = Placement.objects.get(case=cast.case)
    assert placement.municipality == lulea and placement.recorded_by == user
    assert AccessLogEntry.objects.filter(
        user=user, action=AccessAction.CREATE, object_type="placement"
    ).exists()


def test_placement_cannot_end_before_it_starts(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:placement_new", args=[cast.case.pk]),
        {
            "municipality": str(cast.malmo.pk),
            "kind": PlacementKind.OWN_FLAT,
            "started_on": today().isoformat(),
            "ended_on": (today() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Placement.objects.exists()


@pytest.mark.parametrize("who", ["teammate", "outsider", "police", "analyst", "administrator"])
def test_others_may_not_add_placements(client, cast, who):
    client.force_login(getattr(cast, who))
    url = reverse("cases:placement_new", args=[cast.case.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {"municipality": str(cast.malmo.pk), "kind": "own_flat", "started_on": "2024-01-01"},
    )
    assert response.status_code == 404
    assert not Placement.objects.exists()


# --- "Changed since your last visit" ----------------------------------------------------------


def home_row(user, case):
    return next(c for c in selectors.police_home(user=user) if c.pk == case.pk)


def test_home_shows_changes_since_the_last_visit(client, cast):
    assert home_row(cast.police, cast.case).changed  # never visited
    get_shared(client, cast.police, cast.case)
    assert not home_row(cast.police, cast.case).changed
    add_threat(cast)
    row = home_row(cast.police, cast.case)
    assert row.changed and row.new_threat and not row.new_note
    get_shared(client, cast.police, cast.case)
    assert not home_row(cast.police, cast.case).changed


def test_own_note_is_no_change_but_a_colleagues_is(client, cast):
    get_shared(client, cast.police, cast.case)
    services.police_note_add(case=cast.case, by=cast.police, text="Eget", threat_level=None)
    assert not home_row(cast.police, cast.case).changed
    colleague = make_user(
        "polis2", Role.POLICE_LIAISON, police_region=PoliceRegion.objects.get(code="stockholm")
    )
    services.case_share_with_police(
        case=cast.case, by=cast.manager, liaison=colleague, consent=cast.consent
    )
    services.police_note_add(case=cast.case, by=colleague, text="Kollegans", threat_level=None)
    assert home_row(cast.police, cast.case).new_note


def test_placement_and_decision_count_as_changes(client, cast):
    get_shared(client, cast.police, cast.case)
    client.force_login(cast.caseworker)
    client.post(
        reverse("cases:placement_new", args=[cast.case.pk]),
        {"municipality": str(cast.malmo.pk), "kind": "own_flat", "started_on": "2024-01-01"},
    )
    row = home_row(cast.police, cast.case)
    assert row.new_placement and not row.new_state
    CaseStateChange.objects.create(
        case=cast.case, to_state=CaseState.ACCEPTED, by=cast.manager, reason="x"
    )
    assert home_row(cast.police, cast.case).new_state
    # The shared view marks what is new, then the next visit starts afresh.
    page = get_shared(client, cast.police, cast.case).context["page"]
    assert page.placements[0].is_new and page.decisions[0].is_new
    page = client.get(shared_url(cast.case)).context["page"]
    assert not page.placements[0].is_new and not page.decisions[0].is_new


def test_home_lists_shared_cases_with_threat_and_link(client, cast):
    add_threat(cast, level=ThreatLevel.CRITICAL)
    client.force_login(cast.police)
    text = client.get(reverse("home")).content.decode()
    assert shared_url(cast.case) in text
    assert str(ThreatLevel.CRITICAL.label) in text or "Kritisk" in text


# --- Fixed numbers of queries -----------------------------------------------------------------


def _share_more_cases(cast: Cast, n: int) -> None:
    for _ in range(n):
        case = CaseFactory(
            municipality=cast.stockholm, created_by=cast.manager, client=ClientFactory()
        )
        services.case_share_with_police(
            case=case, by=cast.manager, liaison=cast.police, legal_basis="OSL 10 kap. 18 a §"
        )
        services.threat_record(
            case=case,
            by=cast.manager,
            level=ThreatLevel.LOW,
            source=ThreatSource.OWN,
            assessed_on=today(),
        )


def _add_records(cast: Cast, n: int) -> None:
    group = CriminalGroup.objects.get_or_create(name="Gruppen", kind="gang")[0]
    for i in range(n):
        add_threat(cast)
        services.police_note_add(case=cast.case, by=cast.police, text=f"Not {i}", threat_level=1)
        Placement.objects.create(
            case=cast.case,
            municipality=cast.malmo,
            kind=PlacementKind.FAMILY,
            started_on=today(),
            recorded_by=cast.caseworker,
        )
        GroupAffiliation.objects.create(
            client=cast.case.client, group=group, role="member", recorded_by=cast.caseworker
        )
        Referral.objects.create(
            case=cast.case,
            agency=cast.police_agency,
            state=ReferralState.SENT,
            purpose="x",
            created_by=cast.caseworker,
            sent_at=timezone.now(),
        )
        CaseStateChange.objects.create(
            case=cast.case, to_state=CaseState.ACCEPTED, by=cast.manager, reason="x"
        )


@pytest.mark.parametrize("visited", [False, True])
def test_shared_view_runs_a_fixed_number_of_queries(
    client, cast, visited, django_assert_num_queries
):
    client.force_login(cast.police)
    if visited:
        client.get(shared_url(cast.case))
    _add_records(cast, 2)
    # 22, the share the liaison reads by and the header's unread notifications, and the police
    # parts of the joint meetings (youth)
    with django_assert_num_queries(23) as small:
        client.get(shared_url(cast.case))
    _add_records(cast, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(shared_url(cast.case))


def test_police_home_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.police)
    _share_more_cases(cast, 1)
    with django_assert_num_queries(8) as small:  # 7 and the header's unread notifications
        client.get(reverse("home"))
    _share_more_cases(cast, 29)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))
    assert len(selectors.police_home(user=cast.police)) == 31


def test_the_shared_view_names_the_contact_the_basis_and_until_when(cast, login):
    """Issue 11: the liaison sees who at the municipality made the share (their contact),
    on what basis and until when it runs. Values looked for carry "Dela5t2m"."""
    cast.manager.first_name, cast.manager.last_name = "Maria", "Delasson5t2m"
    cast.manager.email = "maria.dela5t2m@stockholm.example"
    cast.manager.save(update_fields=["first_name", "last_name", "email"])
    text = login(cast.police).get(shared_url(cast.case)).content.decode()
    assert "Maria Delasson5t2m" in text
    assert 'href="mailto:maria.dela5t2m@stockholm.example"' in text
    assert f"Klientens samtycke från {cast.consent.valid_from:%Y-%m-%d}" in text
    assert f"{cast.consent.valid_until:%Y-%m-%d}" in text


def test_a_region_share_on_a_legal_basis_runs_until_the_program_ends_it(cast, login):
    region_case = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    PoliceShare.objects.create(
        case=region_case,
        police_region=PoliceRegion.objects.get(code="stockholm"),
        legal_basis="OSL 10 kap. 2 § Dela5t2m",
        created_by=cast.manager,
    )
    policy.case_grant_police_share(
        case=region_case, region=PoliceRegion.objects.get(code="stockholm")
    )
    text = login(cast.police).get(shared_url(region_case)).content.decode()
    assert "OSL 10 kap. 2 § Dela5t2m" in text
    assert "Tills verksamheten avslutar den" in text
    assert login(cast.police_unshared).get(shared_url(region_case)).status_code == 404
