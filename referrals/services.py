"""Every write on referrals that is a business step.

Like `cases.services`, each service checks the permission policy itself, runs in one
transaction and raises `CaseRuleError` with a message for the user when a rule says no.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.policy import CaseAction
from accounts.models import Municipality, User
from agencies.models import Agency
from audit.models import AccessAction
from audit.services import access_log_record
from cases.identity import normalise_identity_number
from cases.models import Case, IntakeSource
from cases.services import (
    CaseRuleError,
    case_open,
    client_find_by_identity_number,
    registered_elsewhere_message,
)
from exitprog.concurrency import StaleEditError, locked_if_unchanged
from notifications.models import NotificationKind
from notifications.services import notification_send
from referrals.models import (
    STATE_TIMESTAMPS,
    LetterLanguage,
    Referral,
    ReferralDirection,
    ReferralEvent,
    ReferralState,
)

S = ReferralState

# The state a referral is in -> the states it may move to.
TRANSITIONS: dict[ReferralState, tuple[ReferralState, ...]] = {
    S.DRAFT: (S.SENT, S.WITHDRAWN),
    # Agencies often answer without acknowledging first.
    S.SENT: (S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN),
    S.ACKNOWLEDGED: (S.ACCEPTED, S.DECLINED, S.WITHDRAWN),
    S.ACCEPTED: (S.STARTED, S.WITHDRAWN),
    S.STARTED: (S.COMPLETED,),
}

# The states that record the agency's answer: their note is kept as `answer_note`.
ANSWER_STATES = frozenset({S.ACCEPTED, S.DECLINED})


def next_states(state: str) -> tuple[ReferralState, ...]:
    """The states a referral in `state` may move to (none once it is closed)."""
    return TRANSITIONS.get(ReferralState(state), ())


def _require_edit(user: User, case: Case) -> None:
    if not policy.may(user, CaseAction.EDIT, case):
        raise CaseRuleError(
            _("Only the assigned caseworker or a manager can handle the case's referrals."),
            code="forbidden",
        )


class ConsentMissingError(CaseRuleError):
    """Sending was refused because no valid consent covers the agency: the sender is warned
    and may confirm to send anyway (`referral_transition(..., without_consent=True)`)."""


def _consent_covers(referral: Referral) -> bool:
    # The one rule ("a consent valid today names the agency") is the selector's, which
    # imports this module (`next_states`): imported here, when it is asked.
    from referrals.selectors import consent_covers

    return consent_covers(case=referral.case, agency=referral.agency, today=timezone.localdate())


@transaction.atomic
def referral_create(
    *,
    case: Case,
    by: User,
    agency: Agency,
    purpose: str,
    letter_language: str = LetterLanguage.SWEDISH,
) -> Referral:
    """A draft referral from `case` to `agency`, its letter in `letter_language`; it is sent
    by `referral_transition`."""
    _require_edit(by, case)
    if letter_language not in LetterLanguage.values:
        raise CaseRuleError(_("Choose the language of the letter."), code="letter_language")
    if not agency.active:
        raise CaseRuleError(_("The agency is no longer active."), code="agency_inactive")
    if not purpose.strip():
        raise CaseRuleError(_("Describe the purpose of the referral."), code="purpose")
    if not case.is_open:
        raise CaseRuleError(_("A closed case cannot get new referrals."), code="case_closed")
    referral = Referral.objects.create(
        case=case,
        agency=agency,
        direction=ReferralDirection.OUTBOUND,
        state=S.DRAFT,
        purpose=purpose.strip(),
        letter_language=letter_language,
        created_by=by,
    )
    access_log_record(
        user=by, action=AccessAction.CREATE, case=case, obj=referral, detail="referral"
    )
    return referral


def stale_move_message(current: Referral) -> str:
    """Why a move chosen on an older page was refused, naming the referral's state now."""
    return _(
        "Someone else changed the referral to %(agency)s after you opened the page: it is "
        "now “%(state)s”. Nothing was saved. Your choice and note are kept below; check "
        "them against the current state and save again."
    ) % {"agency": current.agency, "state": current.get_state_display()}


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    to_state: ReferralState,
    by: User,
    note: str = "",
    seen: datetime.datetime | None = None,
    without_consent: bool = False,
) -> Referral:
    """Move `referral` to `to_state`, recording who, when and the note.

    Steps: lock the row, refused with StaleEditError if it changed after `seen` (its
    `updated_at` when the page was opened: someone else moved it on in between); check that
    the user may edit the case and that the move is legal; sending an outbound referral that
    no valid consent covers is refused with ConsentMissingError unless the sender confirmed
    it (`without_consent`), and then the event and the access log say so; set the state and,
    the first time
    the state is entered, its timestamp; keep the note of an answer (accepted or declined) as
    the agency's answer; write a `ReferralEvent`.
    """
    try:
        referral = locked_if_unchanged(
            Referral.objects.select_related("case", "agency"), pk=referral.pk, seen=seen
        )
    except StaleEditError as exc:
        _require_edit(by, exc.current.case)
        raise StaleEditError(stale_move_message(exc.current), current=exc.current) from None
    _require_edit(by, referral.case)
    from_state = ReferralState(referral.state)
    to_state = ReferralState(to_state)
    if to_state not in next_states(from_state):
        raise CaseRuleError(
            _("A referral in state “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": from_state.label, "to": to_state.label},
            code="illegal_transition",
        )
    unconsented = (
        to_state == S.SENT
        and referral.direction == ReferralDirection.OUTBOUND
        and not _consent_covers(referral)
    )
    if unconsented and not without_consent:
        raise ConsentMissingError(
            _(
                "No valid consent covers %(agency)s: the letter will say nothing about the "
                "client. Confirm that you send it anyway."
            )
            % {"agency": referral.agency},
            code="no_consent",
        )
    now = timezone.now()
    note = note.strip()
    referral.state = to_state
    fields = ["state"]
    stamp = STATE_TIMESTAMPS.get(to_state)
    if stamp is not None and getattr(referral, stamp) is None:
        setattr(referral, stamp, now)
        fields.append(stamp)
    if to_state in ANSWER_STATES and note:
        referral.answer_note = note
        fields.append("answer_note")
    referral.save(update_fields=[*fields, "updated_at"])
    ReferralEvent.objects.create(
        referral=referral,
        from_state=from_state,
        to_state=to_state,
        at=now,
        by=by,
        note=note,
        without_consent=unconsented,
    )
    access_log_record(
        user=by,
        action=AccessAction.CHANGE,
        case=referral.case,
        obj=referral,
        detail="referral sent without consent" if unconsented else f"referral {to_state.value}",
    )
    if to_state in ANSWER_STATES:
        # The case's other caseworkers hear that the agency answered (the one recording it
        # knows).
        notification_send(
            recipients=policy.case_caseworkers(referral.case),
            kind=NotificationKind.REFERRAL_ANSWERED,
            case=referral.case,
            exclude=by,
        )
    return referral


@transaction.atomic
def referral_receive_inbound(
    *,
    by: User,
    municipality: Municipality,
    agency: Agency,
    first_name: str,
    last_name: str,
    identity_number: str = "",
    reserve_identity: str = "",
    protected_identity: bool = False,
    purpose: str,
) -> Referral:
    """An agency's referral into the program: open an inquiry and record the referral.

    `case_open` checks that the user may open intakes in `municipality`; the referral is
    acknowledged at once, since the program has it in hand. A number already registered in
    `municipality` reuses that client when the user may read it (the same lookup as the
    intake's, `client_find_by_identity_number`), and is refused when they may not; another
    municipality's clients are never looked at. Never a second client row.
    """
    if not purpose.strip():
        raise CaseRuleError(_("Describe the purpose of the referral."), code="purpose")
    number = normalise_identity_number(identity_number) if identity_number.strip() else ""
    match = client_find_by_identity_number(by=by, municipality=municipality, identity_number=number)
    if match.hidden:
        raise CaseRuleError(registered_elsewhere_message(municipality), code="registered")
    case = case_open(
        by=by,
        municipality=municipality,
        first_name=first_name,
        last_name=last_name,
        identity_number=number,
        reserve_identity=reserve_identity,
        protected_identity=protected_identity,
        source=IntakeSource.OTHER_AGENCY,
        reason=purpose.strip(),
        existing_client=match.client,
    )
    case.source_agency = agency
    case.save(update_fields=["source_agency", "updated_at"])
    now = timezone.now()
    referral = Referral.objects.create(
        case=case,
        agency=agency,
        direction=ReferralDirection.INBOUND,
        state=S.ACKNOWLEDGED,
        purpose=purpose.strip(),
        created_by=by,
        sent_at=now,
        acknowledged_at=now,
    )
    ReferralEvent.objects.create(
        referral=referral, from_state="", to_state=S.ACKNOWLEDGED, at=now, by=by
    )
    access_log_record(
        user=by, action=AccessAction.CREATE, case=case, obj=referral, detail="inbound referral"
    )
    return referral
