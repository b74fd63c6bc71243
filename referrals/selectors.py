"""Reads of referrals: figures (waiting days, unanswered), lists for a user, the letter.

Every list for a user starts from `policy.cases_visible_to`, so a referral is shown only to
those who may read its case.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
)
from django.db.models.functions import Now
from django.utils import timezone

from access import policy
from access.policy import AnyUser
from accounts.models import YouthRules
from agencies.models import Agency, AgencyKind
from cases.age import is_young
from cases.guardian_selectors import guardians_safe_to_contact
from cases.guardians import consents_meeting_rules
from cases.models import (
    Case,
    CaseNeed,
    Consent,
    GroupAffiliation,
    InformationKind,
    Intervention,
    Placement,
    ThreatAssessment,
)
from referrals.models import Referral, ReferralDirection, ReferralState
from referrals.services import next_states

# --- Figures ----------------------------------------------------------------------------------


def waiting_days(referral: Referral, *, today: datetime.date) -> int | None:
    """Days from sent to started, or to `today` while not started; None before it is sent."""
    if referral.sent_at is None:
        return None
    end = timezone.localdate(referral.started_at) if referral.started_at else today
    return (end - timezone.localdate(referral.sent_at)).days


def is_unanswered(referral: Referral, *, today: datetime.date, days: int) -> bool:
    """Sent, with no acknowledgement, acceptance or decline, more than `days` days ago."""
    if referral.state != ReferralState.SENT or referral.sent_at is None:
        return False
    return (today - timezone.localdate(referral.sent_at)).days > days


def _answer_deadline() -> ExpressionWrapper:
    """Now minus the case municipality's days to wait for an answer (for a Referral query)."""
    return ExpressionWrapper(
        Now()
        - ExpressionWrapper(
            F("case__municipality__referral_answer_days") * datetime.timedelta(days=1),
            output_field=DurationField(),
        ),
        output_field=DateTimeField(),
    )


def _unanswered() -> QuerySet[Referral]:
    """Outbound referrals sent longer ago than their municipality waits for an answer.

    Compared by timestamp (now minus N days), so a referral sent on the morning of the N-th
    day back counts from that hour on; `is_unanswered` compares calendar days.
    """
    return Referral.objects.filter(
        direction=ReferralDirection.OUTBOUND,
        state=ReferralState.SENT,
        sent_at__lt=_answer_deadline(),
    )


def unanswered_referrals_exist() -> Exists:
    """For annotating Cases: True when the case has an overdue unanswered referral."""
    return Exists(_unanswered().filter(case=OuterRef("pk")))


# --- Rows for pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    waiting_days: int | None
    unanswered: bool
    answer_days: int
    next_states: tuple[ReferralState, ...] = field(default=())


def _rows(referrals: Iterable[Referral], *, today: datetime.date) -> list[ReferralRow]:
    rows = []
    for referral in referrals:
        days = referral.case.municipality.referral_answer_days
        rows.append(
            ReferralRow(
                referral=referral,
                waiting_days=waiting_days(referral, today=today),
                unanswered=is_unanswered(referral, today=today, days=days),
                answer_days=days,
                next_states=next_states(referral.state),
            )
        )
    return rows


def open_referral_states() -> tuple[ReferralState, ...]:
    """The states of a referral that is still open: those the state machine lets it leave
    (`services.next_states`); declined, completed and withdrawn are closed."""
    return tuple(state for state in ReferralState if next_states(state))


def open_referrals_for_case(*, case: Case) -> list[Referral]:
    """The case's referrals still open (a draft, sent, answered or started), oldest first
    (one query): what the closing checklist lists."""
    return list(
        Referral.objects.filter(case=case, state__in=open_referral_states())
        .select_related("agency")
        .order_by("created_at", "pk")
    )


def referrals_for_case(*, case: Case) -> QuerySet[Referral]:
    return Referral.objects.filter(case=case).select_related("agency")


def case_referral_rows(*, case: Case, today: datetime.date) -> list[ReferralRow]:
    """The referrals of `case` for its page, with their figures (one query)."""
    referrals = list(referrals_for_case(case=case))
    for referral in referrals:
        referral.case = case  # the caller's case already holds its municipality
    return _rows(referrals, today=today)


def police_referrals_for_case(*, case: Case) -> list[Referral]:
    """The case's referrals between the program and the police, as a liaison may see them:
    no drafts, and only the agency, direction, state and date (never the purpose)."""
    return list(
        Referral.objects.filter(case=case, agency__kind=AgencyKind.POLICE)
        .exclude(state=ReferralState.DRAFT)
        .select_related("agency")
        .only("id", "case_id", "direction", "state", "sent_at", "agency__name")
        .order_by("-sent_at", "-id")
    )


def referral_rows(referrals: Iterable[Referral], *, today: datetime.date) -> list[ReferralRow]:
    """Rows of referrals fetched with their case and its municipality."""
    return _rows(referrals, today=today)


def overdue_referrals_for(
    *, user: AnyUser, today: datetime.date, limit: int = 50
) -> list[ReferralRow]:
    """Unanswered outbound referrals of the cases a manager manages, oldest first (one query
    once the user's grants are read)."""
    managed = policy.managed_municipality_ids(user)
    if not managed:
        return []
    referrals = (
        _unanswered()
        .filter(case__in=policy.cases_visible_to(user), case__municipality_id__in=managed)
        .select_related("agency", "case", "case__municipality")
        .order_by("sent_at", "pk")[:limit]
    )
    return _rows(referrals, today=today)


def referral_list_for(
    *, user: AnyUser, state: str | None = None, unanswered: bool = False
) -> QuerySet[Referral]:
    """The referrals of the cases the user may read, newest first, for the list page."""
    referrals = _unanswered() if unanswered else Referral.objects.all()
    referrals = referrals.filter(case__in=policy.cases_visible_to(user))
    if state:
        referrals = referrals.filter(state=state)
    return referrals.select_related("agency", "case", "case__municipality").order_by(
        "-created_at", "-pk"
    )


def referral_get_with_case(*, referral_id: int) -> Referral | None:
    """The referral with its agency, for views that then ask the policy about its case."""
    return Referral.objects.select_related("agency", "created_by").filter(pk=referral_id).first()


# --- The letter -------------------------------------------------------------------------------


def consents_covering(*, case: Case, agency: Agency, today: datetime.date) -> list[Consent]:
    """The case's consents that are valid on `today` (`Consent.is_valid_on`) and name
    `agency`: the one rule of "a valid consent covers the agency" (one query). For a young
    client (cases.age) only those given as the municipality's youth rules say for sharing
    count (`consent_givers_meet_rules`: two queries more)."""
    consents = Consent.objects.filter(case=case, agencies=agency)
    if not is_young(case.client, today):
        return [consent for consent in consents if consent.is_valid_on(today)]
    return consents_meeting_rules(
        consents, case=case, rules=YouthRules.of(case.municipality), for_sharing=True, on=today
    )


def consent_covers(*, case: Case, agency: Agency, today: datetime.date) -> bool:
    """Does a valid consent cover `agency`? (The warning before a referral is sent.)"""
    return bool(consents_covering(case=case, agency=agency, today=today))


def consented_information(*, case: Case, agency: Agency, today: datetime.date) -> set[str]:
    """The kinds of information the client's consents valid today allow for `agency`."""
    kinds: set[str] = set()
    for consent in consents_covering(case=case, agency=agency, today=today):
        kinds.update(consent.information)
    return kinds


def referral_letter_context(*, referral: Referral, today: datetime.date) -> dict[str, Any]:
    """What the referral letter may say: only what a valid consent allows for its agency.

    Identity is withheld entirely for a client with a protected identity.
    """
    case = referral.case
    client = case.client
    kinds = consented_information(case=case, agency=referral.agency, today=today)
    context: dict[str, Any] = {
        "referral": referral,
        "case": case,
        "today": today,
        "has_consent": bool(kinds),
        "kinds": kinds,
        "protected_identity": client.protected_identity,
    }
    if InformationKind.IDENTITY in kinds and not client.protected_identity:
        context["identity"] = {
            "name": client.full_name,
            "identity_number": client.identity_number,
            "reserve_identity": client.reserve_identity,
        }
        # A young client's guardians, only those safe to contact: the contact of a guardian
        # who may be a threat, or part of the group, never goes into a letter. Never in a
        # letter to the police either (the guardians are no shared part, DOMAIN.md).
        if referral.agency.kind != AgencyKind.POLICE and is_young(client, today):
            context["guardians"] = guardians_safe_to_contact(case=case)
    if InformationKind.THREAT in kinds:
        context["threat"] = ThreatAssessment.objects.filter(case=case).first()
    if InformationKind.GROUP in kinds:
        context["affiliations"] = list(
            GroupAffiliation.objects.filter(client=client).select_related("group")
        )
    if InformationKind.PLACEMENT in kinds:
        context["placements"] = list(
            Placement.objects.filter(case=case).select_related("municipality")
        )
    if InformationKind.INTERVENTIONS in kinds:
        context["interventions"] = list(
            Intervention.objects.filter(case=case).select_related("type", "provider")
        )
    if InformationKind.HEALTH in kinds:
        context["health_needs"] = list(
            CaseNeed.objects.filter(
                case=case, need__is_health=True, resolved_on__isnull=True
            ).select_related("need")
        )
    if InformationKind.REFERRALS in kinds:
        context["other_referrals"] = list(
            Referral.objects.filter(case=case).exclude(pk=referral.pk).select_related("agency")
        )
    return context
