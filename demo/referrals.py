"""Synthetic referrals for the demo data (called from `seed_demo`).

Written straight to the tables, not through the services: the demo needs timestamps in the
past, and the services stamp "now".
"""

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from cases.models import Case, CaseState
from referrals.models import (
    STATE_TIMESTAMPS,
    Referral,
    ReferralDirection,
    ReferralEvent,
    ReferralState,
)

S = ReferralState

# The paths a referral takes from draft to where it ends, with how often each is picked.
_PATHS: tuple[tuple[int, tuple[ReferralState, ...]], ...] = (
    (2, ()),  # still a draft
    (4, (S.SENT,)),  # waiting for an answer; the old ones show as overdue
    (2, (S.SENT, S.ACKNOWLEDGED)),
    (2, (S.SENT, S.ACCEPTED)),
    (2, (S.SENT, S.ACKNOWLEDGED, S.DECLINED)),
    (1, (S.SENT, S.DECLINED)),
    (3, (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.STARTED)),
    (2, (S.SENT, S.ACCEPTED, S.STARTED)),
    (3, (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.STARTED, S.COMPLETED)),
    (1, (S.SENT, S.WITHDRAWN)),
    (1, (S.WITHDRAWN,)),
)

# Days from one step to the next (the wait for starting is the long one).
_GAPS: dict[ReferralState, tuple[int, int]] = {
    S.SENT: (0, 4),
    S.ACKNOWLEDGED: (1, 10),
    S.ACCEPTED: (2, 20),
    S.DECLINED: (2, 25),
    S.STARTED: (5, 90),
    S.COMPLETED: (20, 150),
    S.WITHDRAWN: (1, 30),
}

_PURPOSES = (
    "Ansökan om skyddat boende under utslussningen.",
    "Skuldrådgivning och kontakt med Kronofogden om avbetalningsplan.",
    "Bedömning av traumabehandling.",
    "Stöd till arbete eller studier via arbetsmarknadsinsats.",
    "Behandling för missbruk, öppenvård.",
    "Samordning kring säkerhet och hotbild.",
    "Mentor och stöd i vardagen.",
)

_NOTES = {
    S.ACCEPTED: ("Vi tar emot remissen.", "Plats finns från nästa månad."),
    S.DECLINED: ("Kan inte ta emot just nu: ingen plats.", "Uppfyller inte kriterierna."),
    S.ACKNOWLEDGED: ("Remissen mottagen.",),
    S.WITHDRAWN: ("Behovet har lösts på annat sätt.",),
}

type _Step = tuple[ReferralState, ReferralState, datetime.datetime]  # from, to, when

DEMO_CASE_STATES = frozenset({CaseState.ACCEPTED, CaseState.ACTIVE, CaseState.COMPLETED})


def referrals_demo(
    *,
    rng: random.Random,
    case: Case,
    staff: Sequence[User],
    agencies: Sequence[Agency],
    today: datetime.date,
) -> list[Referral]:
    """Zero to three outbound referrals of an accepted, active or completed case, with their events.

    Each takes a path through the states with plausible gaps; a path that would reach past
    today stops at the last step reached, so referrals sent long ago without an answer
    appear (the "overdue" figures need them).
    """
    if case.state not in DEMO_CASE_STATES or not staff or not agencies:
        return []
    now = timezone.now()
    opened = datetime.datetime.combine(case.opened_on, datetime.time(9), tzinfo=now.tzinfo)
    weights = [w for w, _ in _PATHS]
    planned: list[tuple[Referral, datetime.datetime, list[_Step]]] = []
    for _n in range(rng.randint(0, 3)):
        path = rng.choices([p for _, p in _PATHS], weights=weights)[0]
        span = max((today - case.opened_on).days, 1)
        created = opened + datetime.timedelta(
            days=rng.randint(0, span), minutes=rng.randint(0, 480)
        )
        created = min(created, now)
        referral = Referral(
            case=case,
            agency=rng.choice(agencies),
            direction=ReferralDirection.OUTBOUND,
            state=S.DRAFT,
            purpose=rng.choice(_PURPOSES),
            created_by=rng.choice(staff),
        )
        at = created
        steps: list[_Step] = []
        state = S.DRAFT
        for to_state in path:
            low, high = _GAPS[to_state]
            step_at = at + datetime.timedelta(days=rng.randint(low, high), hours=rng.randint(0, 6))
            if step_at > now:
                break
            setattr(referral, STATE_TIMESTAMPS[to_state], step_at)
            if to_state in (S.ACCEPTED, S.DECLINED):
                referral.answer_note = rng.choice(_NOTES[to_state])
            steps.append((state, to_state, step_at))
            state, at = to_state, step_at
        referral.state = state
        planned.append((referral, created, steps))
    if not planned:
        return []
    referrals = Referral.objects.bulk_create([r for r, _c, _s in planned])
    # auto_now_add stamped "now" on insert; bulk_update writes the planned time back.
    for referral, created, _steps in planned:
        referral.created_at = created
    Referral.objects.bulk_update(referrals, ["created_at"])
    ReferralEvent.objects.bulk_create(
        ReferralEvent(
            referral=referral,
            from_state=from_state,
            to_state=to_state,
            at=at,
            by=referral.created_by,
            note=rng.choice(_NOTES.get(to_state, ("",))),
        )
        for referral, _created, steps in planned
        for from_state, to_state, at in steps
    )
    return referrals
