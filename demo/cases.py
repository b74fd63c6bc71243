"""Synthetic case records for the demo data (`manage.py seed_demo`).

Rows are written directly with bulk_create: demo data is not a business step, and 200 cases
with their records must load in seconds. Every text is invented.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from access import policy
from accounts.models import Municipality, PoliceRegion, User
from agencies.models import Agency, AgencyKind
from cases.identity import identity_pseudonym, luhn_check_digit
from cases.models import (
    FOLLOW_UP_MONTHS,
    AssessmentCriterionCheck,
    AssessmentScore,
    Case,
    CaseNeed,
    CaseState,
    CaseStateChange,
    CaseUserObjectPermission,
    Client,
    Consent,
    CriminalGroup,
    FollowUp,
    GroupAffiliation,
    GroupConflict,
    InformationKind,
    Instrument,
    Intervention,
    InterventionType,
    JournalEntry,
    MotivationAssessment,
    Need,
    Placement,
    PoliceShare,
    ThreatAssessment,
)
from demo.youth import consent_of_young_client
from exitprog.dates import add_months
from records.models import CasePlan, PlanGoal, Review, ReviewOutcome

NATIONAL_AGENCIES = [
    ("Kriminalvården", AgencyKind.PRISON_PROBATION),
    ("Arbetsförmedlingen", AgencyKind.EMPLOYMENT),
    ("Försäkringskassan", AgencyKind.SOCIAL_INSURANCE),
    ("Kronofogden", AgencyKind.ENFORCEMENT),
    ("Region Stockholm, Psykiatri", AgencyKind.PSYCHIATRY),
    ("Region Skåne, Beroendevård", AgencyKind.ADDICTION_CARE),
    ("Västra Götalandsregionen, Traumamottagning", AgencyKind.PSYCHIATRY),
    ("Bostadsbolaget Tallen", AgencyKind.HOUSING),
    ("Föreningen Vägen Ut (exempel)", AgencyKind.NGO),
    ("Stiftelsen Ny Start (exempel)", AgencyKind.NGO),
]
GROUPS = [
    ("Nätverket Norrsken", CriminalGroup.Kind.NETWORK, "Stockholm"),
    ("Gänget Vågen", CriminalGroup.Kind.GANG, "Stockholm"),
    ("Kretsen Ekbacken", CriminalGroup.Kind.GANG, "Göteborg"),
    ("Grupperingen Hamnen", CriminalGroup.Kind.NETWORK, "Malmö"),
    ("Rörelsen Järnet", CriminalGroup.Kind.EXTREMIST, ""),
]
CONFLICTS = [("Nätverket Norrsken", "Gänget Vågen"), ("Kretsen Ekbacken", "Grupperingen Hamnen")]
PLAN_GOALS = [
    "Eget boende utan koppling till gruppen inom sex månader.",
    "Sysselsättning: praktik eller studier på heltid.",
    "En plan för skulderna tillsammans med budget- och skuldrådgivningen.",
    "Bryta kontakten med gruppen och bygga ett nytt socialt nätverk.",
    "Behandling för missbruk i öppenvård.",
]
REVIEW_TEXTS = [
    "Målen och insatserna gicks igenom med klienten.",
    "Uppföljning med klienten och kontaktpersonen om boende och sysselsättning.",
    "Genomgång av planen efter ny hotbedömning.",
]

JOURNAL_TEXTS = [
    "Samtal med klienten om boende och ekonomi. "
    "Klienten uppger att kontakten med gruppen har upphört.",
    "Möte med kontaktpolis om hotbilden. Överenskommet att följa upp om två veckor.",
    "Telefonsamtal med Kriminalvården inför frigivning.",
    "Klienten har börjat på sin praktikplats och trivs.",
    "Uppföljningsmöte: klienten är motiverad men oroar sig för skulderna.",
    "Klienten uteblev från bokat möte; nytt möte bokat.",
    "Samordnat möte med socialtjänsten och psykiatrin.",
]
PATH = {
    CaseState.INQUIRY: [CaseState.INQUIRY],
    CaseState.ASSESSMENT: [CaseState.INQUIRY, CaseState.ASSESSMENT],
    CaseState.ACCEPTED: [CaseState.INQUIRY, CaseState.ASSESSMENT, CaseState.ACCEPTED],
    CaseState.ACTIVE: [
        CaseState.INQUIRY,
        CaseState.ASSESSMENT,
        CaseState.ACCEPTED,
        CaseState.ACTIVE,
    ],
    CaseState.COMPLETED: [
        CaseState.INQUIRY,
        CaseState.ASSESSMENT,
        CaseState.ACCEPTED,
        CaseState.ACTIVE,
        CaseState.COMPLETED,
    ],
    CaseState.DISCONTINUED: [
        CaseState.INQUIRY,
        CaseState.ASSESSMENT,
        CaseState.ACCEPTED,
        CaseState.ACTIVE,
        CaseState.DISCONTINUED,
    ],
    CaseState.REJECTED: [CaseState.INQUIRY, CaseState.ASSESSMENT, CaseState.REJECTED],
}
REASONS = {
    CaseState.INQUIRY: "Kontakt togs; förhandsbedömning inleds.",
    CaseState.ASSESSMENT: "Utredning inleds efter förhandsbedömning.",
    CaseState.ACCEPTED: "Kriterierna är uppfyllda; klienten antas till programmet.",
    CaseState.ACTIVE: "Insatser påbörjade enligt plan.",
    CaseState.COMPLETED: "Målen i planen är uppnådda.",
    CaseState.DISCONTINUED: "Klienten har avbrutit kontakten.",
    CaseState.REJECTED: "Kriterierna är inte uppfyllda.",
}


@dataclass
class Reference:
    """The shared records the demo cases point at."""

    agencies: list[Agency]
    police: dict[str, Agency]
    groups: list[CriminalGroup]
    needs: list[Need]
    intervention_types: list[InterventionType]
    instrument: Instrument


def reference_records() -> Reference:
    agencies = [
        Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in NATIONAL_AGENCIES
    ]
    police = {}
    for region in PoliceRegion.objects.all():
        police[region.code] = Agency.objects.get_or_create(
            name=region.name, defaults={"kind": AgencyKind.POLICE, "police_region": region}
        )[0]
    for muni in Municipality.objects.filter(runs_program=True):
        Agency.objects.get_or_create(
            name=f"Socialtjänsten {muni.name}",
            defaults={"kind": AgencyKind.SOCIAL_SERVICES, "municipality": muni},
        )
    groups = {
        name: CriminalGroup.objects.get_or_create(name=name, defaults={"kind": kind, "area": area})[
            0
        ]
        for name, kind, area in GROUPS
    }
    for a, b in CONFLICTS:
        first, second = sorted([groups[a], groups[b]], key=lambda g: g.pk)
        GroupConflict.objects.get_or_create(group_a=first, group_b=second)
    return Reference(
        agencies=agencies,
        police=police,
        groups=list(groups.values()),
        needs=list(Need.objects.all()),
        intervention_types=list(InterventionType.objects.all()),
        instrument=Instrument.objects.prefetch_related("items", "criteria").get(
            code="motivation", is_current=True
        ),
    )


def case_records(
    *, rng: random.Random, case: Case, staff: list[User], ref: Reference, today: datetime.date
) -> None:
    """Fill one case with the history and records its state implies."""
    path = PATH[CaseState(case.state)]
    span = max(((case.closed_on or today) - case.opened_on).days, len(path))
    step = span // len(path)
    CaseStateChange.objects.bulk_create(
        CaseStateChange(
            case=case,
            from_state=path[i - 1] if i else "",
            to_state=state,
            by=staff[0] if state in {CaseState.ACCEPTED, CaseState.REJECTED} else rng.choice(staff),
            reason=REASONS[state],
            at=_at(case.opened_on + datetime.timedelta(days=step * i)),
        )
        for i, state in enumerate(path)
    )
    worker = rng.choice(staff)
    ThreatAssessment.objects.bulk_create(
        ThreatAssessment(
            case=case,
            level=rng.choices(range(5), [2, 4, 4, 2, 1])[0],
            source=rng.choice(["police", "own", "client"]),
            assessed_on=case.opened_on + datetime.timedelta(days=rng.randint(0, step or 1)),
            recorded_by=worker,
        )
        for _ in range(rng.randint(1, 3))
    )
    CaseNeed.objects.bulk_create(
        CaseNeed(case=case, need=need, identified_on=case.opened_on)
        for need in rng.sample(ref.needs, rng.randint(1, 4))
    )
    if len(path) > 1:
        _assessments(rng=rng, case=case, ref=ref, assessor=worker, today=today, step=step)
    if CaseState.ACCEPTED in path:
        _interventions(rng=rng, case=case, ref=ref, by=worker, today=today)
        _plan(
            rng=rng,
            case=case,
            by=worker,
            accepted_on=case.opened_on
            + datetime.timedelta(days=step * path.index(CaseState.ACCEPTED)),
            today=today,
        )
        _placements(rng=rng, case=case, by=worker, today=today)
        consent = Consent.objects.create(
            case=case,
            information=[InformationKind.IDENTITY, InformationKind.THREAT, InformationKind.GROUP],
            valid_from=case.opened_on,
            valid_until=max(case.opened_on + datetime.timedelta(days=730), today)
            + datetime.timedelta(days=rng.randint(60, 400)),
            recorded_by=worker,
        )
        region = case.municipality.police_region.code
        consent.agencies.set([ref.police[region], *rng.sample(ref.agencies, 2)])
        consent_of_young_client(rng, case=case, consent=consent, by=worker, today=today)
    GroupAffiliation.objects.create(
        client=case.client,
        group=rng.choice(ref.groups),
        role=rng.choice(["member", "associate", "peripheral"]),
        started_on=case.opened_on - datetime.timedelta(days=rng.randint(300, 2000)),
        ended_on=case.opened_on if rng.random() < 0.5 else None,
        source="Klientens egen uppgift",
        recorded_by=worker,
    )
    end = case.closed_on or today
    JournalEntry.objects.bulk_create(
        JournalEntry(
            case=case,
            author=rng.choice(staff),
            occurred_on=day,
            written_at=_at(day),
            category=rng.choice(["contact", "meeting", "collaboration", "safety"]),
            text=rng.choice(JOURNAL_TEXTS),
        )
        for day in sorted(
            case.opened_on
            + datetime.timedelta(days=rng.randint(0, max((end - case.opened_on).days, 0)))
            for _ in range(rng.randint(2, 12))
        )
    )


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC)


def _assessments(
    *,
    rng: random.Random,
    case: Case,
    ref: Reference,
    assessor: User,
    today: datetime.date,
    step: int,
) -> None:
    items = list(ref.instrument.items.all())
    criteria = list(ref.instrument.criteria.all())
    stages = ["precontemplation", "contemplation", "preparation", "action", "maintenance"]
    level = rng.randint(0, 2)
    for n in range(rng.randint(1, 5)):
        day = min(today, case.opened_on + datetime.timedelta(days=step + 45 * n))
        level = min(level + rng.choice([0, 1, 1]), 4)
        scores = {
            item.pk: max(0, min(item.max_score, level + rng.randint(-1, 1))) for item in items
        }
        met = level >= 2
        assessment = MotivationAssessment.objects.create(
            case=case,
            instrument=ref.instrument,
            assessed_on=day,
            assessor=assessor,
            stage=stages[level],
            total_score=sum(scores.values()),
            criteria_met=met,
            recommendation="accept" if met else "reassess",
        )
        AssessmentScore.objects.bulk_create(
            AssessmentScore(assessment=assessment, item_id=k, score=v) for k, v in scores.items()
        )
        AssessmentCriterionCheck.objects.bulk_create(
            AssessmentCriterionCheck(
                assessment=assessment, criterion=c, met=met or rng.random() < 0.6
            )
            for c in criteria
        )


def _interventions(
    *, rng: random.Random, case: Case, ref: Reference, by: User, today: datetime.date
) -> None:
    rows = []
    for kind in rng.sample(ref.intervention_types, rng.randint(1, 4)):
        start = case.opened_on + datetime.timedelta(days=rng.randint(10, 120))
        planned_end = start + datetime.timedelta(days=rng.randint(30, 365))
        started = start <= today
        done = started and planned_end <= today and rng.random() < 0.7
        rows.append(
            Intervention(
                case=case,
                type=kind,
                provider=rng.choice([None, *ref.agencies]),
                planned_start=start,
                planned_end=planned_end,
                actual_start=start if started else None,
                actual_end=planned_end if done else None,
                status="completed" if done else "ongoing" if started else "planned",
                cost_sek=Decimal(rng.randrange(2_000, 400_000, 500)),
                outcome=rng.choice(["achieved", "partly", "not_achieved"]) if done else "",
                created_by=by,
            )
        )
    Intervention.objects.bulk_create(rows)


def _plan(
    *, rng: random.Random, case: Case, by: User, accepted_on: datetime.date, today: datetime.date
) -> None:
    """The plan written when the case was accepted, and the reviews since, every three months;
    an open case's last review set its next review date (which may have passed since)."""
    written = min(accepted_on + datetime.timedelta(days=7), case.closed_on or today, today)
    plan = CasePlan.objects.create(
        case=case,
        version=1,
        written_by=by,
        written_at=_at(written),
        next_review_on=written + datetime.timedelta(days=90),
    )
    interventions = list(case.interventions.all())
    for order, goal in enumerate(rng.sample(PLAN_GOALS, rng.randint(1, 3)), start=1):
        row = PlanGoal.objects.create(plan=plan, order=order, goal=goal, responsible=by)
        if interventions:
            row.interventions.set(rng.sample(interventions, min(len(interventions), 2)))
    end = case.closed_on or today
    days = []
    reviewed = written + datetime.timedelta(days=90)
    while reviewed < end:
        days.append(reviewed)
        reviewed += datetime.timedelta(days=90)
    for i, day in enumerate(days):
        following = day + datetime.timedelta(days=90)
        shown = case.next_review_on if case.is_open and i == len(days) - 1 else None
        if shown is not None and shown > day:
            following = shown  # the date the case shows
        Review.objects.create(
            case=case,
            plan=plan,
            reviewed_on=day,
            reviewed=rng.choice(REVIEW_TEXTS),
            outcome=ReviewOutcome.CONTINUE,
            next_review_on=following,
            recorded_by=by,
            recorded_at=_at(day),
        )


PLACEMENT_TOWNS = ["0180", "1480", "1280", "2321", "0380", "0580", "1880", "2480", "2281", "0680"]


def _placements(*, rng: random.Random, case: Case, by: User, today: datetime.date) -> None:
    """Usually one placement away from the home municipality, sometimes a move since."""
    towns = {m.code: m for m in Municipality.objects.filter(code__in=PLACEMENT_TOWNS)}
    start = case.opened_on + datetime.timedelta(days=rng.randint(20, 90))
    if start > today:
        return
    first = Placement(
        case=case,
        municipality=towns[rng.choice([c for c in towns if c != case.municipality.code])],
        kind=rng.choice(["protected_housing", "treatment_home", "own_flat", "family"]),
        started_on=start,
        recorded_by=by,
    )
    rows = [first]
    if rng.random() < 0.3:
        moved = min(today, start + datetime.timedelta(days=rng.randint(60, 300)))
        first.ended_on = moved
        rows.append(
            Placement(
                case=case,
                municipality=towns[rng.choice(list(towns))],
                kind="own_flat",
                started_on=moved,
                recorded_by=by,
            )
        )
    Placement.objects.bulk_create(rows)


POLICE_NOTES = [
    "Hotbilden mot klienten bedöms som förhöjd efter händelser i området.",
    "Inga nya uppgifter om hot sedan förra kontakten.",
    "Uppgifter om att den tidigare gruppen söker kontakt med klienten.",
]


def sharing_and_transfers(*, rng: random.Random, managers: dict[str, User]) -> None:
    """Police notes on shared cases, transfers in every state between the programs, and the
    follow-ups of the cases that have ended."""
    from cases import services

    for share in PoliceShare.objects.filter(ended_at__isnull=True, liaison__isnull=False):
        assert share.liaison is not None  # noqa: S101 (filtered above)
        if rng.random() < 0.6:
            services.police_note_add(
                case=share.case,
                by=share.liaison,
                text=rng.choice(POLICE_NOTES),
                threat_level=rng.choice([2, 3]),
            )
    from referrals.services import referral_receive_inbound

    inbound = [
        (
            "1280",
            "Kriminalvården",
            "Jonas",
            "Exempelberg",
            "Klienten friges om två månader och vill ha stöd att lämna sitt nätverk.",
        ),
        (
            "0180",
            "Socialtjänsten Stockholm",
            "Sara",
            "Exempelström",
            "Ungdomen har berättat för socialsekreteraren att hon vill ta sig ur gruppen.",
        ),
    ]
    for code, agency_name, first, last, purpose in inbound:
        referral_receive_inbound(
            by=managers[code],
            municipality=Municipality.objects.get(code=code),
            agency=Agency.objects.get(name=agency_name),
            first_name=first,
            last_name=last,
            reserve_identity=f"RES-{code}-IN-{last[:4].upper()}",
            purpose=purpose,
        )
    open_cases = Case.objects.filter(state=CaseState.ACTIVE).select_related("municipality")
    # Cases that moved are real transfers: the case goes on, in its state, in the receiving
    # municipality (there is no state "transferred").
    plan = [
        ("0180", "1480", "accept"),
        ("1280", "2321", "accept"),
        ("0180", "1280", "accept"),
        ("1480", "1280", "accept"),
        ("0180", "1280", "propose"),
        ("1480", "0180", "decline"),
    ]
    for from_code, to_code, outcome in plan:
        case = (
            open_cases.filter(municipality__code=from_code).exclude(transfers__isnull=False).first()
        )
        if case is None:
            continue
        to = Municipality.objects.get(code=to_code)
        transfer = services.transfer_propose(
            case=case,
            by=managers[from_code],
            to_municipality=to,
            reason="Klienten behöver flytta av säkerhetsskäl.",
        )
        if outcome == "accept":
            services.transfer_accept(
                transfer=transfer, by=managers[to_code], note="Vi tar emot ärendet."
            )
        elif outcome == "decline":
            services.transfer_decline(
                transfer=transfer, by=managers[to_code], note="Skyddat boende saknas just nu."
            )
    follow_ups_demo(rng=rng, manager=managers["0180"], today=timezone.localdate())


# --- Follow-ups after the end -----------------------------------------------------------------

# Two ended Stockholm cases of the demo caseworker that show the follow-ups: (first name, last
# name, birth date, state, months since the end, the follow-ups recorded with their outcome).
_SHOWCASE: list[tuple[str, str, datetime.date, CaseState, int, dict[int, dict[str, str]]]] = [
    # The 3-month follow-up is due now: it is on cw.stockholm's home page.
    ("Leo", "Exempeldal", datetime.date(1999, 4, 12), CaseState.COMPLETED, 3, {}),
    # Two follow-ups recorded; the 12-month one comes later.
    (
        "Maja",
        "Exempelvik",
        datetime.date(2001, 9, 3),
        CaseState.DISCONTINUED,
        7,
        {
            3: {
                "alive": "yes",
                "reoffended": "no",
                "housing": "sublet",
                "occupation": "studies",
                "group_contact": "none",
                "note": "Klienten bor i andrahand och har börjat på komvux. "
                "Uppger att hon inte har kontakt med gruppen.",
            },
            6: {
                "alive": "yes",
                "reoffended": "no",
                "housing": "own_home",
                "occupation": "work_and_studies",
                "group_contact": "occasional",
                "note": "Har fått ett förstahandskontrakt och extrajobb. En tidigare vän "
                "från gruppen har hört av sig några gånger.",
            },
        },
    ),
]
FOLLOW_UP_NOTES = [
    "Uppföljningen gjordes per telefon.",
    "Klienten nåddes inte; uppgifterna kommer från Kriminalvården och polisen.",
    "Träffade klienten på kontoret; vardagen är stabil.",
    "Klienten har flyttat till en annan kommun och vill inte ha fortsatt kontakt.",
]


def follow_ups_demo(*, rng: random.Random, manager: User, today: datetime.date) -> None:
    """The follow-ups of every case that ended, most of those due by now recorded.

    Written to the tables directly, like the rest of the demo: recorded follow-ups need dates
    in the past. Follow-ups due in the last week stay open, so caseworkers are reminded of a
    few; so does one in ten of the older ones (a program misses some). Two cases of
    cw.stockholm show the feature whatever the random draw (`_SHOWCASE`).
    """
    worker = User.objects.get(username="cw.stockholm")
    showcase = _showcase_cases(rng=rng, manager=manager, worker=worker, today=today)
    ended = list(
        Case.objects.filter(
            state__in=[CaseState.COMPLETED, CaseState.DISCONTINUED], closed_on__isnull=False
        )
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(case=case, months=months, due_on=add_months(case.closed_on, months))
            for case in ended
            if case.closed_on is not None
            for months in FOLLOW_UP_MONTHS
        ],
        ignore_conflicts=True,
    )
    caseworker_of = dict(
        CaseUserObjectPermission.objects.filter(
            permission__codename=policy.ASSIGNMENT_PERM, content_object__in=ended
        ).values_list("content_object_id", "user_id")
    )
    recorded = []
    for follow_up in FollowUp.objects.filter(case__in=ended).select_related("case"):
        case = follow_up.case
        if case.pk in showcase:
            outcome = showcase[case.pk].get(follow_up.months)
            if outcome is None:
                continue
        elif follow_up.due_on > today - datetime.timedelta(days=7) or rng.random() < 0.1:
            continue
        else:
            outcome = _random_outcome(rng, discontinued=case.state == CaseState.DISCONTINUED)
        checked_on = min(today, follow_up.due_on + datetime.timedelta(days=rng.randint(0, 21)))
        for name, value in outcome.items():
            setattr(follow_up, name, value)
        follow_up.checked_on = checked_on
        follow_up.recorded_by_id = caseworker_of.get(case.pk, case.created_by_id)
        follow_up.recorded_at = _at(checked_on)
        recorded.append(follow_up)
    FollowUp.objects.bulk_update(
        recorded,
        [
            "checked_on",
            "alive",
            "reoffended",
            "reoffending_source",
            "housing",
            "occupation",
            "group_contact",
            "note",
            "recorded_by",
            "recorded_at",
        ],
    )


def _showcase_cases(
    *, rng: random.Random, manager: User, worker: User, today: datetime.date
) -> dict[int, dict[int, dict[str, str]]]:
    """Make the `_SHOWCASE` cases, assigned to `worker`; their ids with the outcomes to record."""
    stockholm = Municipality.objects.get(code="0180")
    ref = reference_records()
    made = {}
    for first, last, birth, state, months_ago, outcomes in _SHOWCASE:
        nine = f"{birth:%y%m%d}{rng.randint(980, 999)}"
        client = Client.objects.create(
            municipality=stockholm,
            first_name=first,
            last_name=last,
            identity_number=f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}",
            pseudonym=identity_pseudonym(f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}"),
            birth_date=birth,
        )
        closed = add_months(today, -months_ago)
        opened = closed - datetime.timedelta(days=rng.randint(300, 500))
        prefix = f"{stockholm.code}-{opened.year}-"
        last_reference = (
            Case.objects.filter(reference__startswith=prefix)
            .order_by("-reference")
            .values_list("reference", flat=True)
            .first()
        )
        sequence = int(last_reference.removeprefix(prefix)) + 1 if last_reference else 1
        case = Case.objects.create(
            reference=f"{prefix}{sequence:04d}",
            client=client,
            municipality=stockholm,
            state=state,
            opened_on=opened,
            closed_on=closed,
            created_by=manager,
        )
        case_records(rng=rng, case=case, staff=[manager, worker], ref=ref, today=today)
        policy.case_grant_assignment(case=case, user=worker)
        made[case.pk] = outcomes
    return made


def _random_outcome(rng: random.Random, *, discontinued: bool) -> dict[str, str]:
    """A plausible outcome; clients who left the program early fare somewhat worse."""
    reoffended = rng.choices(["no", "yes", "unknown"], [6, 4 if discontinued else 2, 2])[0]
    return {
        "alive": rng.choices(["yes", "unknown"], [19, 1])[0],
        "reoffended": reoffended,
        "reoffending_source": (
            rng.choice(["criminal_record", "police", "prison_probation", "client"])
            if reoffended == "yes"
            else ""
        ),
        "housing": (
            "custody"
            if reoffended == "yes" and rng.random() < 0.3
            else rng.choices(
                ["own_home", "sublet", "family", "protected", "institution", "homeless", "unknown"],
                [5, 4, 2, 1, 1, 1, 1],
            )[0]
        ),
        "occupation": rng.choices(
            ["work", "studies", "work_and_studies", "neither", "unknown"], [4, 3, 1, 3, 1]
        )[0],
        "group_contact": rng.choices(
            ["none", "occasional", "regular", "rejoined", "unknown"],
            [8, 3, 1, 2 if discontinued else 1, 2],
        )[0],
        "note": rng.choice(FOLLOW_UP_NOTES) if rng.random() < 0.4 else "",
    }
