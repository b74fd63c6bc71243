"""The case page, the intake, decisions, assignment and team visibility."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access import policy
from audit.models import AccessLogEntry
from cases import services
from cases.models import (
    Case,
    CaseState,
    CaseStateChange,
    Client,
    Instrument,
    Intervention,
    InterventionType,
    JournalEntry,
    Recommendation,
    StageOfChange,
    ThreatAssessment,
)
from records import services as plan_services
from tests.factories import CaseFactory, synthetic_identity_number

pytestmark = pytest.mark.django_db

READERS = ["caseworker", "teammate", "manager"]
NON_READERS = ["outsider", "police", "police_unshared", "analyst", "administrator"]


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.pk])


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
    text = client.get(detail_url(cast.case)).content.decode()
    assert reverse("cases:journal_new", args=[cast.case.pk]) not in text
    client.force_login(cast.caseworker)
    text = client.get(detail_url(cast.case)).content.decode()
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


def test_case_page_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.manager)
    client.get(detail_url(cast.case))  # warm the content-type cache
    _fill_case(cast, 3)
    _write_plan(cast, goals=1)
    with django_assert_num_queries(36) as small:  # 32, and the plan section's 4
        client.get(detail_url(cast.case))
    _fill_case(cast, 5000)
    _write_plan(cast, goals=8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(detail_url(cast.case))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_journal_is_paginated_newest_first(client, cast):
    _fill_case(cast, 30)
    client.force_login(cast.caseworker)
    first = client.get(detail_url(cast.case)).content.decode()
    assert "Samtal 29" in first and "Samtal 0<" not in first
    older = client.get(detail_url(cast.case) + "?journal=2").content.decode()
    assert "Samtal 0" in older
    assert client.get(detail_url(cast.case) + "?journal=abc").status_code == 200


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


def transition(client, case, to, reason="Bedömt."):
    return client.post(
        reverse("cases:transition", args=[case.pk]), {"to_state": to, "reason": reason}
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
    transition(client, case, "completed", "Målen nådda.")
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
    swedish = client.get(detail_url(cast.case)).content.decode()
    assert "12\xa0500,50" in swedish and "1\xa0000\xa0000<" in swedish
    assert "1\xa0012\xa0500,50" in swedish  # the total
    assert "12500,50" not in swedish
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(detail_url(cast.case)).content.decode()
    assert "12,500.50" in english and "1,012,500.50" in english
