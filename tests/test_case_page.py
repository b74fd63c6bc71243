"""The case page, the intake, decisions, assignment and team visibility."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from access import policy
from audit.models import AccessLogEntry
from cases import services
from cases.models import (
    Case,
    CaseState,
    CaseStateChange,
    Client,
    ContactCard,
    ContactPerson,
    Instrument,
    Intervention,
    InterventionType,
    JournalEntry,
    Recommendation,
    SafeContact,
    StageOfChange,
    ThreatAssessment,
)
from cases.tabs import TABS, case_section_url, case_tab_url
from exitprog.concurrency import seen_value
from records import services as plan_services
from tests.factories import CaseFactory, synthetic_identity_number

pytestmark = pytest.mark.django_db

READERS = ["caseworker", "teammate", "manager"]
NON_READERS = ["outsider", "police", "police_unshared", "analyst", "administrator"]


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.pk])


def tab_url(case, tab: str) -> str:
    return case_tab_url(case.pk, tab)


@pytest.mark.parametrize("who", READERS)
def test_readers_see_the_case_page_and_the_read_is_logged(client, cast, who):
    user = getattr(cast, who)
    client.force_login(user)
    response = client.get(detail_url(cast.case))
    assert response.status_code == 200
    text = response.content.decode()
    assert cast.case.reference in text
    assert cast.case.client.full_name in text
    entry = AccessLogEntry.objects.get(case=cast.case, user=user)
    assert entry.action == "view" and entry.path == detail_url(cast.case)


@pytest.mark.parametrize("who", NON_READERS)
def test_others_get_404_and_nothing_of_the_case(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(detail_url(cast.case))
    assert response.status_code == 404
    assert cast.case.client.last_name not in response.content.decode()


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(detail_url(cast.case))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_case_is_404(client, cast):
    client.force_login(cast.manager)
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404


def test_team_visibility_off_hides_the_case_from_the_teammate(client, cast):
    cast.stockholm.team_visibility = False
    cast.stockholm.save()
    client.force_login(cast.teammate)
    assert client.get(detail_url(cast.case)).status_code == 404
    client.force_login(cast.caseworker)
    assert client.get(detail_url(cast.case)).status_code == 200


def test_protected_name_is_masked_for_the_teammate_only(client, cast):
    cast.case.client.protected_identity = True
    cast.case.client.address = "Hemliga gatan 1"
    cast.case.client.save()
    number = cast.case.client.identity_number
    client.force_login(cast.teammate)
    text = client.get(detail_url(cast.case)).content.decode()
    assert cast.case.client.full_name not in text and "Hemliga gatan" not in text
    assert f"{number[:8]}-{number[8:]}" not in text and number not in text
    for who in ("caseworker", "manager"):
        client.force_login(getattr(cast, who))
        text = client.get(detail_url(cast.case)).content.decode()
        assert cast.case.client.full_name in text and "Hemliga gatan 1" in text
        assert f"{number[:8]}-{number[8:]}" in text


def test_teammate_sees_no_edit_links(client, cast):
    client.force_login(cast.teammate)
    text = client.get(tab_url(cast.case, "journal")).content.decode()
    assert reverse("cases:journal_new", args=[cast.case.pk]) not in text
    client.force_login(cast.caseworker)
    text = client.get(tab_url(cast.case, "journal")).content.decode()
    assert reverse("cases:journal_new", args=[cast.case.pk]) in text


def _fill_case(cast, n: int) -> None:
    case, by = cast.case, cast.caseworker
    today = timezone.localdate()
    instrument = Instrument.objects.get(code="motivation", is_current=True)
    items = list(instrument.items.all())
    criteria = list(instrument.criteria.all())
    JournalEntry.objects.bulk_create(
        JournalEntry(
            case=case, author=by, occurred_on=today, category="contact", text=f"Samtal {i}"
        )
        for i in range(n)
    )
    ThreatAssessment.objects.bulk_create(
        ThreatAssessment(case=case, level=i % 5, source="own", assessed_on=today, recorded_by=by)
        for i in range(n)
    )
    for i in range(min(n, 12)):
        services.assessment_record(
            case=case,
            by=by,
            instrument=instrument,
            assessed_on=today - datetime.timedelta(days=30 * i),
            stage=StageOfChange("preparation"),
            scores={item.pk: (i + item.pk) % 5 for item in items},
            criteria={c.pk: True for c in criteria},
            recommendation=Recommendation("continue"),
        )


def _write_plan(cast, *, goals: int) -> None:
    mentor = Intervention.objects.create(
        case=cast.case, created_by=cast.caseworker, type=InterventionType.objects.get(code="mentor")
    )
    plan_services.plan_write(
        case=cast.case,
        by=cast.caseworker,
        next_review_on=timezone.localdate() + datetime.timedelta(days=30),
        goals=[
            plan_services.GoalInput(
                goal=f"Mål {i}", responsible=cast.caseworker, interventions=[mentor]
            )
            for i in range(goals)
        ],
    )


# The queries of each tab of the case page (cases.tabs), whatever the data. Every tab runs the
# case page's common part (the case, the access, the overview's threat, follow-ups, "due" and
# open tasks, the header); each tab then reads only its own sections' lists (`case_page`'s
# `sections`). Before the tabs the whole page ran 36; each tab read all of it until they
# read their own (overview 36, the others 30-33).
TAB_QUERIES = {
    # decisions, the team, the plan section's 4, the tasks, the contact card's 2 and its
    # guardians' 1 (cases.guardians, whatever their number: tests/test_guardians.py)
    "overview": 27,
    "assessments": 20,  # threats, needs, assessments and the instrument
    "support": 19,  # interventions and the referral section's 1
    "journal": 19,  # the page of entries and its count
    "police": 20,  # the police section's 3
    "consent": 21,  # consents with their agencies and givers, the affiliations
    "closing": 19,  # the transfers' 1 and the report section's 1
    # the youth section's 3: youth rules, reports of concern, meetings (their participants and
    # actions 2 more once there is one: tests/test_youth.py)
    "youth": 20,
}


@pytest.mark.parametrize("tab", list(TAB_QUERIES))
def test_each_tab_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries, tab):
    client.force_login(cast.manager)
    url = tab_url(cast.case, tab)
    client.get(url)  # warm the content-type cache
    _fill_case(cast, 3)
    _write_plan(cast, goals=1)
    with django_assert_num_queries(TAB_QUERIES[tab]) as small:
        client.get(url)
    _fill_case(cast, 5000)
    _write_plan(cast, goals=8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert ("<svg" in response.content.decode()) == (tab == "assessments")


def test_journal_is_paginated_newest_first(client, cast):
    _fill_case(cast, 30)
    client.force_login(cast.caseworker)
    url = tab_url(cast.case, "journal")
    first = client.get(url).content.decode()
    assert "Samtal 29" in first and "Samtal 0<" not in first
    older = client.get(url + "?journal=2").content.decode()
    assert "Samtal 0" in older
    assert client.get(url + "?journal=abc").status_code == 200


# --- Intake -----------------------------------------------------------------------------------


def intake_data(**overrides):
    data = {
        "first_name": "Nils",
        "last_name": "Testsson",
        "identity_number": "",
        "reserve_identity": "",
        "address": "",
        "source": "police",
        "reason": "Polisen hänvisade.",
    }
    number = synthetic_identity_number(4242)
    data["identity_number"] = f"{number[:8]}-{number[8:]}"
    data.update(overrides)
    return data


def test_caseworker_opens_an_inquiry_and_is_assigned(client, cast):
    client.force_login(cast.caseworker)
    data = intake_data(municipality=cast.stockholm.pk)
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 302
    case = Case.objects.get(client__last_name="Testsson")
    assert response["Location"] == detail_url(case)
    assert case.state == CaseState.INQUIRY and case.municipality == cast.stockholm
    assert case.client.identity_number == data["identity_number"].replace("-", "")
    assert case.reference.startswith(f"0180-{timezone.localdate().year}-")
    assert case in policy.cases_assigned_to(cast.caseworker)
    change = CaseStateChange.objects.get(case=case)
    assert (change.to_state, change.by, change.reason) == (
        "inquiry",
        cast.caseworker,
        data["reason"],
    )
    assert AccessLogEntry.objects.filter(case=case, action="create").exists()


def test_intake_rejects_a_wrong_checksum_and_keeps_the_input(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:new"),
        intake_data(identity_number="19811218-9875", municipality=cast.stockholm.pk),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Testsson" in text and "19811218-9875" in text
    assert not Client.objects.filter(last_name="Testsson").exists()


def test_intake_needs_a_number_or_a_reserve_identity(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:new"), intake_data(identity_number="", municipality=cast.stockholm.pk)
    )
    assert response.status_code == 200
    assert not Client.objects.filter(last_name="Testsson").exists()
    response = client.post(
        reverse("cases:new"),
        intake_data(identity_number="", reserve_identity="RES-1", municipality=cast.stockholm.pk),
    )
    assert response.status_code == 302


def test_known_identity_number_warns_then_reuses_the_client(client, cast):
    # A client of the caseworker's municipality that they may read (team visibility).
    existing = CaseFactory(municipality=cast.stockholm, created_by=cast.manager).client
    client.force_login(cast.caseworker)
    data = intake_data(identity_number=existing.identity_number, municipality=cast.stockholm.pk)
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Case.objects.filter(client=existing).count() == 1
    response = client.post(reverse("cases:new"), {**data, "same_person": "on"})
    assert response.status_code == 302
    assert Case.objects.filter(client=existing).count() == 2
    assert Client.objects.filter(identity_number=existing.identity_number).count() == 1


def test_caseworker_cannot_open_an_inquiry_in_another_municipality(client, cast):
    client.force_login(cast.outsider)
    response = client.post(reverse("cases:new"), intake_data(municipality=cast.stockholm.pk))
    assert response.status_code == 200
    assert not Case.objects.filter(
        municipality=cast.stockholm, client__last_name="Testsson"
    ).exists()


@pytest.mark.parametrize("who", ["police", "analyst", "administrator"])
def test_roles_without_a_caseload_cannot_open_inquiries(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("cases:new")).status_code == 404


# --- Decisions --------------------------------------------------------------------------------


def transition(client, case, to, reason="Bedömt.", **extra):
    return client.post(
        reverse("cases:transition", args=[case.pk]), {"to_state": to, "reason": reason, **extra}
    )


def test_the_whole_path_from_inquiry_to_completed(client, cast):
    case = cast.case
    case.state = CaseState.INQUIRY
    case.save()
    client.force_login(cast.caseworker)
    transition(client, case, "assessment")
    client.force_login(cast.manager)
    transition(client, case, "accepted")
    client.force_login(cast.caseworker)
    transition(client, case, "active")
    client.force_login(cast.manager)
    # Closing is confirmed on the closing checklist (tests/test_manager.py).
    transition(client, case, "completed", "Målen nådda.", confirm_closing="on")
    case.refresh_from_db()
    assert case.state == "completed" and case.closed_on == timezone.localdate()
    changes = list(
        CaseStateChange.objects.filter(case=case).values_list("to_state", "by__username")
    )
    assert changes == [
        ("assessment", "kim"),
        ("accepted", "maria"),
        ("active", "kim"),
        ("completed", "maria"),
    ]


def test_only_a_manager_decides_an_intake(client, cast):
    cast.case.state = CaseState.ASSESSMENT
    cast.case.save()
    client.force_login(cast.caseworker)
    response = transition(client, cast.case, "accepted")
    assert response.status_code == 302
    cast.case.refresh_from_db()
    assert cast.case.state == "assessment"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Endast en enhetschef kan besluta om intag och avsluta ärenden."]


def test_illegal_transition_is_refused_with_a_message(client, cast):
    client.force_login(cast.manager)
    response = transition(client, cast.case, "inquiry")
    cast.case.refresh_from_db()
    assert cast.case.state == "active"
    assert "kan inte flyttas till" in " ".join(str(m) for m in response.wsgi_request._messages)


def test_a_decision_needs_a_reason(client, cast):
    client.force_login(cast.manager)
    transition(client, cast.case, "completed", reason="")
    cast.case.refresh_from_db()
    assert cast.case.state == "active"


def test_teammate_cannot_move_the_case(client, cast):
    cast.case.state = CaseState.INQUIRY
    cast.case.save()
    client.force_login(cast.teammate)
    transition(client, cast.case, "assessment")
    cast.case.refresh_from_db()
    assert cast.case.state == "inquiry"


@pytest.mark.parametrize("who", NON_READERS)
def test_outsiders_get_404_on_decisions(client, cast, who):
    client.force_login(getattr(cast, who))
    assert transition(client, cast.case, "completed").status_code == 404
    cast.case.refresh_from_db()
    assert cast.case.state == "active"


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("inquiry", "assessment", True),
        ("inquiry", "rejected", True),
        ("inquiry", "active", False),
        ("assessment", "accepted", True),
        ("assessment", "rejected", True),
        ("accepted", "active", True),
        ("accepted", "discontinued", True),
        ("active", "completed", True),
        ("active", "discontinued", True),
        ("active", "accepted", False),
        ("completed", "active", False),
        ("rejected", "assessment", False),
        ("discontinued", "completed", False),
    ],
)
def test_state_machine(cast, start, to, allowed):
    cast.case.state = start
    cast.case.save()
    if allowed:
        services.case_transition(
            case=cast.case, to_state=CaseState(to), by=cast.manager, reason="x"
        )
        cast.case.refresh_from_db()
        assert cast.case.state == to
    else:
        with pytest.raises(services.CaseRuleError):
            services.case_transition(
                case=cast.case, to_state=CaseState(to), by=cast.manager, reason="x"
            )


# --- Assignment and team visibility -----------------------------------------------------------


def test_manager_assigns_and_removes_a_caseworker(client, cast):
    client.force_login(cast.manager)
    url = reverse("cases:assign", args=[cast.case.pk])
    client.post(url, {"caseworker": cast.teammate.pk})
    assert cast.case in policy.cases_assigned_to(cast.teammate)
    client.post(url, {"caseworker": cast.teammate.pk, "remove": "on"})
    assert cast.case not in policy.cases_assigned_to(cast.teammate)


def test_manager_cannot_assign_another_municipalitys_caseworker(client, cast):
    client.force_login(cast.manager)
    client.post(reverse("cases:assign", args=[cast.case.pk]), {"caseworker": cast.outsider.pk})
    assert cast.case not in policy.cases_assigned_to(cast.outsider)


@pytest.mark.parametrize("who", ["caseworker", "teammate", *NON_READERS])
def test_only_the_manager_assigns(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.post(
        reverse("cases:assign", args=[cast.case.pk]), {"caseworker": cast.teammate.pk}
    )
    assert response.status_code == 404
    assert cast.case not in policy.cases_assigned_to(cast.teammate)


def test_manager_turns_team_visibility_off(client, cast):
    client.force_login(cast.manager)
    url = reverse("cases:team_visibility", args=[cast.stockholm.pk])
    assert client.get(url).status_code == 200
    client.post(url, {})
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.team_visibility is False


@pytest.mark.parametrize("who", ["caseworker", "outsider", "police", "analyst", "administrator"])
def test_only_the_manager_changes_team_visibility(client, cast, who):
    client.force_login(getattr(cast, who))
    url = reverse("cases:team_visibility", args=[cast.stockholm.pk])
    assert client.post(url, {}).status_code == 404
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.team_visibility is True


def test_a_new_case_takes_the_next_free_reference_even_after_gaps(cast):
    from cases.models import Case

    year = timezone.localdate().year
    CaseFactory(municipality=cast.stockholm, created_by=cast.manager, reference=f"0180-{year}-0007")
    case = services.case_open(
        by=cast.caseworker,
        municipality=cast.stockholm,
        first_name="Ny",
        last_name="Klient",
        reserve_identity="RES-X",
        source="self",
        reason="Kontakt.",
    )
    assert case.reference == f"0180-{year}-0008"
    assert Case.objects.filter(reference__startswith=f"0180-{year}-").count() == 2


def test_costs_are_shown_with_the_languages_digit_groups(client, cast):
    """12500.50 is "12 500,50" in Swedish (a no-break space groups the digits), "12,500.50"
    in English; the total likewise."""
    Intervention.objects.create(
        case=cast.case,
        created_by=cast.caseworker,
        type=InterventionType.objects.get(code="mentor"),
        cost_sek="12500.50",
    )
    Intervention.objects.create(
        case=cast.case,
        created_by=cast.caseworker,
        type=InterventionType.objects.get(code="mentor"),
        cost_sek="1000000",
    )
    client.force_login(cast.caseworker)
    swedish = client.get(tab_url(cast.case, "support")).content.decode()
    assert "12\xa0500,50" in swedish and "1\xa0000\xa0000<" in swedish
    assert "1\xa0012\xa0500,50" in swedish  # the total
    assert "12500,50" not in swedish
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(tab_url(cast.case, "support")).content.decode()
    assert "12,500.50" in english and "1,012,500.50" in english


# --- Tabs -------------------------------------------------------------------------------------

# A section id of each tab that no other tab shows.
TAB_SECTION = {tab.slug: tab.sections[-1] for tab in TABS}


@pytest.mark.parametrize("tab", [t.slug for t in TABS])
def test_each_tab_is_a_url_of_its_own_marked_current_with_only_its_sections(client, cast, tab):
    client.force_login(cast.manager)
    response = client.get(tab_url(cast.case, tab))
    assert response.status_code == 200
    text = response.content.decode()
    assert f'href="{tab_url(cast.case, tab)}" aria-current="page"' in text
    assert text.count('aria-current="page"') == 1
    assert 'class="case-overview"' in text  # the overview tops every tab
    for other, section in TAB_SECTION.items():
        assert (f'id="{section}"' in text) == (other == tab), (other, section)


def test_the_overview_answers_only_at_the_case_url(client, cast):
    client.force_login(cast.manager)
    assert client.get(f"/cases/{cast.case.pk}/tab/overview/").status_code == 404
    assert client.get(f"/cases/{cast.case.pk}/tab/nothing/").status_code == 404
    assert tab_url(cast.case, "overview") == detail_url(cast.case)


@pytest.mark.parametrize("who", NON_READERS)
def test_others_get_404_on_every_tab_and_the_print_view(client, cast, who):
    client.force_login(getattr(cast, who))
    for url in [tab_url(cast.case, t.slug) for t in TABS] + [print_url(cast.case)]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert cast.case.client.last_name not in response.content.decode()


def test_every_tab_read_is_logged_as_the_case_page(client, cast):
    client.force_login(cast.caseworker)
    client.get(tab_url(cast.case, "journal"))
    entry = AccessLogEntry.objects.get(case=cast.case, user=cast.caseworker)
    assert entry.detail == "case page" and entry.path == tab_url(cast.case, "journal")


def test_forms_return_to_the_tab_they_were_posted_from(client, cast):
    today = timezone.localdate()
    client.force_login(cast.caseworker)
    journal = client.post(
        reverse("cases:journal_new", args=[cast.case.pk]),
        {"occurred_on": today.isoformat(), "category": "contact", "text": "Samtal i fliken"},
    )
    assert journal["Location"] == tab_url(cast.case, "journal") + "#journal"
    threat = client.post(
        reverse("cases:threat_new", args=[cast.case.pk]),
        {"level": "2", "source": "own", "assessed_on": today.isoformat(), "note": ""},
    )
    assert threat["Location"] == tab_url(cast.case, "assessments") + "#threat"
    placement = client.post(
        reverse("cases:placement_new", args=[cast.case.pk]),
        {
            "municipality": cast.stockholm.pk,
            "kind": "own_flat",
            "started_on": today.isoformat(),
        },
    )
    assert placement["Location"] == tab_url(cast.case, "police") + "#police"
    consent = cast.case.consents.get()
    revoked = client.post(
        reverse("cases:consent_revoke", args=[cast.case.pk, consent.pk]),
        {"seen": seen_value(consent), "confirm": "yes"},
    )
    assert revoked["Location"] == tab_url(cast.case, "consent") + "#consent"
    client.force_login(cast.manager)
    assign = client.post(
        reverse("cases:assign", args=[cast.case.pk]), {"caseworker": cast.teammate.pk}
    )
    assert assign["Location"] == detail_url(cast.case) + "#team"
    decision = client.post(reverse("cases:transition", args=[cast.case.pk]), {})
    assert decision["Location"] == detail_url(cast.case) + "#decisions"
    # The page it lands on shows the section it names.
    assert 'id="journal"' in client.get(journal["Location"]).content.decode()


def test_links_from_other_pages_open_the_tab_of_their_section(cast):
    assert case_section_url(cast.case.pk, "referrals") == (
        tab_url(cast.case, "support") + "#referrals"
    )
    assert case_section_url(cast.case.pk, "follow-ups") == (
        tab_url(cast.case, "closing") + "#follow-ups"
    )
    assert case_section_url(cast.case.pk, "plan") == detail_url(cast.case) + "#plan"
    every = [s for t in TABS for s in t.sections]
    assert len(every) == len(set(every))  # each section on one tab only


# --- The overview -----------------------------------------------------------------------------


def test_the_overview_shows_the_review_overdue_and_what_is_due(client, cast):
    today = timezone.localdate()
    Case.objects.filter(pk=cast.case.pk).update(
        state=CaseState.ACTIVE, next_review_on=today - datetime.timedelta(days=3)
    )
    cast.consent.valid_until = today + datetime.timedelta(days=12)
    cast.consent.save()
    ThreatAssessment.objects.create(
        case=cast.case, level=3, source="own", assessed_on=today, recorded_by=cast.caseworker
    )
    client.force_login(cast.caseworker)
    text = client.get(tab_url(cast.case, "journal")).content.decode()
    overview = text[text.index('class="case-overview"') : text.index('class="case-tabs"')]
    review_on = (today - datetime.timedelta(days=3)).isoformat()
    ends_on = (today + datetime.timedelta(days=12)).isoformat()
    assert review_on in overview and "tag--overdue" in overview
    assert ends_on in overview  # the consent behind the police share ends within 30 days
    assert f'href="{detail_url(cast.case)}#plan"' in overview
    assert f'href="{tab_url(cast.case, "police")}#police"' in overview
    assert "threat--3" in overview
    # Reviewed in time: no longer overdue.
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=today + datetime.timedelta(days=5))
    text = client.get(detail_url(cast.case)).content.decode()
    overview = text[text.index('class="case-overview"') : text.index('class="case-tabs"')]
    assert (today + datetime.timedelta(days=5)).isoformat() in overview
    assert "due--overdue" not in overview


def test_the_overview_shows_the_next_follow_up_of_a_closed_case(client, cast):
    Case.objects.filter(pk=cast.case.pk).update(state=CaseState.ACTIVE)
    cast.case.refresh_from_db()
    services.case_transition(
        case=cast.case, to_state=CaseState.COMPLETED, by=cast.manager, reason="Klart"
    )
    first = cast.case.follow_ups.order_by("due_on").first()
    client.force_login(cast.manager)
    text = client.get(detail_url(cast.case)).content.decode()
    overview = text[text.index('class="case-overview"') : text.index('class="case-tabs"')]
    assert first.due_on.isoformat() in overview
    assert f"{tab_url(cast.case, 'closing')}#follow-ups" in overview


# --- The contact card ---------------------------------------------------------------------------

PHONE = "070-5550199"
PERSON = "Kontaktperson Ingridsdotter"


def _card_data(**overrides):
    data = {
        "phone": PHONE,
        "safe_contact": "via_contact_person",
        "times": "Vardagar 9-12 kontakttid",
        "note": "Ring aldrig från dolt nummer",
    }
    data.update(overrides)
    return data


def _write_card(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(reverse("cases:contact_card", args=[cast.case.pk]), _card_data())
    assert response.status_code == 302
    assert response["Location"] == detail_url(cast.case) + "#contact"
    response = client.post(
        reverse("cases:contact_person_new", args=[cast.case.pk]),
        {"name": PERSON, "relation": "Moster", "reach": "073-5550101", "note": "Litar på"},
    )
    assert response["Location"] == detail_url(cast.case) + "#contact"


def test_caseworker_writes_the_contact_card_and_it_shows_on_the_overview(client, cast):
    _write_card(client, cast)
    text = client.get(detail_url(cast.case)).content.decode()
    assert PHONE in text and PERSON in text and "073-5550101" in text
    assert "Vardagar 9-12 kontakttid" in text
    assert str(SafeContact.VIA_CONTACT_PERSON.label) in text
    card = ContactCard.objects.get(case=cast.case)
    details = set(
        AccessLogEntry.objects.filter(case=cast.case, user=cast.caseworker).values_list(
            "action", "detail"
        )
    )
    assert {("create", "contact card"), ("create", "contact person")} <= details
    # A change is a new version in its history, and logged as a change.
    client.post(
        reverse("cases:contact_card", args=[cast.case.pk]),
        _card_data(phone="070-1", seen=card.updated_at.isoformat()),
    )
    assert AccessLogEntry.objects.filter(detail="contact card", action="change").exists()
    history = client.get(
        reverse("cases:record_history", args=[cast.case.pk, "contact-card", card.pk])
    ).content.decode()
    assert PHONE in history and "070-1" in history


def test_contact_card_form_keeps_the_input_on_an_error(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:contact_card", args=[cast.case.pk]),
        _card_data(safe_contact="carrier pigeon"),
    )
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    assert not ContactCard.objects.exists()
    response = client.post(
        reverse("cases:contact_person_new", args=[cast.case.pk]), {"name": PERSON}
    )
    assert response.status_code == 200 and PERSON in response.content.decode()
    assert not ContactPerson.objects.exists()


def test_contact_card_saved_over_someone_elses_newer_card_is_refused_and_the_input_kept(
    client, cast
):
    url = reverse("cases:contact_card", args=[cast.case.pk])
    # The caseworker and the manager open the form before there is a card; the manager
    # saves first.
    client.force_login(cast.manager)
    assert client.post(url, _card_data(phone="070-Tm1k9q", seen="")).status_code == 302
    client.force_login(cast.caseworker)
    response = client.post(url, _card_data(phone="070-Cw7x2p", seen=""))
    text = response.content.decode()
    assert response.status_code == 200
    assert "070-Tm1k9q" in text and 'value="070-Cw7x2p"' in text
    card = ContactCard.objects.get(case=cast.case)
    assert card.phone == "070-Tm1k9q" and card.updated_by == cast.manager
    # The page now carries the manager's version: saving again over it is a choice made.
    seen = re.search(r'name="seen" value="([^"]+)"', text)
    assert seen is not None
    response = client.post(url, _card_data(phone="070-Cw7x2p", seen=seen.group(1)))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.phone == "070-Cw7x2p"
    # A form opened on the old version is refused again.
    stale = client.post(url, _card_data(phone="070-Old3v8", seen=seen.group(1)))
    assert (
        stale.status_code == 200 and ContactCard.objects.get(case=cast.case).phone == "070-Cw7x2p"
    )


def test_a_person_is_removed_from_the_network_after_confirming_and_stays_in_history(client, cast):
    person = services.contact_person_add(
        case=cast.case, by=cast.caseworker, name="Nätverksperson Rm4q8z", relation="Kusin"
    )
    url = reverse("cases:contact_person_remove", args=[cast.case.pk, person.pk])
    client.force_login(cast.caseworker)
    overview = client.get(detail_url(cast.case)).content.decode()
    assert "Nätverksperson Rm4q8z" in overview and url in overview
    page = client.get(url)
    assert page.status_code == 200 and "Nätverksperson Rm4q8z" in page.content.decode()
    assert AccessLogEntry.objects.filter(detail="contact person removal form").exists()
    # No reason: nothing happens, the page says why.
    refused = client.post(url, {"reason": "", "seen": seen_value(person)})
    assert refused.status_code == 200
    person.refresh_from_db()
    assert person.removed_at is None
    done = client.post(url, {"reason": "Hotar klienten Rm4q8z", "seen": seen_value(person)})
    assert done.status_code == 302 and done["Location"] == detail_url(cast.case) + "#contact"
    person.refresh_from_db()
    assert person.removed_by == cast.caseworker and person.removal_reason == "Hotar klienten Rm4q8z"
    assert "Nätverksperson Rm4q8z" not in client.get(detail_url(cast.case)).content.decode()
    assert AccessLogEntry.objects.filter(detail="contact person removed", action="change").exists()
    history = client.get(
        reverse("cases:record_history", args=[cast.case.pk, "contact-person", person.pk])
    ).content.decode()
    assert "Hotar klienten Rm4q8z" in history
    # Removed once: the page is gone.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["teammate", "outsider", "police", "police_unshared", "analyst"])
def test_who_may_not_edit_the_case_cannot_remove_a_person(client, cast, who):
    person = services.contact_person_add(
        case=cast.case, by=cast.caseworker, name="Nätverksperson Nx2w5k", relation="Bror"
    )
    client.force_login(getattr(cast, who))
    url = reverse("cases:contact_person_remove", args=[cast.case.pk, person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Nej", "seen": seen_value(person)}).status_code == 404
    person.refresh_from_db()
    assert person.removed_at is None


def test_contact_card_form_opening_is_logged(client, cast):
    client.force_login(cast.caseworker)
    assert client.get(reverse("cases:contact_card", args=[cast.case.pk])).status_code == 200
    assert AccessLogEntry.objects.filter(detail="contact card form").exists()


def test_teammate_reads_but_cannot_change_the_contact_card(client, cast):
    _write_card(client, cast)
    client.force_login(cast.teammate)
    text = client.get(detail_url(cast.case)).content.decode()
    assert PHONE in text
    assert reverse("cases:contact_card", args=[cast.case.pk]) not in text
    assert client.get(reverse("cases:contact_card", args=[cast.case.pk])).status_code == 404
    assert (
        client.post(
            reverse("cases:contact_card", args=[cast.case.pk]), _card_data(phone="1")
        ).status_code
        == 404
    )
    assert ContactCard.objects.get().phone == PHONE


def test_a_protected_identitys_contact_card_is_shown_only_where_its_address_is(client, cast):
    _write_card(client, cast)
    Client.objects.filter(pk=cast.case.client_id).update(protected_identity=True)
    card = ContactCard.objects.get()
    person = ContactPerson.objects.get()
    client.force_login(cast.teammate)
    for url in [tab_url(cast.case, t.slug) for t in TABS] + [
        print_url(cast.case),
        reverse("cases:record_history", args=[cast.case.pk, "contact-card", card.pk]),
        reverse("cases:record_history", args=[cast.case.pk, "contact-person", person.pk]),
    ]:
        text = client.get(url).content.decode()
        assert PHONE not in text and PERSON not in text and "073-5550101" not in text, url
    for who in ("caseworker", "manager"):
        client.force_login(getattr(cast, who))
        text = client.get(detail_url(cast.case)).content.decode()
        assert PHONE in text and PERSON in text


def test_police_liaison_never_sees_the_contact_card(client, cast):
    _write_card(client, cast)
    client.force_login(cast.police)
    shared = client.get(reverse("cases:shared", args=[cast.case.pk]))
    assert shared.status_code == 200
    assert PHONE not in shared.content.decode() and PERSON not in shared.content.decode()
    for name in ("cases:contact_card", "cases:contact_person_new"):
        assert client.get(reverse(name, args=[cast.case.pk])).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "police_unshared", "analyst", "administrator"])
def test_others_cannot_open_or_post_the_contact_card(client, cast, who):
    client.force_login(getattr(cast, who))
    for name in ("cases:contact_card", "cases:contact_person_new"):
        url = reverse(name, args=[cast.case.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {**_card_data(), "name": "X", "relation": "Y"}).status_code == 404
    assert not ContactCard.objects.exists() and not ContactPerson.objects.exists()


def test_contact_card_service_refuses_who_may_not_see_it(cast):
    Client.objects.filter(pk=cast.case.client_id).update(protected_identity=True)
    cast.case.client.refresh_from_db()
    with pytest.raises(services.CaseRuleError):
        services.contact_card_save(
            case=cast.case, by=cast.teammate, phone="1", safe_contact=SafeContact.ANY
        )
    with pytest.raises(services.CaseRuleError):
        services.contact_person_add(case=cast.case, by=cast.police, name="A", relation="B")


# --- The print view -----------------------------------------------------------------------------


def print_url(case) -> str:
    return reverse("cases:print", args=[case.pk])


def test_print_view_is_the_whole_case_marked_confidential_without_forms(client, cast):
    _fill_case(cast, 3)
    _write_card(client, cast)
    client.force_login(cast.manager)
    response = client.get(print_url(cast.case))
    assert response.status_code == 200
    text = response.content.decode()
    with translation.override("sv"):
        assert gettext("Secret under OSL chapter 26 section 1") in text
        assert (
            gettext(
                "CONFIDENTIAL / Secret under the Public Access to Information and Secrecy Act (OSL)"
            )
            in text
        )
    # Every section of every tab, in one document.
    for tab in TABS:
        for section in tab.sections:
            assert f'id="{section}"' in text, section
    assert "Samtal 2" in text and PHONE in text and "<svg" in text
    assert "<form" not in text and 'class="case-tabs"' not in text
    assert 'class="site-header"' not in text and "<nav" not in text
    assert reverse("cases:journal_new", args=[cast.case.pk]) not in text
    entry = AccessLogEntry.objects.filter(user=cast.manager, case=cast.case).latest("pk")
    assert entry.detail == "case print view" and entry.path == print_url(cast.case)


def test_print_view_prints_the_whole_journal(client, cast):
    _fill_case(cast, 30)  # more than one page of the case page's journal
    client.force_login(cast.caseworker)
    text = client.get(print_url(cast.case)).content.decode()
    assert "Samtal 29<" in text and "Samtal 0<" in text
    assert "?journal=" not in text


def test_print_view_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.manager)
    client.get(print_url(cast.case))
    _fill_case(cast, 3)
    _write_plan(cast, goals=1)
    with django_assert_num_queries(PRINT_QUERIES) as small:
        client.get(print_url(cast.case))
    _fill_case(cast, 2000)
    _write_plan(cast, goals=8)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(print_url(cast.case)).status_code == 200


PRINT_QUERIES = 44  # every tab's sections at once (with guardians and consent givers, and
# the youth section's 3)


def test_the_case_page_links_to_its_print_view(client, cast):
    client.force_login(cast.caseworker)
    assert f'href="{print_url(cast.case)}"' in client.get(detail_url(cast.case)).content.decode()
