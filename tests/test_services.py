"""Rules the services and the database keep, whatever the caller."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from cases import services
from cases.models import (
    Consent,
    Instrument,
    InterventionType,
    JournalEntry,
    Need,
    Recommendation,
    StageOfChange,
)
from cases.services import CaseRuleError

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def entry(cast) -> JournalEntry:
    return services.journal_write(
        case=cast.case, by=cast.caseworker, occurred_on=TODAY(), category="contact", text="Samtal."
    )


def test_journal_update_fails_at_the_database(cast):
    written = entry(cast)
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=written.pk).update(text="Ändrad")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_journalentry SET text = 'x' WHERE id = %s", [written.pk])
    written.refresh_from_db()
    assert written.text == "Samtal."


def test_journal_delete_fails_at_the_database(cast):
    written = entry(cast)
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=written.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_journalentry WHERE id = %s", [written.pk])
    assert JournalEntry.objects.filter(pk=written.pk).exists()


def test_a_correction_is_a_new_entry_pointing_at_the_old_one(cast):
    original = entry(cast)
    correction = services.journal_write(
        case=cast.case,
        by=cast.caseworker,
        occurred_on=TODAY(),
        category="contact",
        text="Rättelse: samtalet var på telefon.",
        corrects=original,
    )
    assert correction.corrects == original
    assert list(original.corrections.all()) == [correction]


def test_teammate_cannot_write_in_the_journal(cast):
    with pytest.raises(CaseRuleError):
        services.journal_write(
            case=cast.case, by=cast.teammate, occurred_on=TODAY(), category="contact", text="x"
        )


def test_journal_refuses_future_days_and_empty_text(cast):
    with pytest.raises(CaseRuleError):
        services.journal_write(
            case=cast.case,
            by=cast.caseworker,
            occurred_on=TODAY() + datetime.timedelta(days=1),
            category="contact",
            text="x",
        )
    with pytest.raises(CaseRuleError):
        services.journal_write(
            case=cast.case, by=cast.caseworker, occurred_on=TODAY(), category="contact", text="  "
        )


def test_assessment_needs_every_item_and_criterion_and_sums_the_score(cast):
    instrument = Instrument.objects.get(code="motivation", is_current=True)
    items = list(instrument.items.all())
    criteria = list(instrument.criteria.all())
    with pytest.raises(CaseRuleError):
        services.assessment_record(
            case=cast.case,
            by=cast.caseworker,
            instrument=instrument,
            assessed_on=TODAY(),
            stage=StageOfChange("action"),
            scores={items[0].pk: 2},
            criteria={c.pk: True for c in criteria},
            recommendation=Recommendation("continue"),
        )
    with pytest.raises(CaseRuleError):
        services.assessment_record(
            case=cast.case,
            by=cast.caseworker,
            instrument=instrument,
            assessed_on=TODAY(),
            stage=StageOfChange("action"),
            scores={i.pk: 9 for i in items},
            criteria={c.pk: True for c in criteria},
            recommendation=Recommendation("continue"),
        )
    assessment = services.assessment_record(
        case=cast.case,
        by=cast.caseworker,
        instrument=instrument,
        assessed_on=TODAY(),
        stage=StageOfChange("action"),
        scores={i.pk: 3 for i in items},
        criteria={c.pk: c.key != "drug_testing" for c in criteria},
        recommendation=Recommendation("continue"),
    )
    assert assessment.total_score == 3 * len(items)
    assert assessment.criteria_met is False
    assert assessment.scores.count() == len(items)


def test_intervention_rules(cast):
    kind = InterventionType.objects.get(code="mentor")
    with pytest.raises(CaseRuleError):
        services.intervention_create(
            case=cast.case,
            by=cast.caseworker,
            type=kind,
            planned_start=TODAY(),
            planned_end=TODAY() - datetime.timedelta(days=1),
        )
    with pytest.raises(CaseRuleError):
        services.intervention_create(
            case=cast.case, by=cast.caseworker, type=kind, cost_sek=Decimal("-1")
        )
    made = services.intervention_create(
        case=cast.case, by=cast.caseworker, type=kind, cost_sek=Decimal("1500.50")
    )
    services.intervention_update(intervention=made, by=cast.manager, status="ongoing")
    made.refresh_from_db()
    assert (made.status, made.cost_sek) == ("ongoing", Decimal("1500.50"))


def test_an_open_need_cannot_be_added_twice(cast):
    need = Need.objects.get(code="housing")
    services.need_add(case=cast.case, by=cast.caseworker, need=need, identified_on=TODAY())
    with pytest.raises(CaseRuleError):
        services.need_add(case=cast.case, by=cast.caseworker, need=need, identified_on=TODAY())


def test_consent_validity_and_revocation(cast):
    police = Agency.objects.create(name="Polisregion Test", kind=AgencyKind.POLICE)
    consent = services.consent_record(
        case=cast.case,
        by=cast.caseworker,
        agencies=[police],
        information=["identity", "threat"],
        valid_from=TODAY(),
        valid_until=TODAY() + datetime.timedelta(days=30),
    )
    assert consent.is_valid_on(TODAY())
    assert not consent.is_valid_on(TODAY() + datetime.timedelta(days=31))
    services.consent_revoke(consent=consent, by=cast.caseworker)
    assert not Consent.objects.get(pk=consent.pk).is_valid_on(TODAY())
    with pytest.raises(CaseRuleError):
        services.consent_revoke(consent=consent, by=cast.caseworker)
    with pytest.raises(CaseRuleError):
        services.consent_record(
            case=cast.case,
            by=cast.caseworker,
            agencies=[],
            information=["identity"],
            valid_from=TODAY(),
            valid_until=None,
        )
