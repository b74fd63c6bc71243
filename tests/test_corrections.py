"""Records that can be corrected (issue 11): needs reopened, interventions ended, consents
corrected and revoked after a confirmation, group affiliations and placements ended and
corrected, an assessment's every answer, and corrected journal entries marked.

Who may, what is saved, what is asked first, what is refused (with the input kept), what is
logged and what the history shows. Pages are Swedish: the tests look at saved rows, values
posted, and the texts the code produces translated the same way.
"""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext

from audit.models import AccessAction, AccessLogEntry
from audit.sentences import EVENTS, PAGES
from cases import services
from cases.models import (
    Case,
    CaseNeed,
    Consent,
    CriminalGroup,
    GroupAffiliation,
    Instrument,
    Intervention,
    InterventionType,
    JournalEntry,
    Need,
    Placement,
    Recommendation,
    StageOfChange,
)
from exitprog.concurrency import STALE_MESSAGE, seen_value
from exitprog.triggers import history_of
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

EDITORS = ["caseworker", "manager"]
# Who may not edit the case: a teammate (reads it, does not work on it), another
# municipality's caseworker, police liaisons with and without a share, an analyst, an admin.
NOT_EDITORS = ["teammate", "outsider", "police", "police_unshared", "analyst", "administrator"]
# Who may not read the whole case at all.
NOT_READERS = ["outsider", "police", "police_unshared", "analyst", "administrator"]


def today() -> datetime.date:
    return timezone.localdate()


def ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def sv(message: str, **params: object) -> str:
    with translation.override("sv"):
        text = gettext(message)
    return text % params if params else text


def on_page(message: str, **params: object) -> str:
    return escape(sv(message, **params))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def logged_in(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def seen_in(html: str) -> str:
    match = re.search(r'name="seen" value="([^"]*)"', html)
    assert match, "no seen field on the page"
    return match.group(1)


def logged(case: Case, action: AccessAction, detail: str):
    return AccessLogEntry.objects.filter(case=case, action=action, detail=detail)


def versions(record) -> int:
    return history_of(type(record)).objects.filter(pgh_obj_id=record.pk).count()  # type: ignore[attr-defined]


def history_page(client: HttpClient, case: Case, kind: str, pk: int) -> str:
    response = client.get(reverse("cases:record_history", args=[case.pk, kind, pk]))
    assert response.status_code == 200
    return response.content.decode()


def case_page(client: HttpClient, case: Case, tab: str = "") -> str:
    url = (
        reverse("cases:detail_tab", args=[case.pk, tab])
        if tab
        else reverse("cases:detail", args=[case.pk])
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def make_affiliation(cast: Cast, **fields) -> GroupAffiliation:
    group, _ = CriminalGroup.objects.get_or_create(
        name=fields.pop("group_name", "Korrigeringsligan"), defaults={"kind": "gang"}
    )
    fields.setdefault("role", "member")
    fields.setdefault("started_on", ago(400))
    return GroupAffiliation.objects.create(
        client=cast.case.client, group=group, recorded_by=cast.manager, **fields
    )


def make_placement(cast: Cast, **fields) -> Placement:
    fields.setdefault("kind", "protected_housing")
    fields.setdefault("started_on", ago(60))
    return Placement.objects.create(
        case=cast.case, municipality=cast.stockholm, recorded_by=cast.manager, **fields
    )


def make_need(cast: Cast, *, resolved_on: datetime.date | None = None) -> CaseNeed:
    return CaseNeed.objects.create(
        case=cast.case,
        need=Need.objects.get(code="debt"),
        identified_on=ago(50),
        resolved_on=resolved_on,
        note="Kanarie7k2r skulder",
    )


def make_intervention(cast: Cast, **fields) -> Intervention:
    fields.setdefault("type", InterventionType.objects.get(code="mentor"))
    fields.setdefault("status", "ongoing")
    fields.setdefault("actual_start", ago(30))
    return Intervention.objects.create(case=cast.case, created_by=cast.manager, **fields)


def url(name: str, cast: Cast, pk: int) -> str:
    return reverse(f"cases:{name}", args=[cast.case.pk, pk])


# --- Who may ----------------------------------------------------------------------------------


def _pages(cast: Cast) -> list[str]:
    need = make_need(cast, resolved_on=ago(3))
    return [
        url("need_reopen", cast, need.pk),
        url("intervention_end", cast, make_intervention(cast).pk),
        url("consent_edit", cast, cast.consent.pk),
        url("affiliation_edit", cast, make_affiliation(cast).pk),
        url("affiliation_end", cast, make_affiliation(cast, group_name="Andra ligan").pk),
        url("placement_edit", cast, make_placement(cast).pk),
        url("placement_end", cast, make_placement(cast, started_on=ago(90)).pk),
    ]


@pytest.mark.parametrize("who", EDITORS)
def test_editors_open_every_correction_page_and_each_opening_is_logged(cast, who):
    client = logged_in(getattr(cast, who))
    pages = _pages(cast)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert 'name="seen"' in response.content.decode()
    details = set(
        AccessLogEntry.objects.filter(case=cast.case, action=AccessAction.VIEW).values_list(
            "detail", flat=True
        )
    )
    assert {
        "need reopen form",
        "intervention end form",
        "consent edit form",
        "affiliation edit form",
        "affiliation end form",
        "placement edit form",
        "placement end form",
    } <= details


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_who_may_not_edit_the_case_gets_404_and_nothing_changes(cast, who):
    client = logged_in(getattr(cast, who))
    for page in _pages(cast):
        assert client.get(page).status_code == 404, page
        response = client.post(page, {"ended_on": today().isoformat(), "confirm": "yes"})
        assert response.status_code == 404, page
    assert not GroupAffiliation.objects.filter(ended_on__isnull=False).exists()
    assert not Placement.objects.filter(ended_on__isnull=False).exists()
    assert CaseNeed.objects.filter(case=cast.case, resolved_on__isnull=False).count() == 1


def test_a_record_of_another_case_is_not_found(cast):
    other = Case.objects.create(
        reference="ANDRA-1",
        client=cast.case.client,
        municipality=cast.stockholm,
        created_by=cast.manager,
    )
    placement = Placement.objects.create(
        case=other,
        municipality=cast.stockholm,
        kind="own_flat",
        started_on=ago(5),
        recorded_by=cast.manager,
    )
    client = logged_in(cast.caseworker)
    assert client.get(url("placement_end", cast, placement.pk)).status_code == 404
    assert client.get(url("placement_edit", cast, placement.pk)).status_code == 404


# --- Group affiliations -----------------------------------------------------------------------


@pytest.mark.parametrize("who", EDITORS)
def test_ending_an_affiliation_asks_first_then_ends_it_and_its_history_shows_it(cast, who):
    affiliation = make_affiliation(cast)
    before = versions(affiliation)
    client = logged_in(getattr(cast, who))
    page = url("affiliation_end", cast, affiliation.pk)
    opened = client.get(page).content.decode()
    assert 'name="confirm" value="yes"' in opened
    seen = seen_in(opened)
    day = ago(7)

    # A post without the confirmation button saves nothing.
    unconfirmed = client.post(page, {"ended_on": day.isoformat(), "seen": seen})
    assert unconfirmed.status_code == 200
    affiliation.refresh_from_db()
    assert affiliation.ended_on is None
    assert not logged(cast.case, AccessAction.CHANGE, "group affiliation ended").exists()

    done = client.post(page, {"ended_on": day.isoformat(), "seen": seen, "confirm": "yes"})
    assert done.status_code == 302
    affiliation.refresh_from_db()
    assert affiliation.ended_on == day
    assert logged(cast.case, AccessAction.CHANGE, "group affiliation ended").count() == 1
    assert versions(affiliation) == before + 1
    assert day.isoformat() in history_page(client, cast.case, "affiliation", affiliation.pk)


def test_an_ended_affiliation_offers_no_end_link_but_a_correction(cast):
    ended = make_affiliation(cast, ended_on=ago(10))
    text = case_page(logged_in(cast.caseworker), cast.case, "consent")
    assert url("affiliation_edit", cast, ended.pk) in text
    assert url("affiliation_end", cast, ended.pk) not in text
    assert reverse("cases:record_history", args=[cast.case.pk, "affiliation", ended.pk]) in text


def test_an_affiliation_cannot_end_before_it_began_and_the_date_is_kept(cast):
    affiliation = make_affiliation(cast, started_on=ago(20))
    client = logged_in(cast.caseworker)
    page = url("affiliation_end", cast, affiliation.pk)
    seen = seen_in(client.get(page).content.decode())
    response = client.post(page, {"ended_on": ago(30).isoformat(), "seen": seen, "confirm": "yes"})
    assert response.status_code == 200
    text = response.content.decode()
    assert on_page("An affiliation cannot end before it begins.") in text
    assert f'value="{ago(30).isoformat()}"' in text
    affiliation.refresh_from_db()
    assert affiliation.ended_on is None


def test_correcting_an_affiliation_saves_it_and_logs_it(cast):
    affiliation = make_affiliation(cast)
    client = logged_in(cast.manager)
    page = url("affiliation_edit", cast, affiliation.pk)
    seen = seen_in(client.get(page).content.decode())
    response = client.post(
        page,
        {
            "group": str(affiliation.group_id),
            "role": "leader",
            "started_on": ago(500).isoformat(),
            "ended_on": "",
            "source": "Kanarie3v8q polisen",
            "seen": seen,
        },
    )
    assert response.status_code == 302
    affiliation.refresh_from_db()
    assert (affiliation.role, affiliation.started_on) == ("leader", ago(500))
    assert affiliation.source == "Kanarie3v8q polisen"
    assert logged(cast.case, AccessAction.CHANGE, "group affiliation corrected").count() == 1
    assert "Kanarie3v8q polisen" in history_page(client, cast.case, "affiliation", affiliation.pk)


def test_a_stale_affiliation_correction_is_refused_with_the_input_kept(cast):
    affiliation = make_affiliation(cast)
    client = logged_in(cast.caseworker)
    page = url("affiliation_edit", cast, affiliation.pk)
    seen = seen_in(client.get(page).content.decode())
    affiliation.source = "Kanarie5m1x ändrad av annan"
    affiliation.save()  # someone else saved in between

    response = client.post(
        page,
        {
            "group": str(affiliation.group_id),
            "role": "associate",
            "started_on": ago(400).isoformat(),
            "ended_on": "",
            "source": "Kanarie5m1x mitt förslag",
            "seen": seen,
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert escape(str(STALE_MESSAGE)) in text or on_page(str(STALE_MESSAGE)) in text
    assert "Kanarie5m1x ändrad av annan" in text  # the record as it is now
    assert 'value="Kanarie5m1x mitt förslag"' in text  # what the user typed
    affiliation.refresh_from_db()
    assert affiliation.role == "member"
    assert seen_in(text) == seen_value(affiliation)  # the next save is checked against now


# --- Placements -------------------------------------------------------------------------------


def test_ending_a_placement_asks_first_and_its_history_shows_the_end(cast):
    placement = make_placement(cast)
    client = logged_in(cast.caseworker)
    page = url("placement_end", cast, placement.pk)
    seen = seen_in(client.get(page).content.decode())
    assert client.post(page, {"ended_on": ago(2).isoformat(), "seen": seen}).status_code == 200
    placement.refresh_from_db()
    assert placement.ended_on is None

    response = client.post(page, {"ended_on": ago(2).isoformat(), "seen": seen, "confirm": "yes"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_on == ago(2)
    assert logged(cast.case, AccessAction.CHANGE, "placement ended").count() == 1
    assert ago(2).isoformat() in history_page(client, cast.case, "placement", placement.pk)


def test_correcting_a_placement_changes_its_municipality(cast):
    placement = make_placement(cast)
    client = logged_in(cast.manager)
    page = url("placement_edit", cast, placement.pk)
    seen = seen_in(client.get(page).content.decode())
    response = client.post(
        page,
        {
            "municipality": str(cast.malmo.pk),
            "kind": "treatment_home",
            "started_on": ago(61).isoformat(),
            "ended_on": "",
            "seen": seen,
        },
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert (placement.municipality_id, placement.kind) == (cast.malmo.pk, "treatment_home")
    assert logged(cast.case, AccessAction.CHANGE, "placement corrected").count() == 1


def test_the_case_page_links_each_open_placement_to_its_end_and_correction(cast):
    placement = make_placement(cast)
    text = case_page(logged_in(cast.caseworker), cast.case, "police")
    assert url("placement_end", cast, placement.pk) in text
    assert url("placement_edit", cast, placement.pk) in text
    teammate = case_page(logged_in(cast.teammate), cast.case, "police")
    assert url("placement_edit", cast, placement.pk) not in teammate


# --- Needs ------------------------------------------------------------------------------------


def test_marking_a_need_as_met_from_the_case_page_asks_first(cast):
    need = make_need(cast)
    client = logged_in(cast.caseworker)
    page = url("need_resolve", cast, need.pk)
    first = client.post(page, {"resolved_on": ago(1).isoformat(), "seen": seen_value(need)})
    assert first.status_code == 200
    text = first.content.decode()
    assert 'name="confirm" value="yes"' in text
    assert f'value="{ago(1).isoformat()}"' in text  # the date as typed
    need.refresh_from_db()
    assert need.resolved_on is None
    assert logged(cast.case, AccessAction.VIEW, "need resolve form").count() == 1

    done = client.post(
        page, {"resolved_on": ago(1).isoformat(), "seen": seen_in(text), "confirm": "yes"}
    )
    assert done.status_code == 302
    need.refresh_from_db()
    assert need.resolved_on == ago(1)


def test_a_met_need_is_opened_again_after_confirmation_and_its_history_keeps_the_date(cast):
    need = make_need(cast, resolved_on=ago(4))
    client = logged_in(cast.caseworker)
    assert url("need_reopen", cast, need.pk) in case_page(client, cast.case, "assessments")
    page = url("need_reopen", cast, need.pk)
    seen = seen_in(client.get(page).content.decode())

    assert client.post(page, {"seen": seen}).status_code == 200
    need.refresh_from_db()
    assert need.resolved_on == ago(4)

    assert client.post(page, {"seen": seen, "confirm": "yes"}).status_code == 302
    need.refresh_from_db()
    assert need.resolved_on is None
    assert logged(cast.case, AccessAction.CHANGE, "need reopened").count() == 1
    assert ago(4).isoformat() in history_page(client, cast.case, "need", need.pk)


def test_a_need_is_not_opened_again_when_one_of_its_kind_is_open(cast):
    need = make_need(cast, resolved_on=ago(4))
    make_need(cast)  # the same need, open again as a new row
    client = logged_in(cast.caseworker)
    page = url("need_reopen", cast, need.pk)
    seen = seen_in(client.get(page).content.decode())
    response = client.post(page, {"seen": seen, "confirm": "yes"})
    assert response.status_code == 200
    assert (
        on_page("The need “%(need)s” is already open in this case.", need=need.need.label)
        in response.content.decode()
    )
    need.refresh_from_db()
    assert need.resolved_on == ago(4)


# --- Interventions and consents ---------------------------------------------------------------


def test_ending_an_intervention_asks_first_and_sets_status_and_end(cast):
    intervention = make_intervention(cast)
    client = logged_in(cast.caseworker)
    page = url("intervention_end", cast, intervention.pk)
    seen = seen_in(client.get(page).content.decode())
    data = {"status": "completed", "ended_on": ago(1).isoformat(), "outcome": "achieved"}
    assert client.post(page, data | {"seen": seen}).status_code == 200
    intervention.refresh_from_db()
    assert intervention.status == "ongoing"

    assert client.post(page, data | {"seen": seen, "confirm": "yes"}).status_code == 302
    intervention.refresh_from_db()
    assert (intervention.status, intervention.actual_end) == ("completed", ago(1))
    assert intervention.outcome == "achieved"
    assert logged(cast.case, AccessAction.CHANGE, "intervention ended").count() == 1
    text = case_page(client, cast.case, "support")
    assert url("intervention_end", cast, intervention.pk) not in text  # ended: no end link
    assert url("intervention_edit", cast, intervention.pk) in text  # still correctable


def test_revoking_a_consent_asks_first(cast):
    client = logged_in(cast.caseworker)
    page = url("consent_revoke", cast, cast.consent.pk)
    first = client.post(page, {"seen": seen_value(cast.consent)})
    assert first.status_code == 200
    assert 'name="confirm" value="yes"' in first.content.decode()
    cast.consent.refresh_from_db()
    assert cast.consent.revoked_at is None
    assert logged(cast.case, AccessAction.VIEW, "consent revoke form").count() == 1

    done = client.post(page, {"seen": seen_value(cast.consent), "confirm": "yes"})
    assert done.status_code == 302
    cast.consent.refresh_from_db()
    assert cast.consent.revoked_by == cast.caseworker


def test_correcting_a_consent_keeps_its_agencies_and_writes_history(cast):
    client = logged_in(cast.caseworker)
    page = url("consent_edit", cast, cast.consent.pk)
    seen = seen_in(client.get(page).content.decode())
    before = versions(cast.consent)
    response = client.post(
        page,
        {
            "information": ["identity", "threat"],
            "valid_from": ago(30).isoformat(),
            "valid_until": (today() + datetime.timedelta(days=100)).isoformat(),
            "note": "Kanarie2w9c rättad",
            "seen": seen,
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(pk=cast.consent.pk)
    assert consent.information == ["identity", "threat"]
    assert list(consent.agencies.all()) == [cast.police_agency]
    assert versions(consent) == before + 1
    assert logged(cast.case, AccessAction.CHANGE, "consent corrected").count() == 1
    assert "Kanarie2w9c rättad" in history_page(client, cast.case, "consent", consent.pk)


def test_a_stale_consent_correction_is_refused_with_the_input_kept(cast):
    client = logged_in(cast.caseworker)
    page = url("consent_edit", cast, cast.consent.pk)
    seen = seen_in(client.get(page).content.decode())
    Consent.objects.filter(pk=cast.consent.pk).update(
        note="Kanarie6t4d annans", updated_at=timezone.now()
    )
    response = client.post(
        page,
        {
            "information": ["identity"],
            "valid_from": ago(30).isoformat(),
            "valid_until": "",
            "note": "Kanarie6t4d min",
            "seen": seen,
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kanarie6t4d annans" in text and 'value="Kanarie6t4d min"' in text
    consent = Consent.objects.get(pk=cast.consent.pk)
    assert consent.note == "Kanarie6t4d annans"
    assert not logged(cast.case, AccessAction.CHANGE, "consent corrected").exists()


def test_a_revoked_consent_cannot_be_corrected(cast):
    services.consent_revoke(consent=cast.consent, by=cast.manager)
    client = logged_in(cast.caseworker)
    page = url("consent_edit", cast, cast.consent.pk)
    seen = seen_in(client.get(page).content.decode())
    response = client.post(
        page,
        {"information": ["identity"], "valid_from": ago(30).isoformat(), "seen": seen},
    )
    assert response.status_code == 200
    assert Consent.objects.get(pk=cast.consent.pk).information != ["identity"]


# --- The assessment's page --------------------------------------------------------------------


def _assessment(cast: Cast):
    instrument = Instrument.objects.prefetch_related("items", "criteria").get(
        code="motivation", is_current=True
    )
    items = list(instrument.items.all())
    criteria = list(instrument.criteria.all())
    scores = {item.pk: (n % (item.max_score + 1)) for n, item in enumerate(items)}
    checks = {c.pk: n % 2 == 0 for n, c in enumerate(criteria)}
    assessment = services.assessment_record(
        case=cast.case,
        by=cast.caseworker,
        instrument=instrument,
        assessed_on=ago(6),
        stage=StageOfChange.CONTEMPLATION,
        scores=scores,
        criteria=checks,
        recommendation=Recommendation.REASSESS,
        notes="Kanarie8b3n anteckning",
    )
    return assessment, items, criteria, scores, checks


@pytest.mark.parametrize("who", [*EDITORS, "teammate"])
def test_an_assessments_page_shows_every_answer_and_its_reading_is_logged(cast, who):
    assessment, items, criteria, scores, checks = _assessment(cast)
    client = logged_in(getattr(cast, who))
    assert url("assessment_detail", cast, assessment.pk) in case_page(
        client, cast.case, "assessments"
    )
    response = client.get(url("assessment_detail", cast, assessment.pk))
    assert response.status_code == 200
    text = response.content.decode()
    with translation.override("sv"):
        for item in items:
            row = re.search(
                rf"{re.escape(escape(item.text))}</th><td[^>]*>(\d+) / {item.max_score}<", text
            )
            assert row and int(row.group(1)) == scores[item.pk], item.text
        for criterion in criteria:
            answer = gettext("Met") if checks[criterion.pk] else gettext("Not met")
            assert f"{escape(criterion.text)}: <strong>{escape(answer)}</strong>" in text
        assert escape(str(StageOfChange.CONTEMPLATION.label)) in text
        assert escape(str(Recommendation.REASSESS.label)) in text
    assert escape(str(cast.caseworker)) in text
    assert "Kanarie8b3n anteckning" in text
    assert f"{assessment.total_score} / {sum(i.max_score for i in items)}" in text
    assert (
        logged(cast.case, AccessAction.VIEW, "assessment")
        .filter(object_id=str(assessment.pk))
        .count()
        == 1
    )


@pytest.mark.parametrize("who", NOT_READERS)
def test_an_assessments_page_is_404_for_who_may_not_read_the_case(cast, who):
    assessment, *_ = _assessment(cast)
    response = logged_in(getattr(cast, who)).get(url("assessment_detail", cast, assessment.pk))
    assert response.status_code == 404
    assert "Kanarie8b3n" not in response.content.decode()


def test_an_assessments_page_costs_the_same_whatever_its_answers(cast, django_assert_num_queries):
    assessment, *_ = _assessment(cast)
    client = logged_in(cast.caseworker)
    client.get(url("assessment_detail", cast, assessment.pk))  # warm the session
    with django_assert_num_queries(13) as first:
        client.get(url("assessment_detail", cast, assessment.pk))
    second, *_ = _assessment(cast)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url("assessment_detail", cast, second.pk))


# --- Corrected journal entries ----------------------------------------------------------------


def _write(cast: Cast, text: str, corrects: JournalEntry | None = None) -> JournalEntry:
    return services.journal_write(
        case=cast.case,
        by=cast.caseworker,
        occurred_on=ago(2),
        category="contact",
        text=text,
        corrects=corrects,
    )


def test_a_corrected_entry_says_which_entry_corrects_it_and_the_correction_which_it_corrects(
    cast,
):
    original = _write(cast, "Kanarie1j5p fel")
    correction = _write(cast, "Kanarie1j5p rätt", corrects=original)
    text = case_page(logged_in(cast.caseworker), cast.case, "journal")
    article = text[text.index(f'id="entry-{original.pk}"') :]
    marked = re.search(r'<p class="correction correction--corrected">(.*?)</p>', article, re.S)
    assert marked, "the original is not marked as corrected"
    assert f'href="#entry-{correction.pk}"' in marked.group(1)
    assert timezone.localtime(correction.written_at).strftime("%Y-%m-%d %H:%M") in marked.group(1)
    corrected = text[
        text.index(f'id="entry-{correction.pk}"') : text.index(f'id="entry-{original.pk}"')
    ]
    assert f'href="#entry-{original.pk}"' in corrected
    assert "correction--corrected" not in corrected  # the correction itself is not corrected


def test_the_journals_marks_cost_no_query_per_entry(cast, django_assert_num_queries):
    client = logged_in(cast.caseworker)
    first = _write(cast, "Kanarie0q7w ett")
    _write(cast, "Kanarie0q7w rättelse", corrects=first)
    journal = reverse("cases:detail_tab", args=[cast.case.pk, "journal"])
    client.get(journal)
    with django_assert_num_queries(100, exact=False) as few:
        client.get(journal)
    for n in range(5):
        wrong = _write(cast, f"Kanarie0q7w fel {n}")
        _write(cast, f"Kanarie0q7w rätt {n}", corrects=wrong)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(journal)


def test_a_correction_on_another_journal_page_is_reached_through_its_link(cast):
    original = _write(cast, "Kanarie4h8s gammal")
    for n in range(30):
        _write(cast, f"Kanarie4h8s fyllnad {n}")
    correction = _write(cast, "Kanarie4h8s rättelse", corrects=original)
    client = logged_in(cast.caseworker)
    jump_to_original = reverse("cases:journal_entry", args=[cast.case.pk, original.pk])
    first_page = case_page(client, cast.case, "journal")
    assert f'href="{jump_to_original}"' in first_page
    response = client.get(jump_to_original)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?journal=2#entry-{original.pk}")
    second = client.get(response["Location"].split("#")[0]).content.decode()
    jump_to_correction = reverse("cases:journal_entry", args=[cast.case.pk, correction.pk])
    assert f'href="{jump_to_correction}"' in second


@pytest.mark.parametrize("who", NOT_READERS)
def test_the_journal_link_is_404_for_who_may_not_read_the_case(cast, who):
    entry = _write(cast, "Kanarie9z2k")
    response = logged_in(getattr(cast, who)).get(
        reverse("cases:journal_entry", args=[cast.case.pk, entry.pk])
    )
    assert response.status_code == 404


def test_the_case_reports_journal_names_the_entry_that_corrects_one(cast):
    from django.template.loader import render_to_string

    from reports.documents.case_follow_up import case_follow_up_context
    from reports.periods import Period

    original = _write(cast, "Kanarie3r6u fel")
    correction = _write(cast, "Kanarie3r6u rätt", corrects=original)
    template, context = case_follow_up_context(
        case=cast.case, period=Period(ago(30), today()), today=today()
    )
    with translation.override("sv"):
        html = render_to_string(template, context)
        named = gettext("the entry written %(date)s") % {
            "date": timezone.localtime(correction.written_at).strftime("%Y-%m-%d %H:%M")
        }
    assert f'<a href="#entry-{correction.pk}">{escape(named)}</a>' in html


# --- The access log's sentences ---------------------------------------------------------------


def test_every_page_and_write_of_the_corrections_has_a_sentence():
    for page in (
        "assessment",
        "need resolve form",
        "need reopen form",
        "intervention end form",
        "consent edit form",
        "consent revoke form",
        "affiliation edit form",
        "affiliation end form",
        "placement edit form",
        "placement end form",
    ):
        assert page in PAGES
    for detail in (
        "need reopened",
        "intervention ended",
        "consent corrected",
        "group affiliation corrected",
        "group affiliation ended",
        "placement corrected",
        "placement ended",
    ):
        assert (AccessAction.CHANGE, detail) in EVENTS
    assert pgettext("access log", "a motivation assessment with every answer")
