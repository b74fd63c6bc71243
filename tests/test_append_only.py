"""Append-only tables: the database refuses UPDATE and DELETE of their rows, by the ORM and by
raw SQL alike (pgtrigger triggers declared on the models, see `exitprog.triggers`).

The kept records: decisions, referral events, motivation assessments with their scores and
criteria, threat assessments, journal entries, police notes, the access log, recorded
follow-ups, reports of concern and joint meetings (with their participants and agreed
actions), and every history table of the mutable records. A follow-up that is not recorded
yet may still be changed and removed.
"""

import datetime
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from audit.services import access_log_record
from cases import services
from cases.models import (
    AssessmentCriterionCheck,
    AssessmentScore,
    Case,
    CaseState,
    CaseStateChange,
    FollowUp,
    Instrument,
    JournalEntry,
    MotivationAssessment,
    PoliceNote,
    Recommendation,
    StageOfChange,
    ThreatAssessment,
)
from exitprog.triggers import HISTORY_SUFFIX, history_of
from referrals.models import Referral, ReferralEvent
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

REFUSED = r"append-only|Cannot update or delete rows"
TODAY = timezone.localdate


# --- One row of each append-only table ----------------------------------------------------------

# A row, the field a test tries to change and the value it tries.
type Row = tuple[models.Model, str, object]


def _journal(cast: Cast) -> Row:
    entry = JournalEntry.objects.create(
        case=cast.case, author=cast.caseworker, occurred_on=TODAY(), category="contact",
        text="Kanarie-ao-journal-3k8q",
    )  # fmt: skip
    return entry, "text", "Kanarie-ao-journal-rewritten"


def _police_note(cast: Cast) -> Row:
    note = PoliceNote.objects.create(
        case=cast.case, author=cast.police, text="Kanarie-ao-note-7v2m"
    )
    return note, "text", "Kanarie-ao-note-rewritten"


def _access_log(cast: Cast) -> Row:
    entry = access_log_record(
        user=cast.caseworker, action=AccessAction.VIEW, case=cast.case, detail="case page"
    )
    return entry, "detail", "Kanarie-ao-log-rewritten"


def _decision(cast: Cast) -> Row:
    change = CaseStateChange.objects.create(
        case=cast.case, from_state=CaseState.ACCEPTED, to_state=CaseState.ACTIVE,
        by=cast.manager, reason="Kanarie-ao-decision-5t1x",
    )  # fmt: skip
    return change, "reason", "Kanarie-ao-decision-rewritten"


def _referral_event(cast: Cast) -> Row:
    referral = Referral.objects.create(
        case=cast.case, agency=cast.police_agency, purpose="Kanarie-ao-purpose-2w6e",
        created_by=cast.caseworker,
    )  # fmt: skip
    event = ReferralEvent.objects.create(
        referral=referral, from_state="draft", to_state="sent", at=timezone.now(),
        by=cast.caseworker, note="Kanarie-ao-refevent-8j4c",
    )  # fmt: skip
    return event, "note", "Kanarie-ao-refevent-rewritten"


def _assessment(cast: Cast) -> MotivationAssessment:
    instrument = Instrument.objects.get(code="motivation", is_current=True)
    return services.assessment_record(
        case=cast.case,
        by=cast.caseworker,
        instrument=instrument,
        assessed_on=TODAY(),
        stage=StageOfChange.PREPARATION,
        scores={item.pk: 1 for item in instrument.items.all()},
        criteria={criterion.pk: True for criterion in instrument.criteria.all()},
        recommendation=Recommendation.CONTINUE,
        notes="Kanarie-ao-assessment-9d3s",
    )


def _motivation(cast: Cast) -> Row:
    return _assessment(cast), "notes", "Kanarie-ao-assessment-rewritten"


def _score(cast: Cast) -> Row:
    return AssessmentScore.objects.filter(assessment=_assessment(cast)).first(), "score", 3  # type: ignore[return-value]


def _criterion(cast: Cast) -> Row:
    checks = AssessmentCriterionCheck.objects.filter(assessment=_assessment(cast))
    return checks.first(), "met", False  # type: ignore[return-value]


def _threat(cast: Cast) -> Row:
    threat = ThreatAssessment.objects.create(
        case=cast.case, level=2, source="police", assessed_on=TODAY(),
        note="Kanarie-ao-threat-4h7p", recorded_by=cast.caseworker,
    )  # fmt: skip
    return threat, "note", "Kanarie-ao-threat-rewritten"


def _ended(case: Case) -> list[FollowUp]:
    ended_on = TODAY() - datetime.timedelta(days=100)
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.COMPLETED, closed_on=ended_on, next_review_on=None
    )
    case.refresh_from_db()
    return services.follow_ups_schedule(case=case, ended_on=ended_on)


def _recorded_follow_up(cast: Cast) -> Row:
    follow_up = _ended(cast.case)[0]
    recorded = services.follow_up_record(
        follow_up=follow_up,
        by=cast.caseworker,
        checked_on=TODAY(),
        alive="yes",
        reoffended="no",
        note="Kanarie-ao-followup-6n2b",
    )
    return recorded, "note", "Kanarie-ao-followup-rewritten"


def _report_of_concern(cast: Cast) -> Row:
    from youth.models import ReportOfConcern

    report = ReportOfConcern.objects.create(
        case=cast.case, made_on=TODAY(), made_by=cast.caseworker, made_to="Barnenheten",
        how="phone", what_was_said="Kanarie-ao-concern-2p7d", recorded_by=cast.caseworker,
    )  # fmt: skip
    return report, "what_was_said", "Kanarie-ao-concern-rewritten"


def _joint_meeting(cast: Cast) -> Row:
    from youth.models import JointMeeting

    meeting = JointMeeting.objects.create(
        case=cast.case, held_on=TODAY(), consent=cast.consent, notes="Kanarie-ao-meeting-6s3f",
        police_part="Kanarie-ao-police-part-9e1r", created_by=cast.caseworker,
    )  # fmt: skip
    return meeting, "police_part", "Kanarie-ao-meeting-rewritten"


def _meeting_participant(cast: Cast) -> Row:
    from youth.models import JointMeeting, JointMeetingParticipant

    meeting, _field, _value = _joint_meeting(cast)
    assert isinstance(meeting, JointMeeting)
    participant = JointMeetingParticipant.objects.create(
        meeting=meeting, name="Kanarie-ao-participant-4k2w", organisation="school"
    )
    return participant, "name", "Kanarie-ao-participant-rewritten"


ROWS: dict[str, Callable[[Cast], Row]] = {
    "journal entry": _journal,
    "police note": _police_note,
    "access log entry": _access_log,
    "decision": _decision,
    "referral event": _referral_event,
    "motivation assessment": _motivation,
    "assessment score": _score,
    "criterion check": _criterion,
    "threat assessment": _threat,
    "recorded follow-up": _recorded_follow_up,
    "report of concern": _report_of_concern,
    "joint meeting": _joint_meeting,
    "joint meeting participant": _meeting_participant,
}


# --- The history tables -------------------------------------------------------------------------

# Every tracked model, by the label of its history table (`exitprog.triggers.tracked`).
HISTORY_TABLES = [
    "accounts.MunicipalityHistory",
    "accounts.RoleGrantHistory",
    "accounts.YouthRulesHistory",
    "cases.CaseHistory",
    "cases.CaseNeedHistory",
    "cases.CaseUserObjectPermissionHistory",
    "cases.ClientHistory",
    "cases.ConsentGiverHistory",
    "cases.ConsentHistory",
    "cases.ContactCardHistory",
    "cases.ContactPersonHistory",
    "cases.FollowUpHistory",
    "cases.GroupAffiliationHistory",
    "cases.GuardianHistory",
    "cases.InterventionHistory",
    "cases.PlacementHistory",
    "cases.PoliceShareHistory",
    "cases.TransferHistory",
    "referrals.ReferralHistory",
]


def _every_tracked_record(cast: Cast) -> None:
    """A row of every tracked model, so that each history table holds a version."""
    from cases.models import (
        CaseNeed,
        CriminalGroup,
        GroupAffiliation,
        Intervention,
        InterventionType,
        Need,
        Placement,
        Transfer,
    )

    Intervention.objects.create(
        case=cast.case, type=InterventionType.objects.all()[0], created_by=cast.caseworker
    )
    CaseNeed.objects.create(case=cast.case, need=Need.objects.all()[0], identified_on=TODAY())
    Placement.objects.create(
        case=cast.case, municipality=cast.stockholm, kind="own_flat", started_on=TODAY(),
        recorded_by=cast.caseworker,
    )  # fmt: skip
    GroupAffiliation.objects.create(
        client=cast.case.client,
        group=CriminalGroup.objects.create(name="Kanarie-ao-group-1q5z", kind="gang"),
        role="member",
        recorded_by=cast.caseworker,
    )
    Transfer.objects.create(
        case=cast.case, from_municipality=cast.stockholm, to_municipality=cast.malmo,
        reason="Kanarie-ao-transfer-3m9k", proposed_by=cast.manager,
    )  # fmt: skip
    Referral.objects.create(
        case=cast.case, agency=cast.police_agency, purpose="Kanarie-ao-referral-0x7u",
        created_by=cast.caseworker,
    )  # fmt: skip
    from cases.models import SafeContact
    from cases.services import contact_card_save, contact_person_add

    contact_card_save(
        case=cast.case, by=cast.caseworker, phone="070-000 00 00", safe_contact=SafeContact.ANY
    )
    contact_person_add(
        case=cast.case, by=cast.caseworker, name="Kanarie-ao-person-7c2d", relation="Kusin"
    )
    from cases.guardians import ConsentGiver, ConsentGiverKind, Guardian
    from cases.models import Consent

    guardian = Guardian.objects.create(
        client=cast.case.client, name="Kanarie-ao-guardian-4h8w", relation="mother",
        created_by=cast.caseworker,
    )  # fmt: skip
    consent = cast.case.consents.first() or Consent.objects.create(
        case=cast.case, information=["identity"], valid_from=TODAY(), recorded_by=cast.caseworker
    )
    ConsentGiver.objects.create(consent=consent, giver=ConsentGiverKind.GUARDIAN, guardian=guardian)
    from accounts.models import YouthRules

    YouthRules.objects.create(municipality=cast.stockholm, child_unit_name="Kanarie-ao-unit-6v1n")
    _ended(cast.case)
    cast.stockholm.team_visibility = False
    cast.stockholm.save(update_fields=["team_visibility"])


def _history_row(cast: Cast, label: str) -> Row:
    from django.apps import apps

    _every_tracked_record(cast)
    event = apps.get_model(label)
    version = event._default_manager.order_by("-pgh_id").first()
    assert version is not None, f"{label} holds no version"
    return version, "pgh_label", "Kanarie-ao-label-rewritten"


def test_every_tracked_model_has_its_history_table():
    from django.apps import apps

    labels = sorted(
        f"{m._meta.app_label}.{m.__name__}"
        for m in apps.get_models()
        if getattr(m, "pgh_tracked_model", None) is not None and m.__name__.endswith(HISTORY_SUFFIX)
    )
    assert labels == sorted(HISTORY_TABLES)
    assert history_of(Case)._meta.label == "cases.CaseHistory"


def _all_rows() -> list[object]:
    rows: list[object] = [pytest.param(build, id=name) for name, build in ROWS.items()]
    rows += [
        pytest.param(lambda cast, label=label: _history_row(cast, label), id=label)
        for label in HISTORY_TABLES
    ]
    return rows


# --- Refused, and nothing changed -------------------------------------------------------------


def _stored(obj: models.Model, field: str) -> object:
    return type(obj)._default_manager.filter(pk=obj.pk).values_list(field, flat=True).get()


@pytest.mark.parametrize("build", _all_rows())
def test_orm_update_is_refused(cast, build):
    obj, field, value = build(cast)
    before = _stored(obj, field)
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        type(obj)._default_manager.filter(pk=obj.pk).update(**{field: value})
    setattr(obj, field, value)
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        obj.save()
    assert _stored(obj, field) == before


@pytest.mark.parametrize("build", _all_rows())
def test_orm_delete_is_refused(cast, build):
    obj, field, _value = build(cast)
    before = _stored(obj, field)
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        type(obj)._default_manager.filter(pk=obj.pk).delete()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        obj.delete()
    assert _stored(obj, field) == before


@pytest.mark.parametrize("build", _all_rows())
def test_raw_sql_update_and_delete_are_refused(cast, build):
    obj, field, value = build(cast)
    before = _stored(obj, field)
    table, pk = obj._meta.db_table, obj._meta.pk.column
    column = obj._meta.get_field(field).column
    quote = connection.ops.quote_name
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
            [value, obj.pk],
        )
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote(pk)} = %s", [obj.pk])  # noqa: S608
    assert _stored(obj, field) == before


# --- What may still change --------------------------------------------------------------------


def test_an_unrecorded_follow_up_may_be_scheduled_changed_recorded_and_removed(cast):
    follow_ups = _ended(cast.case)
    assert len(follow_ups) == 4
    first, last = follow_ups[0], follow_ups[-1]
    FollowUp.objects.filter(pk=first.pk).update(note="Kanarie-ao-unrecorded-8r3t")
    services.follow_up_record(
        follow_up=first, by=cast.caseworker, checked_on=TODAY(), alive="yes", reoffended="no"
    )
    first.refresh_from_db()
    assert first.is_recorded and first.note == "Kanarie-ao-unrecorded-8r3t"
    last.delete()
    assert not FollowUp.objects.filter(pk=last.pk).exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        FollowUp.objects.filter(case=cast.case).delete()  # the recorded one stops it all
    assert FollowUp.objects.filter(case=cast.case).count() == 3


def test_new_rows_may_still_be_added(cast):
    for build in ROWS.values():
        obj, _field, _value = build(cast)
        assert type(obj)._default_manager.filter(pk=obj.pk).exists()
    assert AccessLogEntry.objects.exists()


def test_the_old_hand_written_triggers_are_gone():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname IN (%s, %s, %s)",
            [
                "audit_accesslogentry_append_only",
                "cases_journalentry_append_only",
                "cases_policenote_append_only",
            ],
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'exitprog_forbid_change'")
        assert cursor.fetchall() == []
