"""Every write on clients and cases that is a business step.

Each service checks the permission policy itself (so no caller can skip it), runs in one
transaction, and raises `CaseRuleError` with a message for the user when a rule says no.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access import policy
from access.policy import CaseAction, MunicipalityPerm
from accounts.models import Municipality, PoliceRegion, Role, User, YouthRules
from agencies.models import Agency, AgencyKind
from audit.models import AccessAction
from audit.services import access_log_record
from cases.age import age_of, is_young
from cases.guardians import (
    consent_givers_meet_rules,
    consents_meeting_rules,
    guardians_move_with_case,
)
from cases.identity import identity_pseudonym, normalise_identity_number
from cases.models import (
    FOLLOW_UP_MONTHS,
    OPEN_STATES,
    AffiliationRole,
    AssessmentCriterionCheck,
    AssessmentScore,
    Case,
    CaseNeed,
    CaseState,
    CaseStateChange,
    CaseUserObjectPermission,
    Client,
    Consent,
    ContactCard,
    ContactPerson,
    CriminalGroup,
    FollowUp,
    GroupAffiliation,
    Instrument,
    Intervention,
    InterventionOutcome,
    InterventionStatus,
    InterventionType,
    JournalEntry,
    MotivationAssessment,
    Need,
    Placement,
    PlacementKind,
    PoliceNote,
    PoliceShare,
    PoliceShareEnd,
    Recommendation,
    SafeContact,
    SavedCaseloadFilter,
    StageOfChange,
    ThreatAssessment,
    ThreatSource,
    Transfer,
    TransferState,
)
from exitprog.concurrency import StaleEditError, locked_if_unchanged
from notifications.models import NotificationKind
from notifications.services import notification_send


def _log(
    action: AccessAction, *, by: User | None, case: Case, obj: models.Model, detail: str
) -> None:
    """The service's own access-log row, in its transaction (no caller can skip it)."""
    access_log_record(user=by, action=action, case=case, obj=obj, detail=detail)


class CaseRuleError(ValidationError):
    """A business rule refused the step; the message is meant for the user."""


def _require(user: User, action: CaseAction, case: Case) -> None:
    if not policy.may(user, action, case):
        raise CaseRuleError(_("You are not allowed to do this in this case."), code="forbidden")


# --- Optimistic locking (exitprog.concurrency) ------------------------------------------------


def _locked[M: models.Model](
    queryset: models.QuerySet[M],
    *,
    pk: object,
    seen: datetime.datetime | None,
    now: Callable[[M], str],
) -> M:
    """The row `pk`, locked until the transaction ends; refused with StaleEditError when it
    changed since `seen`, with `now(current)` as the message: what the record is now, for the
    pages that answer with a message rather than a panel of current values."""
    try:
        return locked_if_unchanged(queryset, pk=pk, seen=seen)
    except StaleEditError as exc:
        raise StaleEditError(now(exc.current), current=exc.current) from None


# What a refusal shows for a detail the record lacks (who, when).
_NOT_KNOWN = "\N{EN DASH}"


def _when(moment: datetime.datetime) -> str:
    """A moment as the refusals name it: the local date and time."""
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _changed_since_opened() -> str:
    """The refusal of a small form whose record changed in another way than its own action
    would (the page it goes back to shows the record as it is now)."""
    return _(
        "Someone else changed this after you opened the page. Nothing was saved: the page "
        "now shows it as it is. Check it and try again."
    )


# --- Clients and intake -----------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeMatch:
    """What the intake may learn about a number in the chosen municipality.

    `client`: the registered client, when the user may read it (the warning, then "same
    person"); `hidden`: the number is registered there but the user may not read any case of
    that client, or it is a protected identity they may not see (they are refused, without
    its data). Another municipality's clients are
    never looked at, so a number known only there is an empty match, like an unknown one.
    """

    client: Client | None = None
    hidden: bool = False


def client_find_by_identity_number(
    *, by: User, municipality: Municipality, identity_number: str
) -> IntakeMatch:
    """The client of `municipality` registered with this number, as far as `by` may know."""
    if not identity_number or not policy.may_open_intake(by, municipality):
        return IntakeMatch()
    client = policy.client_for_intake(by, municipality, identity_number)
    if client is not None:
        return IntakeMatch(client=client)
    registered = Client.objects.filter(
        municipality=municipality, identity_number=identity_number
    ).exists()
    return IntakeMatch(hidden=registered)


def registered_elsewhere_message(municipality: Municipality) -> str:
    return _(
        "This identity number is already registered in %(municipality)s, in cases you may "
        "not read. Ask your manager: a manager, or a caseworker who may read the client, "
        "opens the inquiry."
    ) % {"municipality": municipality}


@transaction.atomic
def case_open(
    *,
    by: User,
    municipality: Municipality,
    first_name: str,
    last_name: str,
    identity_number: str = "",
    reserve_identity: str = "",
    birth_date: datetime.date | None = None,
    age_band: str = "",
    protected_identity: bool = False,
    address: str = "",
    source: str,
    reason: str,
    existing_client: Client | None = None,
) -> Case:
    """Open an inquiry for a new or a known client in `municipality`.

    Steps: check that the user may open intakes there; lock the municipality (references and
    the one-client-per-number rule); reuse `existing_client` only when it is a client of
    this municipality that the user may read (the caller confirmed it is the same person);
    otherwise normalise the identity number (or require a reserve identity, with a birth date
    or an age band as given today where known) and refuse a number already registered here,
    so there is never a second client row; give the case the next reference of the
    municipality and year; record the first state change; assign the caseworker who opened
    it; write the access log.
    """
    if not policy.may_open_intake(by, municipality):
        raise CaseRuleError(
            _("You cannot open cases in %(municipality)s.") % {"municipality": municipality},
            code="forbidden",
        )
    # Lock the municipality row so two intakes at once get different references and
    # cannot both register the same number.
    Municipality.objects.select_for_update().get(pk=municipality.pk)
    if existing_client is not None:
        # The same lookup as the warning's: a client of this municipality the user may read,
        # and whose protected identity (if any) they may see.
        if (
            existing_client.municipality_id != municipality.pk
            or policy.client_for_intake(by, municipality, existing_client.identity_number)
            != existing_client
        ):
            raise CaseRuleError(
                _("A new case can only be opened for a client you may read in %(municipality)s.")
                % {"municipality": municipality},
                code="client",
            )
        client = existing_client
    else:
        number = normalise_identity_number(identity_number) if identity_number.strip() else ""
        if not number and not reserve_identity.strip():
            raise CaseRuleError(
                _("Give a personal identity number, a co-ordination number or a reserve identity."),
                code="identity",
            )
        match = client_find_by_identity_number(
            by=by, municipality=municipality, identity_number=number
        )
        if match.hidden:
            raise CaseRuleError(registered_elsewhere_message(municipality), code="registered")
        if match.client is not None:
            raise CaseRuleError(
                _(
                    "A client with this identity number is already registered in "
                    "%(municipality)s. Open the case for that client."
                )
                % {"municipality": municipality},
                code="duplicate",
            )
        birth = birth_date
        band = "" if birth_date is not None else age_band
        if number:
            day = int(number[6:8])
            birth = datetime.date(int(number[:4]), int(number[4:6]), day - 60 if day > 60 else day)
            band = ""
        client = Client.objects.create(
            municipality=municipality,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            identity_number=number,
            pseudonym=identity_pseudonym(number),
            reserve_identity=reserve_identity.strip(),
            birth_date=birth,
            age_band=band,
            age_band_on=timezone.localdate() if band else None,
            protected_identity=protected_identity,
            address=address.strip(),
        )
    today = timezone.localdate()
    prefix = f"{municipality.code}-{today.year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    case = Case.objects.create(
        reference=f"{prefix}{sequence:04d}",
        client=client,
        municipality=municipality,
        state=CaseState.INQUIRY,
        opened_on=today,
        next_review_on=today + datetime.timedelta(days=14),
        source=source,
        created_by=by,
    )
    CaseStateChange.objects.create(
        case=case, from_state="", to_state=CaseState.INQUIRY, by=by, reason=reason
    )
    if Role.CASEWORKER in policy.grants_for(by).role_set:
        policy.case_grant_assignment(case=case, user=by)
    detail = "case opened for a registered client" if existing_client else "case opened"
    _log(AccessAction.CREATE, by=by, case=case, obj=case, detail=detail)
    return case


# --- The state machine ------------------------------------------------------------------------

# (from, to) -> the action the user needs. Deciding intakes and closing cases is MANAGE.
TRANSITIONS: dict[tuple[CaseState, CaseState], CaseAction] = {
    (CaseState.INQUIRY, CaseState.ASSESSMENT): CaseAction.EDIT,
    (CaseState.INQUIRY, CaseState.REJECTED): CaseAction.MANAGE,
    (CaseState.ASSESSMENT, CaseState.ACCEPTED): CaseAction.MANAGE,
    (CaseState.ASSESSMENT, CaseState.REJECTED): CaseAction.MANAGE,
    (CaseState.ACCEPTED, CaseState.ACTIVE): CaseAction.EDIT,
    (CaseState.ACCEPTED, CaseState.DISCONTINUED): CaseAction.MANAGE,
    (CaseState.ACTIVE, CaseState.COMPLETED): CaseAction.MANAGE,
    (CaseState.ACTIVE, CaseState.DISCONTINUED): CaseAction.MANAGE,
}
CLOSING_STATES = frozenset({CaseState.COMPLETED, CaseState.DISCONTINUED, CaseState.REJECTED})
# A case that ran and ended; its client is followed up (a rejected intake never started).
ENDING_STATES = frozenset({CaseState.COMPLETED, CaseState.DISCONTINUED})


def transitions_from(state: str) -> list[tuple[CaseState, CaseAction]]:
    return [(to, action) for (frm, to), action in TRANSITIONS.items() if frm == state]


def case_now(case: Case) -> str:
    """The case's state, and who recorded its newest decision when (one query)."""
    state = CaseState(case.state).label
    latest = case.state_changes.select_related("by").order_by("-at", "-id").first()
    if latest is None:
        return _("The case is now “%(state)s”.") % {"state": state}
    return _(
        "The case is now “%(state)s”: the latest decision was recorded by %(by)s at %(at)s."
    ) % {
        "state": state,
        "by": latest.by,
        "at": _when(latest.at),
    }


def _case_changed(case: Case) -> str:
    return _(
        "Someone else changed the case after you opened the page. %(now)s Nothing was saved: "
        "your decision and reason are kept below. Check them and record the decision again."
    ) % {"now": case_now(case)}


def case_next_review_set(*, case: Case, on: datetime.date) -> None:
    """Set the date of the case's next review: a step of a larger service (a plan written, a
    review recorded) that checks the rules and writes the access log itself."""
    case.next_review_on = on
    case.save(update_fields=["next_review_on", "updated_at"])


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to_state: CaseState,
    by: User,
    reason: str,
    seen: datetime.datetime | None = None,
    youth_path: bool = False,
) -> Case:
    """Move `case` to `to_state`, recording who, when and why; refuse what the rules forbid.

    An acceptance checks the municipality's youth rules (`_check_youth_rules`): a client below
    the program's minimum age is accepted only with `youth_path` (`case_accept_youth_path`).

    `seen` is the case's `updated_at` when the decision form was opened: if the case changed
    since (another decision, a transfer), the decision is refused with StaleEditError, whose
    message names the state the case is in now, rather than applied to a case the user did
    not see.
    """
    case = _locked(Case.objects.all(), pk=case.pk, seen=seen, now=_case_changed)
    required = TRANSITIONS.get((CaseState(case.state), to_state))
    if required is None:
        raise CaseRuleError(
            _("A case in state “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": CaseState(case.state).label, "to": to_state.label},
            code="illegal_transition",
        )
    if not policy.may(by, required, case):
        if required == CaseAction.MANAGE:
            message = _("Only a manager can decide intakes and close cases.")
        else:
            message = _("Only the assigned caseworker or a manager can do this.")
        raise CaseRuleError(message, code="forbidden")
    if not reason.strip():
        raise CaseRuleError(_("Give a reason for the decision."), code="reason")
    if youth_path and to_state != CaseState.ACCEPTED:
        raise CaseRuleError(_("Only an acceptance can be on the youth path."), code="youth_path")
    if to_state == CaseState.ACCEPTED:
        _check_youth_rules(case, youth_path=youth_path)
    from_state = case.state
    case.state = to_state
    fields = ["state", "updated_at"]
    if youth_path:
        case.youth_path = True
        fields.append("youth_path")
    if to_state in CLOSING_STATES:
        case.closed_on = timezone.localdate()
        case.next_review_on = None
        fields += ["closed_on", "next_review_on"]
    case.save(update_fields=fields)
    CaseStateChange.objects.create(
        case=case, from_state=from_state, to_state=to_state, by=by, reason=reason.strip()
    )
    if to_state in ENDING_STATES and case.closed_on is not None:
        follow_ups_schedule(case=case, ended_on=case.closed_on)
    detail = "youth path" if youth_path else f"state {to_state.value}"
    _log(AccessAction.CHANGE, by=by, case=case, obj=case, detail=detail)
    return case


# --- Youth rules: the minimum age and the youth path (issue 12) -----------------------------


def _check_youth_rules(case: Case, *, youth_path: bool) -> None:
    """The municipality's youth rules on an acceptance, on the day of the decision: below the
    minimum age, only the youth path; the youth path only for a young client and with the
    child unit known."""
    rules = YouthRules.of(case.municipality)
    age = age_of(case.client, timezone.localdate())
    if youth_path:
        if age is None or not age.young:
            raise CaseRuleError(
                _("The youth path is for clients under 18; the client is %(age)s.")
                % {"age": str(age) if age else _("of an age not known")},
                code="youth_path_adult",
            )
        if not rules.child_unit_name:
            raise CaseRuleError(
                _(
                    "The youth path is handled together with the child unit, and %(municipality)s "
                    "has set none: a manager sets it in the youth rules first."
                )
                % {"municipality": case.municipality},
                code="no_child_unit",
            )
        return
    # Only a client certainly below the minimum age (by an age band: its oldest) is refused.
    if age is not None and age.oldest is not None and age.oldest < rules.minimum_age:
        raise CaseRuleError(
            _(
                "The program's minimum age in %(municipality)s is %(minimum)s; the client is "
                "%(age)s. Accept the case on the youth path instead, with the child unit."
            )
            % {"municipality": case.municipality, "minimum": rules.minimum_age, "age": str(age)},
            code="below_minimum_age",
        )


def youth_path_offered(*, case: Case, day: datetime.date) -> bool:
    """Whether the intake decision offers the youth path: a young client (under 18, or of a
    band under 18) of a case waiting for the decision."""
    return case.state == CaseState.ASSESSMENT and is_young(case.client, day)


def case_accept_youth_path(
    *, case: Case, by: User, reason: str, seen: datetime.datetime | None = None
) -> Case:
    """Accept the case as a youth case (`Case.youth_path`): a young client, handled together
    with the municipality's child unit (its youth rules). The decision is a decision row like
    any other, and an access-log entry "youth path", in the same transaction."""
    return case_transition(
        case=case, to_state=CaseState.ACCEPTED, by=by, reason=reason, seen=seen, youth_path=True
    )


def _youth_rules_changed(rules: YouthRules) -> str:
    return _(
        "Someone else changed the youth rules of %(municipality)s after you opened the page. "
        "Nothing was saved: the rules as they are now are shown above, and what you typed is "
        "kept below. Check it and save again."
    ) % {"municipality": rules.municipality}


@transaction.atomic
def youth_rules_save(
    *,
    municipality: Municipality,
    by: User,
    minimum_age: int,
    guardian_consent_for_interventions: bool,
    guardian_consent_for_sharing: bool,
    own_consent_age: int,
    child_unit_name: str = "",
    child_unit_phone: str = "",
    child_unit_email: str = "",
    seen: datetime.datetime | None = None,
) -> YouthRules:
    """Save the municipality's youth rules (the row is made on the first save). Only its
    managers may. `seen` is the rules' `updated_at` when the form was opened (for rules never
    saved, `YOUTH_RULES_NEVER_SAVED`): changed since, the save is refused with StaleEditError."""
    if not policy.is_manager_of(by, municipality):
        raise CaseRuleError(_("Only the municipality's manager can change this."), code="forbidden")
    # The municipality's row serialises the saves, the first one (an INSERT) included.
    municipality = Municipality.objects.select_for_update(of=("self",)).get(pk=municipality.pk)
    rules = YouthRules.of(municipality)
    if seen is not None and rules.updated_at != seen:
        raise StaleEditError(_youth_rules_changed(rules), current=rules)
    rules.minimum_age = minimum_age
    rules.guardian_consent_for_interventions = guardian_consent_for_interventions
    rules.guardian_consent_for_sharing = guardian_consent_for_sharing
    rules.own_consent_age = own_consent_age
    rules.child_unit_name = child_unit_name.strip()
    rules.child_unit_phone = child_unit_phone.strip()
    rules.child_unit_email = child_unit_email.strip()
    rules.full_clean()
    rules.save()
    access_log_record(
        user=by,
        action=AccessAction.CHANGE,
        obj=rules,
        detail="youth rules",
        municipality=municipality,
    )
    return rules


def case_start_assessment(*, case: Case, by: User, reason: str) -> Case:
    return case_transition(case=case, to_state=CaseState.ASSESSMENT, by=by, reason=reason)


def case_accept(*, case: Case, by: User, reason: str) -> Case:
    return case_transition(case=case, to_state=CaseState.ACCEPTED, by=by, reason=reason)


def case_reject(*, case: Case, by: User, reason: str) -> Case:
    return case_transition(case=case, to_state=CaseState.REJECTED, by=by, reason=reason)


def case_activate(*, case: Case, by: User, reason: str) -> Case:
    return case_transition(case=case, to_state=CaseState.ACTIVE, by=by, reason=reason)


def case_complete(*, case: Case, by: User, reason: str) -> Case:
    return case_transition(case=case, to_state=CaseState.COMPLETED, by=by, reason=reason)


def case_discontinue(*, case: Case, by: User, reason: str) -> Case:
    return case_transition(case=case, to_state=CaseState.DISCONTINUED, by=by, reason=reason)


# --- Follow-ups after the case ends ---------------------------------------------------------


def follow_ups_schedule(*, case: Case, ended_on: datetime.date) -> list[FollowUp]:
    """Schedule the follow-ups 3, 6, 12 and 24 months after `ended_on` (once per case)."""
    from exitprog.dates import add_months

    FollowUp.objects.bulk_create(
        [
            FollowUp(case=case, months=months, due_on=add_months(ended_on, months))
            for months in FOLLOW_UP_MONTHS
        ],
        ignore_conflicts=True,
    )
    return list(case.follow_ups.order_by("months"))


FOLLOW_UP_OUTCOME_FIELDS = (
    "checked_on",
    "alive",
    "reoffended",
    "reoffending_source",
    "housing",
    "occupation",
    "group_contact",
    "note",
)


def follow_up_recorded_refusal(follow_up: FollowUp) -> StaleEditError[FollowUp]:
    """The refusal of a follow-up form opened before someone else recorded the follow-up:
    who recorded it when; the page shows what was recorded beside what the user typed."""
    return StaleEditError(
        _(
            "%(by)s recorded this follow-up at %(at)s, after you opened the form. Nothing was "
            "saved: what was recorded is shown above, and what you typed is kept below. A "
            "follow-up is recorded once; write what is new in the journal."
        )
        % {
            "by": follow_up.recorded_by or _NOT_KNOWN,
            "at": _when(follow_up.recorded_at) if follow_up.recorded_at else _NOT_KNOWN,
        },
        current=follow_up,
    )


def _follow_up_changed(follow_up: FollowUp) -> str:
    if follow_up.is_recorded:
        return " ".join(follow_up_recorded_refusal(follow_up).messages)
    return _changed_since_opened()


@transaction.atomic
def follow_up_record(
    *, follow_up: FollowUp, by: User, seen: datetime.datetime | None = None, **outcome: object
) -> FollowUp:
    """Record what the check found. A follow-up is recorded once; a later finding goes in
    the journal, as documentation is kept as written. `seen` is its `updated_at` when the
    form was opened: recorded (or changed) since, the save is refused with StaleEditError."""
    _require(by, CaseAction.EDIT, follow_up.case)
    follow_up = _locked(
        FollowUp.objects.select_related("case", "recorded_by"),
        pk=follow_up.pk,
        seen=seen,
        now=_follow_up_changed,
    )
    if follow_up.is_recorded:
        raise CaseRuleError(
            _("This follow-up was already recorded. Write what is new in the journal."),
            code="recorded",
        )
    unknown = set(outcome) - set(FOLLOW_UP_OUTCOME_FIELDS)
    if unknown:
        raise TypeError(f"not outcome fields: {sorted(unknown)}")
    checked_on = outcome.get("checked_on")
    if not isinstance(checked_on, datetime.date):
        raise CaseRuleError(_("Give the date of the check."), code="checked_on")
    if checked_on > timezone.localdate():
        raise CaseRuleError(_("The date of the check cannot be in the future."), code="future")
    if follow_up.case.closed_on and checked_on < follow_up.case.closed_on:
        raise CaseRuleError(
            _("The check cannot be dated before the case ended (%(date)s).")
            % {"date": follow_up.case.closed_on},
            code="before_end",
        )
    if outcome.get("reoffended") == "yes" and not outcome.get("reoffending_source"):
        raise CaseRuleError(
            _("Say where the information about re-offending comes from."), code="source"
        )
    for name, value in outcome.items():
        setattr(follow_up, name, value)
    follow_up.recorded_by = by
    follow_up.recorded_at = timezone.now()
    follow_up.save()
    _log(AccessAction.CHANGE, by=by, case=follow_up.case, obj=follow_up, detail="follow-up")
    return follow_up


# --- Assignment and team visibility -----------------------------------------------------------


# Assignment is checked against who is assigned now, not against a `seen` time: it changes the
# case's grants, never the case row, so it leaves Case.updated_at alone (a decision form open
# elsewhere stays valid) and there is no timestamp to compare. What a manager decides is about
# one person, so that is what is checked: assigning someone already assigned, or removing
# someone no longer assigned (another manager did it after this page was opened), is refused
# with the caseworkers assigned now, rather than reported (and logged) as a change.


def _is_assigned(case: Case, caseworker: User) -> bool:
    return CaseUserObjectPermission.objects.filter(
        content_object=case, user=caseworker, permission__codename=policy.ASSIGNMENT_PERM
    ).exists()


def _assigned_now(case: Case) -> str:
    names = [
        str(grant.user)
        for grant in CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename=policy.ASSIGNMENT_PERM
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    ]
    if not names:
        return _("No caseworker is assigned now.")
    return _("Assigned now: %(names)s.") % {"names": ", ".join(names)}


@transaction.atomic
def case_assign(*, case: Case, caseworker: User, by: User) -> None:
    _require(by, CaseAction.MANAGE, case)
    # One change of the case's assignments at a time: the check below stays true until commit.
    case = Case.objects.select_for_update().select_related("municipality").get(pk=case.pk)
    if MunicipalityPerm.WORK_CASES not in policy.grants_for(caseworker).municipality_perms.get(
        case.municipality_id, frozenset()
    ):
        raise CaseRuleError(
            _("%(name)s is not a caseworker in %(municipality)s.")
            % {"name": caseworker, "municipality": case.municipality},
            code="not_caseworker",
        )
    if _is_assigned(case, caseworker):
        raise CaseRuleError(
            _("%(name)s is already assigned to the case: nothing was changed. %(now)s")
            % {"name": caseworker, "now": _assigned_now(case)},
            code="unchanged",
        )
    policy.case_grant_assignment(case=case, user=caseworker)
    detail = f"assignment added {caseworker.username}"
    _log(AccessAction.CHANGE, by=by, case=case, obj=case, detail=detail)


@transaction.atomic
def case_unassign(*, case: Case, caseworker: User, by: User) -> None:
    _require(by, CaseAction.MANAGE, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not _is_assigned(case, caseworker):
        raise CaseRuleError(
            _(
                "%(name)s is not assigned to the case (someone else may have removed them "
                "after you opened the page): nothing was changed. %(now)s"
            )
            % {"name": caseworker, "now": _assigned_now(case)},
            code="unchanged",
        )
    policy.case_revoke_assignment(case=case, user=caseworker)
    detail = f"assignment removed {caseworker.username}"
    _log(AccessAction.CHANGE, by=by, case=case, obj=case, detail=detail)


def _team_visibility_changed(municipality: Municipality) -> str:
    if municipality.team_visibility:
        return _(
            "Someone else changed the settings of %(municipality)s after you opened the page: "
            "team visibility is now on. Nothing was saved: your choice is kept below. Save "
            "again if it still stands."
        ) % {"municipality": municipality}
    return _(
        "Someone else changed the settings of %(municipality)s after you opened the page: "
        "team visibility is now off. Nothing was saved: your choice is kept below. Save "
        "again if it still stands."
    ) % {"municipality": municipality}


@transaction.atomic
def municipality_set_team_visibility(
    *,
    municipality: Municipality,
    enabled: bool,
    by: User,
    seen: datetime.datetime | None = None,
) -> Municipality:
    """Turn team visibility on or off. `seen` is the municipality's `updated_at` when the
    form was opened: changed since, the save is refused with StaleEditError."""
    if not policy.is_manager_of(by, municipality):
        raise CaseRuleError(_("Only the municipality's manager can change this."), code="forbidden")
    municipality = _locked(
        Municipality.objects.all(), pk=municipality.pk, seen=seen, now=_team_visibility_changed
    )
    municipality.team_visibility = enabled
    municipality.save(update_fields=["team_visibility", "updated_at"])
    return municipality


# --- Assessments, threats, needs --------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    case: Case,
    by: User,
    instrument: Instrument,
    assessed_on: datetime.date,
    stage: StageOfChange,
    scores: Mapping[int, int],
    criteria: Mapping[int, bool],
    recommendation: Recommendation,
    notes: str = "",
) -> MotivationAssessment:
    """Record an assessment: a score for every item, every criterion checked."""
    _require(by, CaseAction.EDIT, case)
    items = {item.pk: item for item in instrument.items.all()}
    criterion_ids = set(instrument.criteria.values_list("pk", flat=True))
    if set(scores) != set(items) or set(criteria) != criterion_ids:
        raise CaseRuleError(_("Score every item and check every criterion."), code="incomplete")
    for item_id, score in scores.items():
        if not 0 <= score <= items[item_id].max_score:
            raise CaseRuleError(
                _("A score must be between 0 and %(max)s.") % {"max": items[item_id].max_score},
                code="score",
            )
    if assessed_on > timezone.localdate():
        raise CaseRuleError(_("An assessment cannot be dated in the future."), code="future")
    assessment = MotivationAssessment.objects.create(
        case=case,
        instrument=instrument,
        assessed_on=assessed_on,
        assessor=by,
        stage=stage,
        total_score=sum(scores.values()),
        criteria_met=all(criteria.values()),
        recommendation=recommendation,
        notes=notes.strip(),
    )
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, item_id=i, score=s) for i, s in scores.items()
    )
    AssessmentCriterionCheck.objects.bulk_create(
        AssessmentCriterionCheck(assessment=assessment, criterion_id=c, met=m)
        for c, m in criteria.items()
    )
    _log(AccessAction.CREATE, by=by, case=case, obj=assessment, detail="motivation assessment")
    return assessment


@transaction.atomic
def threat_record(
    *,
    case: Case,
    by: User,
    level: int,
    source: ThreatSource,
    assessed_on: datetime.date,
    note: str = "",
) -> ThreatAssessment:
    _require(by, CaseAction.EDIT, case)
    if assessed_on > timezone.localdate():
        raise CaseRuleError(_("A threat assessment cannot be dated in the future."), code="future")
    threat = ThreatAssessment.objects.create(
        case=case,
        level=level,
        source=source,
        assessed_on=assessed_on,
        note=note.strip(),
        recorded_by=by,
    )
    _log(AccessAction.CREATE, by=by, case=case, obj=threat, detail="threat assessment")
    return threat


@transaction.atomic
def need_add(
    *, case: Case, by: User, need: Need, identified_on: datetime.date, note: str = ""
) -> CaseNeed:
    _require(by, CaseAction.EDIT, case)
    if identified_on > timezone.localdate():
        raise CaseRuleError(_("A need cannot be identified in the future."), code="future")
    if case.needs.filter(need=need, resolved_on__isnull=True).exists():
        raise CaseRuleError(
            _("The need “%(need)s” is already open in this case.") % {"need": need.label},
            code="duplicate",
        )
    case_need = CaseNeed.objects.create(
        case=case, need=need, identified_on=identified_on, note=note
    )
    _log(AccessAction.CREATE, by=by, case=case, obj=case_need, detail="need")
    return case_need


def _need_resolved_message(case_need: CaseNeed) -> str:
    return _(
        "The need “%(need)s” was already marked as resolved on %(date)s: nothing was saved."
    ) % {
        "need": case_need.need.label,
        "date": case_need.resolved_on,
    }


def _need_changed(case_need: CaseNeed) -> str:
    if case_need.resolved_on is not None:
        return _need_resolved_message(case_need)
    return _changed_since_opened()


@transaction.atomic
def need_resolve(
    *,
    case_need: CaseNeed,
    by: User,
    resolved_on: datetime.date,
    seen: datetime.datetime | None = None,
) -> CaseNeed:
    """Mark an open need resolved. `seen` is its `updated_at` when the case page was opened:
    resolved (or changed) since, the save is refused with StaleEditError."""
    _require(by, CaseAction.EDIT, case_need.case)
    case_need = _locked(
        CaseNeed.objects.select_related("case", "need"),
        pk=case_need.pk,
        seen=seen,
        now=_need_changed,
    )
    if case_need.resolved_on is not None:
        raise CaseRuleError(_need_resolved_message(case_need), code="resolved")
    if resolved_on > timezone.localdate():
        raise CaseRuleError(_("A need cannot be resolved in the future."), code="future")
    if resolved_on < case_need.identified_on:
        raise CaseRuleError(_("A need cannot be resolved before it was identified."), code="date")
    case_need.resolved_on = resolved_on
    case_need.save(update_fields=["resolved_on", "updated_at"])
    _log(AccessAction.CHANGE, by=by, case=case_need.case, obj=case_need, detail="need resolved")
    return case_need


# --- Interventions ----------------------------------------------------------------------------

INTERVENTION_FIELDS = (
    "type",
    "provider",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "cost_sek",
    "outcome",
    "outcome_note",
)


def _check_intervention(values: Mapping[str, object]) -> None:
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        a, b = values.get(start), values.get(end)
        if isinstance(a, datetime.date) and isinstance(b, datetime.date) and b < a:
            raise CaseRuleError(_("An end date cannot come before its start date."), code="dates")
    cost = values.get("cost_sek")
    if isinstance(cost, Decimal) and cost < 0:
        raise CaseRuleError(_("A cost cannot be negative."), code="cost")


def _youth_consent_message(case: Case, rules: YouthRules) -> str:
    return _(
        "The client is young: under the youth rules of %(municipality)s this needs the "
        "consent of a guardian, or from the age of %(age)s the young person's own. Record on "
        "the consent whose consent it is."
    ) % {"municipality": case.municipality, "age": rules.own_consent_age}


def _check_consent_givers(consent: Consent, *, case: Case, day: datetime.date) -> None:
    """A consent to share a young client's case (cases.age) is given by whom the
    municipality's youth rules require (cases.guardians.consent_givers_meet_rules)."""
    if not is_young(case.client, day):
        return
    rules = YouthRules.of(case.municipality)
    if not consent_givers_meet_rules(consent=consent, rules=rules, for_sharing=True, on=day):
        raise CaseRuleError(_youth_consent_message(case, rules), code="consent_givers")


def _check_intervention_consent(case: Case, day: datetime.date) -> None:
    """Where the municipality's youth rules need the guardians' consent for interventions, a
    young client's case needs a consent valid on `day` given as the rules say (a guardian's,
    or from their age the young person's own)."""
    if not is_young(case.client, day):
        return
    rules = YouthRules.of(case.municipality)
    if not rules.guardian_consent_for_interventions:
        return
    if not consents_meeting_rules(
        case.consents.all(), case=case, rules=rules, for_sharing=False, on=day
    ):
        raise CaseRuleError(_youth_consent_message(case, rules), code="consent_givers")


@transaction.atomic
def intervention_create(
    *, case: Case, by: User, type: InterventionType, **values: object
) -> Intervention:
    """Plan (or record) an intervention; for a young client, under the youth rules' consent."""
    _require(by, CaseAction.EDIT, case)
    unknown = set(values) - set(INTERVENTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown intervention fields {unknown}")
    _check_intervention(values)
    _check_intervention_consent(case, timezone.localdate())
    intervention = Intervention.objects.create(case=case, type=type, created_by=by, **values)
    _log(AccessAction.CREATE, by=by, case=case, obj=intervention, detail="intervention")
    return intervention


@transaction.atomic
def intervention_update(
    *,
    intervention: Intervention,
    by: User,
    seen: datetime.datetime | None = None,
    **values: object,
) -> Intervention:
    """Change an intervention. `seen` is its `updated_at` when the form was opened: if it has
    changed since (someone else saved in between), the save is refused with StaleEditError
    rather than putting back the values that person replaced."""
    _require(by, CaseAction.EDIT, intervention.case)
    locked_if_unchanged(
        Intervention.objects.select_related("type", "provider"),
        pk=intervention.pk,
        seen=seen,
        message=_(
            "Someone else changed this intervention after you opened the form. Nothing "
            "was saved: the current values are shown above, and what you typed is kept "
            "below. Check it and save again."
        ),
    )
    unknown = set(values) - set(INTERVENTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown intervention fields {unknown}")
    _check_intervention({f: values.get(f, getattr(intervention, f)) for f in INTERVENTION_FIELDS})
    for field, value in values.items():
        setattr(intervention, field, value)
    intervention.save(update_fields=[*values, "updated_at"])
    _log(
        AccessAction.CHANGE,
        by=by,
        case=intervention.case,
        obj=intervention,
        detail="intervention",
    )
    return intervention


# --- Journal ----------------------------------------------------------------------------------


@transaction.atomic
def journal_write(
    *,
    case: Case,
    by: User,
    occurred_on: datetime.date,
    category: str,
    text: str,
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    """Append an entry; a correction is a new entry pointing at the one it corrects."""
    _require(by, CaseAction.EDIT, case)
    if not text.strip():
        raise CaseRuleError(_("A journal entry needs a text."), code="empty")
    if occurred_on > timezone.localdate():
        raise CaseRuleError(_("A journal entry cannot describe a future day."), code="future")
    if corrects is not None and corrects.case_id != case.pk:
        raise CaseRuleError(_("A correction must belong to the same case."), code="case")
    entry = JournalEntry.objects.create(
        case=case,
        author=by,
        occurred_on=occurred_on,
        category=category,
        text=text.strip(),
        corrects=corrects,
    )
    detail = "journal correction" if corrects is not None else "journal entry"
    _log(AccessAction.CREATE, by=by, case=case, obj=entry, detail=detail)
    return entry


# --- Consent ----------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    case: Case,
    by: User,
    agencies: Iterable[Agency],
    information: list[str],
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    note: str = "",
) -> Consent:
    _require(by, CaseAction.EDIT, case)
    agencies = list(agencies)
    if not agencies or not information:
        raise CaseRuleError(
            _("Say which agencies and which kinds of information the consent covers."),
            code="incomplete",
        )
    if valid_until is not None and valid_until < valid_from:
        raise CaseRuleError(_("A consent cannot end before it begins."), code="dates")
    consent = Consent.objects.create(
        case=case,
        information=information,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note.strip(),
        recorded_by=by,
    )
    consent.agencies.set(agencies)
    _log(AccessAction.CREATE, by=by, case=case, obj=consent, detail="consent")
    return consent


def _consent_revoked_message(consent: Consent) -> str:
    assert consent.revoked_at is not None  # noqa: S101 (only asked of a revoked consent)
    if consent.revoked_by is None:
        return _("The consent was already revoked at %(at)s: nothing was saved.") % {
            "at": _when(consent.revoked_at)
        }
    return _("The consent was already revoked by %(by)s at %(at)s: nothing was saved.") % {
        "by": consent.revoked_by,
        "at": _when(consent.revoked_at),
    }


def _consent_changed(consent: Consent) -> str:
    if consent.revoked_at is not None:
        return _consent_revoked_message(consent)
    return _changed_since_opened()


@transaction.atomic
def consent_revoke(*, consent: Consent, by: User, seen: datetime.datetime | None = None) -> Consent:
    """Revoke a consent now. `seen` is its `updated_at` when the case page was opened:
    revoked (or changed) since, the revocation is refused with StaleEditError."""
    _require(by, CaseAction.EDIT, consent.case)
    consent = _locked(
        Consent.objects.select_related("case", "revoked_by"),
        pk=consent.pk,
        seen=seen,
        now=_consent_changed,
    )
    if consent.revoked_at is not None:
        raise CaseRuleError(_consent_revoked_message(consent), code="revoked")
    consent.revoked_at = timezone.now()
    consent.revoked_by = by
    consent.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    _log(AccessAction.CHANGE, by=by, case=consent.case, obj=consent, detail="consent revoked")
    return consent


# --- Group affiliations -----------------------------------------------------------------------


@transaction.atomic
def affiliation_add(
    *,
    case: Case,
    by: User,
    group: CriminalGroup,
    role: AffiliationRole,
    started_on: datetime.date | None,
    ended_on: datetime.date | None,
    source: str = "",
) -> GroupAffiliation:
    _require(by, CaseAction.EDIT, case)
    if started_on and ended_on and ended_on < started_on:
        raise CaseRuleError(_("An affiliation cannot end before it begins."), code="dates")
    affiliation = GroupAffiliation.objects.create(
        client=case.client,
        group=group,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
        source=source.strip(),
        recorded_by=by,
    )
    _log(AccessAction.CREATE, by=by, case=case, obj=affiliation, detail="group affiliation")
    return affiliation


# --- The contact card -------------------------------------------------------------------------


def _require_contact_card(by: User, case: Case) -> None:
    _require(by, CaseAction.EDIT, case)
    if not policy.may_see_contact_card(by, case, policy.case_access(by, case)):
        raise CaseRuleError(_("You are not allowed to do this in this case."), code="forbidden")


@transaction.atomic
def contact_card_save(
    *,
    case: Case,
    by: User,
    phone: str,
    safe_contact: SafeContact,
    times: str = "",
    note: str = "",
    seen: datetime.datetime | None = None,
) -> ContactCard:
    """Write the case's contact card (made on its first save); its history keeps each
    version. `seen` is the card's `updated_at` when the form was opened (None: opened before
    there was a card): a card changed, or made, by someone else since is refused with
    StaleEditError, holding the card as it is now."""
    _require_contact_card(by, case)
    values = {
        "phone": phone.strip(),
        "safe_contact": safe_contact,
        "times": times.strip(),
        "note": note.strip(),
        "updated_by": by,
    }
    # The case row's lock makes two first saves wait for each other: the second sees the card.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    existing = ContactCard.objects.select_for_update().filter(case=case).first()
    if existing is not None and existing.updated_at != seen:
        raise StaleEditError(current=existing)
    created = existing is None
    if existing is None:
        card = ContactCard.objects.create(case=case, **values)
    else:
        card = existing
        for field, value in values.items():
            setattr(card, field, value)
        card.save(update_fields=[*values, "updated_at"])
    _log(
        AccessAction.CREATE if created else AccessAction.CHANGE,
        by=by,
        case=case,
        obj=card,
        detail="contact card",
    )
    return card


@transaction.atomic
def contact_person_add(
    *, case: Case, by: User, name: str, relation: str, reach: str = "", note: str = ""
) -> ContactPerson:
    """Add someone of the client's network to the contact card."""
    _require_contact_card(by, case)
    if not name.strip() or not relation.strip():
        raise CaseRuleError(_("Give the person's name and relation."), code="required")
    person = ContactPerson.objects.create(
        case=case,
        name=name.strip(),
        relation=relation.strip(),
        reach=reach.strip(),
        note=note.strip(),
        created_by=by,
    )
    _log(AccessAction.CREATE, by=by, case=case, obj=person, detail="contact person")
    return person


@transaction.atomic
def contact_person_remove(
    *, person: ContactPerson, by: User, reason: str, seen: datetime.datetime | None = None
) -> ContactPerson:
    """Take a person off the client's network (no longer to be contacted): the row and its
    history stay, the contact card no longer lists them. Refused when already removed, or
    when the person changed after the page was opened (`seen`)."""
    _require_contact_card(by, person.case)
    current = locked_if_unchanged(
        ContactPerson.objects.select_related("case"), pk=person.pk, seen=seen
    )
    if current.removed_at is not None:
        raise CaseRuleError(_("This person is already removed from the network."), code="removed")
    if not reason.strip():
        raise CaseRuleError(_("Say why the person is removed."), code="required")
    current.removed_at = timezone.now()
    current.removed_by = by
    current.removal_reason = reason.strip()
    current.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])
    _log(
        AccessAction.CHANGE, by=by, case=current.case, obj=current, detail="contact person removed"
    )
    return current


# --- Sharing with the police ------------------------------------------------------------------


def _consent_covers_police(consent: Consent, region: PoliceRegion | None) -> bool:
    return any(
        agency.kind == AgencyKind.POLICE
        and (
            agency.police_region_id is None
            or region is None
            or agency.police_region_id == region.pk
        )
        for agency in consent.agencies.all()
    )


@transaction.atomic
def case_share_with_police(
    *,
    case: Case,
    by: User,
    liaison: User | None = None,
    region: PoliceRegion | None = None,
    consent: Consent | None = None,
    legal_basis: str = "",
) -> PoliceShare:
    """Share the case's shared parts with a liaison or a police region.

    Needs a consent of this case that is valid today and names the police (for a young
    client, given as the youth rules say), or a recorded legal basis; only the
    municipality's manager may share.
    """
    _require(by, CaseAction.MANAGE, case)
    if (liaison is None) == (region is None):
        raise CaseRuleError(
            _("Share with one police liaison or one police region."), code="recipient"
        )
    if liaison is not None:
        liaison_regions = policy.grants_for(liaison).police_regions
        if not liaison_regions:
            raise CaseRuleError(
                _("%(name)s is not a police liaison.") % {"name": liaison}, code="recipient"
            )
    legal_basis = legal_basis.strip()
    if consent is None and not legal_basis:
        raise CaseRuleError(
            _(
                "Sharing with the police needs a valid consent that covers the police, "
                "or a legal basis."
            ),
            code="basis",
        )
    if consent is not None:
        if consent.case_id != case.pk:
            raise CaseRuleError(_("The consent belongs to another case."), code="basis")
        target_region = region
        if target_region is None and liaison is not None:
            target_region = PoliceRegion.objects.filter(
                pk__in=policy.grants_for(liaison).police_regions
            ).first()
        if not consent.is_valid_on(timezone.localdate()) or not _consent_covers_police(
            consent, target_region
        ):
            raise CaseRuleError(
                _("The consent is not valid today or does not cover the police."), code="basis"
            )
        _check_consent_givers(consent, case=case, day=timezone.localdate())
    share = PoliceShare.objects.create(
        case=case,
        liaison=liaison,
        police_region=region,
        consent=consent,
        legal_basis=legal_basis,
        created_by=by,
    )
    policy.case_grant_police_share(case=case, liaison=liaison, region=region)
    _log(AccessAction.CHANGE, by=by, case=case, obj=share, detail="police share")
    return share


def _end_share(share: PoliceShare, *, by: User | None, reason: PoliceShareEnd) -> None:
    share.ended_at = timezone.now()
    share.ended_by = by
    share.end_reason = reason
    share.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    still_shared = PoliceShare.objects.filter(
        case_id=share.case_id,
        ended_at__isnull=True,
        liaison=share.liaison,
        police_region=share.police_region,
    ).exists()
    if not still_shared:
        policy.case_revoke_police_share(
            case=share.case, liaison=share.liaison, region=share.police_region
        )


def _share_ended_message(share: PoliceShare) -> str:
    assert share.ended_at is not None  # noqa: S101 (only asked of an ended share)
    values = {"at": _when(share.ended_at), "reason": share.get_end_reason_display() or _NOT_KNOWN}
    if share.ended_by is None:
        return _("The share already ended at %(at)s (%(reason)s): nothing was saved.") % values
    return _("The share was already ended by %(by)s at %(at)s (%(reason)s): nothing was saved.") % {
        **values,
        "by": share.ended_by,
    }


def _share_changed(share: PoliceShare) -> str:
    if share.ended_at is not None:
        return _share_ended_message(share)
    return _changed_since_opened()


@transaction.atomic
def police_share_end(
    *, share: PoliceShare, by: User, seen: datetime.datetime | None = None
) -> PoliceShare:
    """End a share with the police now. `seen` is its `updated_at` when the case page was
    opened: ended (or changed) since, the end is refused with StaleEditError."""
    _require(by, CaseAction.MANAGE, share.case)
    share = _locked(
        PoliceShare.objects.select_related("case", "liaison", "police_region", "ended_by"),
        pk=share.pk,
        seen=seen,
        now=_share_changed,
    )
    if share.ended_at is not None:
        raise CaseRuleError(_share_ended_message(share), code="ended")
    _end_share(share, by=by, reason=PoliceShareEnd.REVOKED)
    _log(AccessAction.CHANGE, by=by, case=share.case, obj=share, detail="police share ended")
    return share


@transaction.atomic
def police_shares_sweep() -> list[PoliceShare]:
    """End the shares whose consent was revoked or has expired (run by Celery beat).

    Access already ended at the revocation or expiry (the policy checks the basis on every
    request); this records it, removes the grants and writes the access log.
    """
    today = timezone.localdate()
    ended = []
    shares = (
        PoliceShare.objects.select_for_update(of=("self",))
        .filter(ended_at__isnull=True, consent__isnull=False, legal_basis="")
        .select_related("consent", "case", "liaison", "police_region")
    )
    for share in shares:
        consent = share.consent
        assert consent is not None  # noqa: S101 (filtered above)
        if consent.is_valid_on(today):
            continue
        reason = (
            PoliceShareEnd.CONSENT_REVOKED if consent.revoked_at else PoliceShareEnd.CONSENT_EXPIRED
        )
        _end_share(share, by=None, reason=reason)
        access_log_record(
            user=None,
            action=AccessAction.CHANGE,
            case=share.case,
            obj=share,
            detail=f"police share ended: {reason.value}",
        )
        ended.append(share)
    return ended


@transaction.atomic
def police_note_add(*, case: Case, by: User, text: str, threat_level: int | None) -> PoliceNote:
    """A police liaison's threat information on a shared case; the caseworkers see it."""
    _require(by, CaseAction.ADD_POLICE_NOTE, case)
    if not text.strip():
        raise CaseRuleError(_("A police note needs a text."), code="empty")
    note = PoliceNote.objects.create(
        case=case, author=by, text=text.strip(), threat_level=threat_level
    )
    _log(AccessAction.CREATE, by=by, case=case, obj=note, detail="police note")
    notification_send(
        recipients=policy.case_caseworkers(case),
        kind=NotificationKind.POLICE_NOTE_ADDED,
        case=case,
        exclude=by,
    )
    return note


# --- Transfers between municipalities ---------------------------------------------------------


@transaction.atomic
def transfer_propose(
    *, case: Case, by: User, to_municipality: Municipality, reason: str
) -> Transfer:
    _require(by, CaseAction.MANAGE, case)
    if case.state not in OPEN_STATES:
        raise CaseRuleError(_("Only an open case can be transferred."), code="closed")
    if to_municipality.pk == case.municipality_id:
        raise CaseRuleError(_("Choose another municipality."), code="same")
    if not to_municipality.runs_program:
        raise CaseRuleError(
            _("%(municipality)s has no exit program to receive the case.")
            % {"municipality": to_municipality},
            code="no_program",
        )
    if not reason.strip():
        raise CaseRuleError(_("Give a reason for the transfer."), code="reason")
    if case.transfers.filter(state=TransferState.PROPOSED).exists():
        raise CaseRuleError(
            _("A transfer of this case is already waiting for an answer."), code="open"
        )
    transfer = Transfer.objects.create(
        case=case,
        from_municipality=case.municipality,
        to_municipality=to_municipality,
        reason=reason.strip(),
        proposed_by=by,
    )
    _log(AccessAction.CHANGE, by=by, case=case, obj=transfer, detail="transfer proposed")
    notification_send(
        recipients=policy.municipality_managers(to_municipality),
        kind=NotificationKind.TRANSFER_PROPOSED,
        case=case,
        exclude=by,
    )
    return transfer


def _require_receiving_manager(transfer: Transfer, by: User) -> None:
    if not policy.may_answer_transfer(by, transfer):
        raise CaseRuleError(
            _("Only the receiving municipality's manager can answer."), code="forbidden"
        )


def _require_proposed(transfer: Transfer) -> None:
    if transfer.state != TransferState.PROPOSED:
        raise CaseRuleError(_("The transfer has already been answered."), code="answered")


def _transfer_decided_message(transfer: Transfer) -> str:
    """What became of a transfer no longer waiting for an answer, and who decided when."""
    values = {
        "reference": transfer.case.reference,
        "by": transfer.decided_by or _NOT_KNOWN,
        "at": _when(transfer.decided_at) if transfer.decided_at else _NOT_KNOWN,
    }
    if transfer.state == TransferState.ACCEPTED:
        message = _(
            "The transfer of case %(reference)s was already accepted by %(by)s at %(at)s: "
            "nothing was saved."
        )
    elif transfer.state == TransferState.DECLINED:
        message = _(
            "The transfer of case %(reference)s was already declined by %(by)s at %(at)s: "
            "nothing was saved."
        )
    else:
        message = _(
            "The transfer of case %(reference)s was already withdrawn by %(by)s at %(at)s: "
            "nothing was saved."
        )
    return message % values


def _transfer_changed(transfer: Transfer) -> str:
    if transfer.state != TransferState.PROPOSED:
        return _transfer_decided_message(transfer)
    return _changed_since_opened()


def _locked_transfer(transfer: Transfer, seen: datetime.datetime | None) -> Transfer:
    return _locked(
        Transfer.objects.select_related("case", "case__client", "to_municipality", "decided_by"),
        pk=transfer.pk,
        seen=seen,
        now=_transfer_changed,
    )


def _client_in_receiving_municipality(client: Client, municipality: Municipality) -> Client:
    """The receiving municipality's client row for the person of a moved case.

    Its own client with the same identity number if it has one, else a copy of the sending
    row; either way it gets copies of the sending row's group affiliations (they belong to
    the case's history). From then on the two rows are separate: a change made in one
    municipality never shows in the other.
    """
    target = None
    if client.identity_number:
        target = Client.objects.filter(
            municipality=municipality, identity_number=client.identity_number
        ).first()
    if target is None:
        target = Client.objects.create(
            municipality=municipality,
            first_name=client.first_name,
            last_name=client.last_name,
            identity_number=client.identity_number,
            pseudonym=identity_pseudonym(client.identity_number),
            reserve_identity=client.reserve_identity,
            birth_date=client.birth_date,
            age_band=client.age_band,
            age_band_on=client.age_band_on,
            protected_identity=client.protected_identity,
            address=client.address,
            created_at=client.created_at,
        )
    GroupAffiliation.objects.bulk_create(
        GroupAffiliation(
            client=target,
            group_id=a.group_id,
            role=a.role,
            started_on=a.started_on,
            ended_on=a.ended_on,
            source=a.source,
            recorded_by_id=a.recorded_by_id,
            recorded_at=a.recorded_at,
        )
        for a in client.affiliations.order_by("pk")
    )
    return target


@transaction.atomic
def transfer_accept(
    *, transfer: Transfer, by: User, note: str = "", seen: datetime.datetime | None = None
) -> Transfer:
    """Move the case: ownership and visibility go to the receiving municipality.

    The old team loses access (visibility follows the case's municipality); per-case grants
    are reviewed: assignments end, and police shares end (the new manager shares anew).
    The history (journal, decisions, records) stays with the case. The client record does
    not cross the line: the case gets the receiving municipality's own client row (see
    `_client_in_receiving_municipality`), and the sending municipality keeps its row for
    its other cases.

    `seen` is the transfer's `updated_at` when the list was opened: answered or withdrawn
    since, the answer is refused with StaleEditError (saying what became of it), as in
    `transfer_decline` and `transfer_withdraw`.
    """
    _require_receiving_manager(transfer, by)
    transfer = _locked_transfer(transfer, seen)
    _require_proposed(transfer)
    case = transfer.case
    sending_client = case.client
    case.client = _client_in_receiving_municipality(sending_client, transfer.to_municipality)
    guardians_move_with_case(case=case, source=sending_client)  # issue 12
    case.municipality = transfer.to_municipality
    # One UPDATE: the database checks that the case's client is of the case's municipality.
    case.save(update_fields=["client", "municipality", "updated_at"])
    if not sending_client.cases.exists():
        # The moved case was its only one: nothing of the sending municipality refers to the
        # row any more, and a row nobody can reach is not kept.
        sending_client.delete()
    CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename=policy.ASSIGNMENT_PERM
    ).delete()
    for share in case.police_shares.filter(ended_at__isnull=True):
        _end_share(share, by=by, reason=PoliceShareEnd.TRANSFERRED)
    transfer.state = TransferState.ACCEPTED
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.decision_note = note.strip()
    transfer.save(
        update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    _notify_transfer_answered(transfer, by=by)
    return transfer


def _notify_transfer_answered(transfer: Transfer, *, by: User) -> None:
    """The proposer hears that the transfer was answered (the list says only that, and the
    case's reference: after an acceptance the case is no longer theirs to read)."""
    notification_send(
        recipients=[transfer.proposed_by],
        kind=NotificationKind.TRANSFER_ANSWERED,
        case=transfer.case,
        exclude=by,
    )


@transaction.atomic
def transfer_decline(
    *, transfer: Transfer, by: User, note: str, seen: datetime.datetime | None = None
) -> Transfer:
    _require_receiving_manager(transfer, by)
    transfer = _locked_transfer(transfer, seen)
    _require_proposed(transfer)
    if not note.strip():
        raise CaseRuleError(_("Say why the transfer is declined."), code="reason")
    transfer.state = TransferState.DECLINED
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.decision_note = note.strip()
    transfer.save(
        update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    _log(AccessAction.CHANGE, by=by, case=transfer.case, obj=transfer, detail="transfer declined")
    _notify_transfer_answered(transfer, by=by)
    return transfer


@transaction.atomic
def transfer_withdraw(
    *, transfer: Transfer, by: User, seen: datetime.datetime | None = None
) -> Transfer:
    """Withdraw a proposal without an answer. `seen` is the transfer's `updated_at` when the
    page was opened: answered since, the withdrawal is refused with StaleEditError.

    Only the sending municipality's manager withdraws: asked of the municipality rather than
    of the case, which after an acceptance belongs to the receiving one (and the sending
    manager is then told it was accepted, not that they may not act in the case)."""
    if not policy.is_manager_of(by, transfer.from_municipality):
        raise CaseRuleError(_("You are not allowed to do this in this case."), code="forbidden")
    transfer = _locked_transfer(transfer, seen)
    if transfer.state != TransferState.PROPOSED:
        raise CaseRuleError(_transfer_decided_message(transfer), code="answered")
    transfer.state = TransferState.WITHDRAWN
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    _log(AccessAction.CHANGE, by=by, case=transfer.case, obj=transfer, detail="transfer withdrawn")
    return transfer


# --- Placements -------------------------------------------------------------------------------

# Imported here because this section was appended while others edited the file.


@transaction.atomic
def placement_add(
    *,
    case: Case,
    by: User,
    municipality: Municipality,
    kind: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
) -> Placement:
    """Record where the client lives during the case: a municipality, a kind and a period."""
    _require(by, CaseAction.EDIT, case)
    if kind not in PlacementKind.values:
        raise CaseRuleError(_("Choose a kind of placement."), code="kind")
    if ended_on is not None and ended_on < started_on:
        raise CaseRuleError(_("A placement cannot end before it starts."), code="period")
    placement = Placement.objects.create(
        case=case,
        municipality=municipality,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        recorded_by=by,
    )
    # The police home reads this entry to tell a liaison about the placement.
    _log(AccessAction.CREATE, by=by, case=case, obj=placement, detail="placement")
    return placement


# --- Corrections: reopening, ending and correcting records (issue 11) -------------------------
# Each step takes the row with `locked_if_unchanged`: a form opened before someone else saved
# is refused with StaleEditError (its page shows the record as it is now beside the input).
# The history of every record here is kept by its `<Model>History` table (cases.history).

ENDED_INTERVENTION_STATES = frozenset({InterventionStatus.COMPLETED, InterventionStatus.CANCELLED})


def _not_in_future(day: datetime.date | None, message: str) -> None:
    if day is not None and day > timezone.localdate():
        raise CaseRuleError(message, code="future")


@transaction.atomic
def need_reopen(
    *, case_need: CaseNeed, by: User, seen: datetime.datetime | None = None
) -> CaseNeed:
    """Open a resolved need again (it was marked as met by mistake, or the need came back)."""
    _require(by, CaseAction.EDIT, case_need.case)
    case_need = locked_if_unchanged(
        CaseNeed.objects.select_related("case", "need"), pk=case_need.pk, seen=seen
    )
    if case_need.resolved_on is None:
        raise CaseRuleError(_("The need is open already: nothing was saved."), code="open")
    others = CaseNeed.objects.filter(
        case_id=case_need.case_id, need_id=case_need.need_id, resolved_on__isnull=True
    )
    if others.exists():
        raise CaseRuleError(
            _("The need “%(need)s” is already open in this case.") % {"need": case_need.need.label},
            code="duplicate",
        )
    case_need.resolved_on = None
    case_need.save(update_fields=["resolved_on", "updated_at"])
    _log(AccessAction.CHANGE, by=by, case=case_need.case, obj=case_need, detail="need reopened")
    return case_need


@transaction.atomic
def intervention_end(
    *,
    intervention: Intervention,
    by: User,
    status: str,
    ended_on: datetime.date,
    outcome: str = "",
    seen: datetime.datetime | None = None,
) -> Intervention:
    """End an intervention: completed or cancelled, on `ended_on`, with its outcome if known."""
    _require(by, CaseAction.EDIT, intervention.case)
    intervention = locked_if_unchanged(
        Intervention.objects.select_related("case", "type", "provider"),
        pk=intervention.pk,
        seen=seen,
    )
    if status not in ENDED_INTERVENTION_STATES:
        raise CaseRuleError(_("Choose whether it was completed or cancelled."), code="status")
    if intervention.status in ENDED_INTERVENTION_STATES:
        raise CaseRuleError(
            _("The intervention has ended already (%(status)s): nothing was saved.")
            % {"status": intervention.get_status_display()},
            code="ended",
        )
    if outcome and outcome not in InterventionOutcome.values:
        raise CaseRuleError(_("Choose an outcome from the list."), code="outcome")
    _not_in_future(ended_on, _("An intervention cannot end in the future."))
    if intervention.actual_start is not None and ended_on < intervention.actual_start:
        raise CaseRuleError(_("An end date cannot come before its start date."), code="dates")
    intervention.status = status
    intervention.actual_end = ended_on
    fields = ["status", "actual_end", "updated_at"]
    if outcome:
        intervention.outcome = outcome
        fields.append("outcome")
    intervention.save(update_fields=fields)
    _log(
        AccessAction.CHANGE,
        by=by,
        case=intervention.case,
        obj=intervention,
        detail="intervention ended",
    )
    return intervention


@transaction.atomic
def consent_correct(
    *,
    consent: Consent,
    by: User,
    information: list[str],
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    note: str = "",
    seen: datetime.datetime | None = None,
) -> Consent:
    """Correct what was recorded of a consent (its kinds of information, period and note).

    The agencies are not changed here: a consent to other agencies is a new consent. A
    revoked consent is kept as it was when it was revoked.
    """
    _require(by, CaseAction.EDIT, consent.case)
    consent = locked_if_unchanged(
        Consent.objects.select_related("case", "revoked_by"), pk=consent.pk, seen=seen
    )
    if consent.revoked_at is not None:
        raise CaseRuleError(_consent_revoked_message(consent), code="revoked")
    if not information:
        raise CaseRuleError(
            _("Say which kinds of information the consent covers."), code="incomplete"
        )
    if valid_until is not None and valid_until < valid_from:
        raise CaseRuleError(_("A consent cannot end before it begins."), code="dates")
    consent.information = list(information)
    consent.valid_from = valid_from
    consent.valid_until = valid_until
    consent.note = note.strip()
    consent.save(update_fields=["information", "valid_from", "valid_until", "note", "updated_at"])
    _log(AccessAction.CHANGE, by=by, case=consent.case, obj=consent, detail="consent corrected")
    return consent


def _affiliation_locked(
    affiliation: GroupAffiliation, case: Case, seen: datetime.datetime | None
) -> GroupAffiliation:
    if affiliation.client_id != case.client_id:
        raise CaseRuleError(_("The affiliation is not this client's."), code="client")
    return locked_if_unchanged(
        GroupAffiliation.objects.select_related("group"), pk=affiliation.pk, seen=seen
    )


@transaction.atomic
def affiliation_correct(
    *,
    affiliation: GroupAffiliation,
    case: Case,
    by: User,
    group: CriminalGroup,
    role: AffiliationRole,
    started_on: datetime.date | None,
    ended_on: datetime.date | None,
    source: str = "",
    seen: datetime.datetime | None = None,
) -> GroupAffiliation:
    """Correct a group affiliation of the case's client (from the case, logged on it)."""
    _require(by, CaseAction.EDIT, case)
    affiliation = _affiliation_locked(affiliation, case, seen)
    if started_on and ended_on and ended_on < started_on:
        raise CaseRuleError(_("An affiliation cannot end before it begins."), code="dates")
    affiliation.group = group
    affiliation.role = role
    affiliation.started_on = started_on
    affiliation.ended_on = ended_on
    affiliation.source = source.strip()
    affiliation.save(
        update_fields=["group", "role", "started_on", "ended_on", "source", "updated_at"]
    )
    _log(
        AccessAction.CHANGE,
        by=by,
        case=case,
        obj=affiliation,
        detail="group affiliation corrected",
    )
    return affiliation


@transaction.atomic
def affiliation_end(
    *,
    affiliation: GroupAffiliation,
    case: Case,
    by: User,
    ended_on: datetime.date,
    seen: datetime.datetime | None = None,
) -> GroupAffiliation:
    """Record that the client's affiliation ended on `ended_on`."""
    _require(by, CaseAction.EDIT, case)
    affiliation = _affiliation_locked(affiliation, case, seen)
    if affiliation.ended_on is not None:
        raise CaseRuleError(
            _("The affiliation has ended already, on %(date)s: nothing was saved.")
            % {"date": affiliation.ended_on},
            code="ended",
        )
    _not_in_future(ended_on, _("An affiliation cannot be ended in the future."))
    if affiliation.started_on is not None and ended_on < affiliation.started_on:
        raise CaseRuleError(_("An affiliation cannot end before it begins."), code="dates")
    affiliation.ended_on = ended_on
    affiliation.save(update_fields=["ended_on", "updated_at"])
    _log(AccessAction.CHANGE, by=by, case=case, obj=affiliation, detail="group affiliation ended")
    return affiliation


@transaction.atomic
def placement_correct(
    *,
    placement: Placement,
    by: User,
    municipality: Municipality,
    kind: str,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    seen: datetime.datetime | None = None,
) -> Placement:
    """Correct where and how the client lives or lived during the case."""
    _require(by, CaseAction.EDIT, placement.case)
    placement = locked_if_unchanged(
        Placement.objects.select_related("case", "municipality"), pk=placement.pk, seen=seen
    )
    if kind not in PlacementKind.values:
        raise CaseRuleError(_("Choose a kind of placement."), code="kind")
    if ended_on is not None and ended_on < started_on:
        raise CaseRuleError(_("A placement cannot end before it starts."), code="period")
    placement.municipality = municipality
    placement.kind = kind
    placement.started_on = started_on
    placement.ended_on = ended_on
    placement.save(update_fields=["municipality", "kind", "started_on", "ended_on", "updated_at"])
    _log(
        AccessAction.CHANGE, by=by, case=placement.case, obj=placement, detail="placement corrected"
    )
    return placement


@transaction.atomic
def placement_end(
    *,
    placement: Placement,
    by: User,
    ended_on: datetime.date,
    seen: datetime.datetime | None = None,
) -> Placement:
    """Record that the client moved out of the placement on `ended_on`."""
    _require(by, CaseAction.EDIT, placement.case)
    placement = locked_if_unchanged(
        Placement.objects.select_related("case", "municipality"), pk=placement.pk, seen=seen
    )
    if placement.ended_on is not None:
        raise CaseRuleError(
            _("The placement has ended already, on %(date)s: nothing was saved.")
            % {"date": placement.ended_on},
            code="ended",
        )
    _not_in_future(ended_on, _("A placement cannot be ended in the future."))
    if ended_on < placement.started_on:
        raise CaseRuleError(_("A placement cannot end before it starts."), code="period")
    placement.ended_on = ended_on
    placement.save(update_fields=["ended_on", "updated_at"])
    _log(AccessAction.CHANGE, by=by, case=placement.case, obj=placement, detail="placement ended")
    return placement


# --- Saved caseload filters -------------------------------------------------------------------


def caseload_filter_save(*, user: User, name: str, query: str) -> SavedCaseloadFilter:
    """Save the caseload's query parameters `query` under `name` for `user` alone; a filter
    of the same name is replaced. The caller passes only the list's parameters (never the
    search: it may hold an identity number)."""
    with transaction.atomic():
        saved, _created = SavedCaseloadFilter.objects.update_or_create(
            user=user, name=name, defaults={"query": query}
        )
        access_log_record(
            user=user, action=AccessAction.CREATE, obj=saved, detail="saved caseload filter"
        )
    return saved


def caseload_filter_delete(*, user: User, saved: SavedCaseloadFilter) -> None:
    """Delete one of the user's own saved filters (the view fetched it through the policy)."""
    if saved.user_id != user.pk:
        raise CaseRuleError(_("Only the one who saved a filter may delete it."))
    with transaction.atomic():
        access_log_record(
            user=user, action=AccessAction.CHANGE, obj=saved, detail="saved caseload filter deleted"
        )
        saved.delete()
