"""Reads of cases for the home pages. Every list starts from the permission policy."""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Cast
from django.utils import timezone

from access import policy
from access.policy import AnyUser
from accounts.models import Municipality, Role, User
from agencies.models import AgencyKind
from audit.models import AccessAction, AccessLogEntry
from cases.identity import normalise_identity_number
from cases.models import (
    OPEN_STATES,
    Case,
    CaseNeed,
    CaseState,
    CaseStateChange,
    CaseUserObjectPermission,
    Client,
    Consent,
    FollowUp,
    GroupAffiliation,
    Instrument,
    Intervention,
    JournalEntry,
    MotivationAssessment,
    Placement,
    PoliceNote,
    PoliceShare,
    PoliceVisit,
    ThreatAssessment,
    ThreatLevel,
    Transfer,
    TransferState,
)


def identity_visible(user: AnyUser) -> SqlCase:
    """Whether the user may see the identity of the case's client, as an annotation
    (`identity_visible=identity_visible(user)`): the policy's `protected_identity_visible_q`,
    which `policy.may_see_protected_identity` then reads back without a query."""
    return SqlCase(
        When(policy.protected_identity_visible_q(user), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


@dataclass
class CaseworkerHome:
    my_cases: list[Case]
    due: list[Case]
    # Follow-ups not recorded yet, overdue or due soon, with their case and client.
    follow_ups_due: list[FollowUp]


def caseworker_home(*, user: AnyUser, today: datetime.date, due_within_days: int) -> CaseworkerHome:
    """The caseworker's open assigned cases, those whose review is due soon, and the follow-ups
    of their cases that are due soon or overdue (two queries).

    Follow-ups come after a case has ended, so they are looked up among all assigned cases,
    closed ones included. Every case carries `identity_visible` (see `identity_visible`).
    """
    cases: list[Case] = list(
        policy.cases_assigned_to(user)
        .filter(state__in=OPEN_STATES)
        .select_related("client", "municipality")
        .annotate(identity_visible=identity_visible(user))
        .order_by("next_review_on", "reference")
    )
    due = [c for c in cases if c.review_is_due(today, due_within_days)]
    follow_ups: list[FollowUp] = list(
        FollowUp.objects.filter(
            case__in=policy.cases_assigned_to(user),
            recorded_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=due_within_days),
        )
        .select_related("case__client", "case__municipality")
        .annotate(
            case_identity_visible=Exists(
                Case.objects.filter(pk=OuterRef("case_id")).filter(
                    policy.protected_identity_visible_q(user)
                )
            )
        )
        .order_by("due_on", "case__reference", "months")
    )
    for follow_up in follow_ups:
        follow_up.case.identity_visible = follow_up.case_identity_visible  # type: ignore[attr-defined]
    return CaseworkerHome(my_cases=cases, due=due, follow_ups_due=follow_ups)


@dataclass
class MunicipalityOverview:
    municipality: Municipality
    by_state: list[tuple[str, str, int]] = field(default_factory=list)
    open_total: int = 0
    unassigned: int = 0
    review_overdue: int = 0
    per_caseworker: list[tuple[str, int]] = field(default_factory=list)


def manager_overview(*, user: AnyUser, today: datetime.date) -> list[MunicipalityOverview]:
    """The caseload at a glance for each municipality the user manages (three queries)."""
    managed = policy.managed_municipalities(user)
    overviews = {m.pk: MunicipalityOverview(municipality=m) for m in managed.order_by("name")}
    if not overviews:
        return []
    cases = policy.cases_visible_to(user).filter(municipality_id__in=overviews)
    assigned = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename=policy.ASSIGNMENT_PERM
    )
    counts = (
        cases.values("municipality_id", "state")
        .annotate(
            n=Count("id"),
            unassigned=Count("id", filter=~Q(Exists(assigned))),
            overdue=Count("id", filter=Q(next_review_on__lt=today)),
        )
        .order_by()
    )
    totals: dict[int, Counter[str]] = {}
    for row in counts:
        overview = overviews[row["municipality_id"]]
        totals.setdefault(overview.municipality.pk, Counter())[row["state"]] += row["n"]
        if row["state"] in OPEN_STATES:
            overview.open_total += row["n"]
            overview.unassigned += row["unassigned"]
            overview.review_overdue += row["overdue"]
    for muni_id, overview in overviews.items():
        counter = totals.get(muni_id, Counter())
        overview.by_state = [(s.value, str(s.label), counter[s.value]) for s in CaseState]
    workload = (
        CaseUserObjectPermission.objects.filter(
            permission__codename=policy.ASSIGNMENT_PERM,
            content_object__municipality_id__in=overviews,
            content_object__state__in=OPEN_STATES,
        )
        .values("content_object__municipality_id", "user__first_name", "user__last_name")
        .annotate(n=Count("id"))
        .order_by("content_object__municipality_id", "-n", "user__last_name")
    )
    for load in workload:
        name = f"{load['user__first_name']} {load['user__last_name']}"
        overviews[load["content_object__municipality_id"]].per_caseworker.append((name, load["n"]))
    return list(overviews.values())


def police_home(*, user: AnyUser) -> list[Case]:
    """The cases shared with a police liaison, and what changed since their last visit (one query).

    Each case carries `threat_level` (the newest assessment's, or None), `last_seen` (the
    liaison's last visit of the shared view, None before the first) and flags of what is newer
    than that visit: `new_threat` (a threat assessment), `new_note` (someone else's police
    note), `new_state` (a state change), `new_placement`; `changed` is true when any is, or
    before the first visit. `identity_visible` says whether the liaison may see the client's
    identity (see `identity_visible`).
    """
    uid = policy.user_pk(user)
    newer = {"case": OuterRef("pk")}
    cases: list[Case] = list(
        policy.cases_shared_with(user)
        .select_related("client", "municipality")
        .annotate(
            identity_visible=identity_visible(user),
            threat_level=Subquery(
                ThreatAssessment.objects.filter(case=OuterRef("pk"))
                .order_by("-assessed_on", "-id")
                .values("level")[:1]
            ),
            last_seen=Subquery(
                PoliceVisit.objects.filter(case=OuterRef("pk"), user_id=uid).values("seen_at")[:1]
            ),
        )
        .annotate(
            new_threat=Exists(
                ThreatAssessment.objects.filter(**newer, recorded_at__gt=OuterRef("last_seen"))
            ),
            new_note=Exists(
                PoliceNote.objects.filter(**newer, written_at__gt=OuterRef("last_seen")).exclude(
                    author_id=uid
                )
            ),
            new_state=Exists(CaseStateChange.objects.filter(**newer, at__gt=OuterRef("last_seen"))),
            # Placements have no timestamp of their own: the access log records each one made.
            new_placement=Exists(
                AccessLogEntry.objects.filter(
                    **newer,
                    action=AccessAction.CREATE,
                    object_type="placement",
                    at__gt=OuterRef("last_seen"),
                )
            ),
        )
        .order_by("municipality__name", "reference")
    )
    for case in cases:
        case.changed = case.last_seen is None or any(  # type: ignore[attr-defined]
            (case.new_threat, case.new_note, case.new_state, case.new_placement)  # type: ignore[attr-defined]
        )
        level = case.threat_level  # type: ignore[attr-defined]
        case.threat_label = None if level is None else ThreatLevel(level).label  # type: ignore[attr-defined]
    return cases


# --- The caseload list ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadFilters:
    states: tuple[str, ...] = ()
    caseworker_id: int | None = None
    threat_level: int | None = None
    need_code: str = ""
    due: bool = False
    query: str = ""
    sort: str = "next_review_on"


CASELOAD_SORTS = {
    "reference": ("reference",),
    "-reference": ("-reference",),
    "opened_on": ("opened_on", "reference"),
    "-opened_on": ("-opened_on", "reference"),
    "next_review_on": (F("next_review_on").asc(nulls_last=True), "reference"),
    "-next_review_on": (F("next_review_on").desc(nulls_last=True), "reference"),
    "state": ("state", "reference"),
    "threat": (F("threat_level").desc(nulls_last=True), "reference"),
    "-threat": (F("threat_level").asc(nulls_first=True), "reference"),
    # A masked row sorts as if its client had no name (all of them first, by reference), so
    # its place in the list does not tell where its hidden name falls in the alphabet.
    "name": (
        SqlCase(When(identity_visible=True, then=F("client__last_name")), default=Value("")),
        SqlCase(When(identity_visible=True, then=F("client__first_name")), default=Value("")),
        "reference",
    ),
}


def _whole_identity_number(query: str, today: datetime.date) -> str:
    """The 12-digit stored form of `query` if it is a whole, valid identity number, else ""."""
    try:
        return normalise_identity_number(query, today=today)
    except ValidationError:
        return ""


# What apps above cases add to each case of the caseload: a name and a function that makes
# the annotation, registered in the app's AppConfig.ready() (referrals adds
# "unanswered_referrals", its own rule). cases cannot import them: they sit above it.
CASELOAD_ANNOTATIONS: dict[str, Callable[[], BaseExpression]] = {}


def caseload_annotation_register(name: str, make: Callable[[], BaseExpression]) -> None:
    CASELOAD_ANNOTATIONS[name] = make


def caseload_for(
    *, user: AnyUser, filters: CaseloadFilters, today: datetime.date, due_within_days: int
) -> QuerySet[Case]:
    """The cases a caseworker or manager may read, filtered, searched and sorted.

    The queryset carries the current threat level (`threat_level`) and whether the user may
    see the client's identity (`identity_visible`), and prefetches the assigned caseworkers,
    so a page of it costs a fixed number of queries.

    A masked row must not be found or placed by what it hides, so every predicate over the
    identity asks `identity_visible`: a name matches only a visible client, an identity number
    matches only as a whole number (a partial match would let one rebuild a hidden number
    digit by digit) of a visible client, and the name sort puts masked rows together.
    """
    latest_threat = ThreatAssessment.objects.filter(case=OuterRef("pk")).order_by(
        "-assessed_on", "-id"
    )
    cases = (
        policy.cases_visible_to(user)
        .select_related("client", "municipality")
        .annotate(
            identity_visible=identity_visible(user),
            threat_level=Subquery(latest_threat.values("level")[:1]),
            **{name: make() for name, make in CASELOAD_ANNOTATIONS.items()},
        )
        .prefetch_related(
            Prefetch(
                "user_grants",
                queryset=CaseUserObjectPermission.objects.filter(
                    permission__codename=policy.ASSIGNMENT_PERM
                ).select_related("user"),
                to_attr="assignments",
            )
        )
    )
    if filters.states:
        cases = cases.filter(state__in=filters.states)
    if filters.caseworker_id is not None:
        cases = cases.filter(
            Exists(
                CaseUserObjectPermission.objects.filter(
                    content_object=OuterRef("pk"),
                    user_id=filters.caseworker_id,
                    permission__codename=policy.ASSIGNMENT_PERM,
                )
            )
        )
    if filters.threat_level is not None:
        cases = cases.filter(threat_level=filters.threat_level)
    if filters.need_code:
        cases = cases.filter(
            Exists(
                CaseNeed.objects.filter(
                    case=OuterRef("pk"), need__code=filters.need_code, resolved_on__isnull=True
                )
            )
        )
    if filters.due:
        cases = cases.filter(
            state__in=OPEN_STATES,
            next_review_on__lte=today + datetime.timedelta(days=due_within_days),
        )
    if query := filters.query.strip():
        visible = Q(identity_visible=True)
        names = Q(first_name__icontains=query) | Q(last_name__icontains=query)
        full = query.split()
        if len(full) >= 2:
            names |= Q(first_name__icontains=full[0], last_name__icontains=full[-1])
        # Matching clients first lets PostgreSQL use the trigram indexes on their names.
        by_name = Q(client_id__in=Client.objects.filter(names).values("pk"))
        condition = (by_name & visible) | Q(reference__icontains=query)
        if number := _whole_identity_number(query, today):
            condition |= Q(client__identity_number=number) & visible
        cases = cases.filter(condition)
    return cases.order_by(*CASELOAD_SORTS.get(filters.sort, CASELOAD_SORTS["next_review_on"]))


def caseworkers_of(*, user: AnyUser) -> QuerySet[User]:
    """The caseworkers of the municipalities whose cases the user reads (for the filter)."""
    munis = policy.grants_for(user).municipality_perms.keys()
    return (
        User.objects.filter(
            is_active=True,
            groups__role_group__role=Role.CASEWORKER,
            groups__role_group__municipality_id__in=munis,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


# --- The case page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    overdue: bool


@dataclass
class CasePage:
    case: Case
    access: policy.CaseAccess
    show_protected: bool
    assignments: list[CaseUserObjectPermission]
    state_changes: list[CaseStateChange]
    threats: list[ThreatAssessment]
    needs: list[CaseNeed]
    assessments: list[MotivationAssessment]
    max_score: int
    interventions: list[Intervention]
    intervention_cost: Decimal
    journal: Page[JournalEntry]
    consents: list[Consent]
    affiliations: list[GroupAffiliation]
    follow_ups: list[FollowUpRow]

    @property
    def current_threat(self) -> ThreatAssessment | None:
        return self.threats[0] if self.threats else None

    @property
    def recorded_follow_ups(self) -> list[FollowUp]:
        return [row.follow_up for row in self.follow_ups if row.follow_up.is_recorded]


JOURNAL_PAGE_SIZE = 25


def case_page(
    *,
    user: AnyUser,
    case: Case,
    journal_page: str | int | None,
    today: datetime.date | None = None,
) -> CasePage:
    """Everything the case page shows, in a fixed number of queries.

    The journal is paginated (newest first); every other section is short by nature (a case
    has at most four follow-ups). `today` (the local date by default) tells which follow-ups
    are overdue.
    """
    today = today or timezone.localdate()
    access = policy.case_access(user, case)
    assignments = list(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename=policy.ASSIGNMENT_PERM
        )
        .select_related("user")
        .order_by("user__last_name")
    )
    instrument = (
        Instrument.objects.filter(code="motivation", is_current=True)
        .annotate(total=Sum("items__max_score"))
        .first()
    )
    journal = Paginator(
        JournalEntry.objects.filter(case=case)
        .select_related("author", "corrects")
        .order_by("-written_at", "-id"),
        JOURNAL_PAGE_SIZE,
    ).get_page(journal_page)
    interventions = list(
        case.interventions.select_related("type", "provider").order_by("-planned_start", "-id")
    )
    return CasePage(
        case=case,
        access=access,
        show_protected=policy.may_see_protected_identity(user, case),
        assignments=assignments,
        state_changes=list(case.state_changes.select_related("by").order_by("-at", "-id")),
        threats=list(case.threats.select_related("recorded_by").order_by("-assessed_on", "-id")),
        needs=list(case.needs.select_related("need").order_by("resolved_on", "need__order")),
        assessments=list(
            case.assessments.select_related("assessor").order_by("-assessed_on", "-id")
        ),
        max_score=(instrument.total if instrument is not None else 0) or 0,
        interventions=interventions,
        intervention_cost=sum((i.cost_sek or Decimal(0) for i in interventions), Decimal(0)),
        journal=journal,
        consents=list(case.consents.prefetch_related("agencies").order_by("-valid_from", "-id")),
        affiliations=list(
            GroupAffiliation.objects.filter(client_id=case.client_id)
            .select_related("group")
            .order_by("-started_on", "-id")
        ),
        follow_ups=[
            FollowUpRow(follow_up=f, overdue=f.is_overdue(today))
            for f in case.follow_ups.select_related("recorded_by").order_by("months")
        ],
    )


# --- Transfers between municipalities ---------------------------------------------------------

# What a transfer row shows. The case comes without its client: the receiving manager may not
# see who the client is before accepting.
_TRANSFER_RELATED = ("case", "from_municipality", "to_municipality", "proposed_by", "decided_by")


def _transfers_of_managed(user: AnyUser, side: str) -> list[Transfer]:
    """Transfers whose `side` municipality the user manages: open ones first, then the newest
    decisions (one query)."""
    managed = policy.managed_municipality_ids(user)
    if not managed:
        return []
    return list(
        policy.transfers_visible_to(user)
        .filter(**{f"{side}_id__in": managed})
        .select_related(*_TRANSFER_RELATED)
        .order_by(F("decided_at").desc(nulls_first=True), "-proposed_at", "-id")
    )


def transfers_incoming(*, user: AnyUser) -> list[Transfer]:
    """Transfers to the municipalities the user manages (one query)."""
    return _transfers_of_managed(user, "to_municipality")


def transfers_outgoing(*, user: AnyUser) -> list[Transfer]:
    """Transfers from the municipalities the user manages, also after the case has left."""
    return _transfers_of_managed(user, "from_municipality")


def transfers_awaiting_answer(*, user: AnyUser) -> list[Transfer]:
    """Proposed transfers to the municipalities the user manages, oldest first (one query)."""
    managed = policy.managed_municipality_ids(user)
    if not managed:
        return []
    return list(
        policy.transfers_visible_to(user)
        .filter(to_municipality_id__in=managed, state=TransferState.PROPOSED)
        .select_related("case", "from_municipality", "proposed_by")
        .order_by("proposed_at", "id")
    )


def case_transfers(*, case: Case) -> list[Transfer]:
    """The transfers of one case, newest first (one query).

    At most one is open, and it is the newest: a case gets a new proposal only when none is
    open, so `transfers[0]` tells whether one waits for an answer.
    """
    return list(
        case.transfers.select_related(*_TRANSFER_RELATED[1:]).order_by("-proposed_at", "-id")
    )


# --- Sharing with the police ------------------------------------------------------------------

# Imported here, not at the top, because this section was appended while others edited the
# file; move them up when convenient.


# The decisions on an intake that the police may see.
INTAKE_DECISIONS = (CaseState.ACCEPTED, CaseState.REJECTED)


def _placement_logged_after(seen_at: datetime.datetime | None) -> Exists | None:
    """Whether a placement was recorded after `seen_at`, from the access log.

    Placements have no timestamp of their own; `placement_new` logs every one it makes.
    """
    if seen_at is None:
        return None
    return Exists(
        AccessLogEntry.objects.filter(
            case_id=OuterRef("case_id"),
            action=AccessAction.CREATE,
            object_type="placement",
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            at__gt=seen_at,
        )
    )


@dataclass
class SharedCasePage:
    """The parts of a case shared with the police, with what is new since the last visit.

    Rows newer than `last_seen` carry `is_new = True` (never on the first visit, when
    `last_seen` is None: then everything is new and the page says so once).
    """

    case: Case
    # May the user see the client's identity? The policy lets no liaison, as a liaison, see a
    # protected one; the page shows what it decided.
    show_protected: bool
    last_seen: datetime.datetime | None
    threats: list[ThreatAssessment]
    affiliations: list[GroupAffiliation]
    placements: list[Placement]
    decisions: list[CaseStateChange]
    notes: list[PoliceNote]
    # The share that lets this liaison in (their own, or their region's): its basis, until
    # when it runs and who at the municipality made it, the liaison's contact there.
    share: PoliceShare | None = None

    @property
    def current_threat(self) -> ThreatAssessment | None:
        return self.threats[0] if self.threats else None


def shared_case_page(*, user: AnyUser, case: Case) -> SharedCasePage:
    """What a police liaison sees of a case shared with them, in a fixed number of queries.

    Only the shared parts are read: threat levels without their notes, decisions without their
    reasons, referrals without their purpose; never the journal, needs, assessments,
    interventions or consents. The caller has checked the share (`policy`).
    """
    uid = policy.user_pk(user)
    last_seen = (
        PoliceVisit.objects.filter(case=case, user_id=uid).values_list("seen_at", flat=True).first()
    )
    threats = list(
        case.threats.only(
            "id", "case_id", "level", "source", "assessed_on", "recorded_at"
        ).order_by("-assessed_on", "-id")
    )
    placements_qs = case.placements.select_related("municipality").order_by("-started_on", "-id")
    placement_new = _placement_logged_after(last_seen)
    if placement_new is not None:
        placements_qs = placements_qs.annotate(logged_new=placement_new)
    placements = list(placements_qs)
    decisions = list(
        case.state_changes.filter(to_state__in=INTAKE_DECISIONS)
        .only("id", "case_id", "to_state", "at")
        .order_by("-at", "-id")
    )
    notes = list(case.police_notes.select_related("author").order_by("-written_at", "-id"))
    share = (
        policy.police_shares_valid_for(user)
        .filter(case=case)
        .select_related("created_by", "consent")
        .order_by("-created_at", "-id")
        .first()
    )
    if last_seen is not None:
        for threat in threats:
            threat.is_new = threat.recorded_at > last_seen  # type: ignore[attr-defined]
        for placement in placements:
            placement.is_new = placement.logged_new  # type: ignore[attr-defined]
        for decision in decisions:
            decision.is_new = decision.at > last_seen  # type: ignore[attr-defined]
        for note in notes:
            note.is_new = note.written_at > last_seen and note.author_id != uid  # type: ignore[attr-defined]
    return SharedCasePage(
        case=case,
        show_protected=policy.may_see_protected_identity(user, case),
        last_seen=last_seen,
        threats=threats,
        affiliations=list(
            GroupAffiliation.objects.filter(client_id=case.client_id)
            .select_related("group")
            .only("id", "client_id", "group__name", "role", "started_on", "ended_on")
            .order_by("-started_on", "-id")
        ),
        placements=placements,
        decisions=decisions,
        notes=notes,
        share=share,
    )


@dataclass
class CasePoliceSection:
    """The police section of the case page: notes from the police, shares, placements."""

    notes: list[PoliceNote]
    shares: list[PoliceShare]
    placements: list[Placement]

    @property
    def open_shares(self) -> list[PoliceShare]:
        return [s for s in self.shares if s.ended_at is None]


def case_police_section(*, case: Case) -> CasePoliceSection:
    """The police notes, police shares and placements of a case (three queries)."""
    return CasePoliceSection(
        notes=list(case.police_notes.select_related("author").order_by("-written_at", "-id")),
        shares=list(
            case.police_shares.select_related(
                "liaison", "police_region", "consent", "created_by", "ended_by"
            ).order_by("ended_at", "-created_at", "-id")
        ),
        placements=list(
            case.placements.select_related("municipality").order_by("-started_on", "-id")
        ),
    )


def police_liaisons_for(*, case: Case) -> QuerySet[User]:
    """The liaisons of the police region of the case's municipality (who it may be shared with)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__role_group__role=Role.POLICE_LIAISON,
            groups__role_group__police_region_id=case.municipality.police_region_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def consents_covering_police(*, case: Case, today: datetime.date) -> QuerySet[Consent]:
    """The case's consents that are valid today and name a police agency."""
    covers_police = Consent.objects.filter(pk=OuterRef("pk"), agencies__kind=AgencyKind.POLICE)
    return (
        case.consents.filter(revoked_at__isnull=True, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Exists(covers_police))
        .prefetch_related("agencies")
        .order_by("-valid_from", "-id")
    )
