"""Reads of cases for the home pages. Every list starts from the permission policy."""

import datetime
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
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
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Upper
from django.db.models.lookups import Exact, GreaterThan, LessThan
from django.urls import reverse
from django.utils import timezone

from access import policy
from access.policy import AnyUser
from accounts.models import Municipality, Role, User
from agencies.models import AgencyKind
from audit.models import AccessAction, AccessLogEntry
from cases.guardians import ConsentGiver
from cases.identity import normalise_identity_number
from cases.models import (
    AWAITING_INTAKE_STATES,
    FOLLOW_UP_MONTHS,
    OPEN_STATES,
    UNFINISHED_INTERVENTION_STATUSES,
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
    SavedCaseloadFilter,
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
    # (name, open cases, the caseworker's user id: the caseload's `caseworker` filter)
    per_caseworker: list[tuple[str, int, int]] = field(default_factory=list)


def _assignment_grants() -> QuerySet[CaseUserObjectPermission]:
    """The assignments of the outer case: a case without any is "without a caseworker" (the
    home's figure and the caseload's filter behind it)."""
    return CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename=policy.ASSIGNMENT_PERM
    )


def manager_overview(*, user: AnyUser, today: datetime.date) -> list[MunicipalityOverview]:
    """The caseload at a glance for each municipality the user manages (three queries)."""
    managed = policy.managed_municipalities(user)
    overviews = {m.pk: MunicipalityOverview(municipality=m) for m in managed.order_by("name")}
    if not overviews:
        return []
    cases = policy.cases_visible_to(user).filter(municipality_id__in=overviews)
    assigned = _assignment_grants()
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
        .values("content_object__municipality_id", "user_id", "user__first_name", "user__last_name")
        .annotate(n=Count("id"))
        .order_by("content_object__municipality_id", "-n", "user__last_name")
    )
    for load in workload:
        name = f"{load['user__first_name']} {load['user__last_name']}"
        overviews[load["content_object__municipality_id"]].per_caseworker.append(
            (name, load["n"], load["user_id"])
        )
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


# Who the caseload shows by default: a caseworker their own cases, a manager the whole caseload.
SCOPE_MINE = "mine"
SCOPE_ALL = "all"


def caseload_default_scope(*, user: AnyUser) -> str:
    """ "My cases" for a caseworker; the whole visible caseload for a manager (as before)."""
    return SCOPE_ALL if policy.managed_municipality_ids(user) else SCOPE_MINE


@dataclass(frozen=True)
class CaseloadFilters:
    states: tuple[str, ...] = ()
    caseworker_id: int | None = None
    threat_level: int | None = None
    need_code: str = ""
    due: bool = False
    query: str = ""
    # "" is the automatic order: the best match first for a search, else the next review.
    sort: str = ""
    mine: bool = False
    # The lists behind the manager's home figures (dashboard): one municipality, the open
    # cases without a caseworker, the reviews overdue.
    municipality_id: int | None = None
    unassigned: bool = False
    overdue: bool = False


@dataclass(frozen=True)
class SortKey:
    """One column of a caseload order, over the caseload's annotations; never NULL, so that
    a keyset page can compare with it."""

    expression: F | BaseExpression
    descending: bool = False


def _masked(field_name: str) -> SqlCase:
    # A masked row sorts as if its client had no name (all of them first, by reference), so
    # its place in the list does not tell where its hidden name falls in the alphabet.
    return SqlCase(
        When(identity_visible=True, then=F(field_name)),
        default=Value(""),
        output_field=CharField(),
    )


def _sort_keys(sort: str) -> tuple[SortKey, ...]:
    """The columns of `sort`, each ending with the unique reference, so the order is total
    (ties are broken the same way on every page)."""
    ref = SortKey(F("reference"))
    # The missing review date last whichever way (the index case_caseload_keyset_idx).
    review_last = Coalesce(F("next_review_on"), Value(datetime.date.max))
    review_desc = Coalesce(F("next_review_on"), Value(datetime.date.min))
    threat = Coalesce(F("threat_level"), Value(-1))  # no assessment: lowest
    keys: dict[str, tuple[SortKey, ...]] = {
        "reference": (ref,),
        "-reference": (SortKey(F("reference"), descending=True),),
        "opened_on": (SortKey(F("opened_on")), ref),
        "-opened_on": (SortKey(F("opened_on"), descending=True), ref),
        "next_review_on": (SortKey(review_last), ref),
        "-next_review_on": (SortKey(review_desc, descending=True), ref),
        "state": (SortKey(F("state")), ref),
        "threat": (SortKey(threat, descending=True), ref),
        "-threat": (SortKey(threat), ref),
        "name": (
            SortKey(_masked("client__last_name")),
            SortKey(_masked("client__first_name")),
            ref,
        ),
        "relevance": (SortKey(F("search_rank"), descending=True), ref),
    }
    return keys[sort]


CASELOAD_SORTS = (
    "reference",
    "-reference",
    "opened_on",
    "-opened_on",
    "next_review_on",
    "-next_review_on",
    "state",
    "threat",
    "-threat",
    "name",
    "relevance",
)


def caseload_sort(filters: CaseloadFilters) -> str:
    """The order the caseload is shown in: the chosen one, or the automatic one (the best
    match for a search, the next review otherwise). Without a search there is no match to rank."""
    if filters.sort in CASELOAD_SORTS and (filters.sort != "relevance" or filters.query):
        return filters.sort
    return "relevance" if filters.query.strip() else "next_review_on"


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


def _name_words(query: str) -> list[str]:
    return [word for word in query.split() if word][:5]


def _clients_matching(word: str) -> QuerySet[Any, Any]:
    """The ids of the clients with `word` in a name, as a part of it or by trigram similarity
    (pg_trgm's `%`, "nilson" finds Nilsson). Written over UPPER(name), the expressions of the
    trigram GIN indexes (migration 0008), and as a UNION of one condition each: PostgreSQL
    underrates what `%` costs a row and, given the four as one OR, scans every client (96 ms
    for 50,000) rather than the indexes (18 ms; `bench/caseload.py`)."""
    clients = Client.objects.annotate(
        upper_first=Upper("first_name"), upper_last=Upper("last_name")
    )
    first, *others = (
        clients.filter(condition).values("pk")
        for condition in (
            Q(upper_last__trigram_similar=word),
            Q(upper_first__trigram_similar=word),
            Q(first_name__icontains=word),
            Q(last_name__icontains=word),
        )
    )
    return first.union(*others)


def _names_match(query: str) -> Q:
    """Cases whose client's names match every word of `query` (`_clients_matching`)."""
    condition = Q()
    for word in _name_words(query):
        condition &= Q(client_id__in=_clients_matching(word))
    return condition


def _search_rank(query: str) -> SqlCase:
    """How well the client's name matches `query` (pg_trgm similarity, 0 to 1), 1 for the
    case's own reference; 0 for every row whose identity the user may not see, so that a
    masked row is neither found nor placed by its hidden name."""
    first, last = Upper(F("client__first_name")), Upper(F("client__last_name"))
    name_rank = Greatest(
        # pg_trgm compares in lower case: the query needs no UPPER of its own.
        TrigramSimilarity(first, query),
        TrigramSimilarity(last, query),
        TrigramSimilarity(Concat(first, Value(" "), last), query),
    )
    return SqlCase(
        When(reference__iexact=query, then=Value(1.0)),
        When(identity_visible=True, then=name_rank),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _latest_threat_level() -> Subquery:
    latest_threat = ThreatAssessment.objects.filter(case=OuterRef("pk")).order_by(
        "-assessed_on", "-id"
    )
    return Subquery(latest_threat.values("level")[:1])


def _caseload_base(user: AnyUser, query: str) -> QuerySet[Case]:
    """The cases the user may read, with what the list shows and sorts by, before filters."""
    cases = (
        policy.cases_visible_to(user)
        .select_related("client", "municipality")
        .annotate(
            identity_visible=identity_visible(user),
            threat_level=_latest_threat_level(),
            **{name: make() for name, make in CASELOAD_ANNOTATIONS.items()},
        )
    )
    if query:
        cases = cases.annotate(search_rank=_search_rank(query))
    return cases


def _caseload_counted(user: AnyUser, filters: CaseloadFilters) -> QuerySet[Case]:
    """`_caseload_base` with only the annotations `_caseload_filter` reads for `filters`, to
    count: without a search the count needs no join with the clients (an index-only scan of
    the municipality's cases, 5 ms instead of 16 ms for 50,000 cases; `bench/caseload.py`)."""
    cases = policy.cases_visible_to(user)
    if filters.query.strip():
        cases = cases.annotate(identity_visible=identity_visible(user))
    if filters.threat_level is not None:
        cases = cases.annotate(threat_level=_latest_threat_level())
    return cases


def _caseload_filter(
    cases: QuerySet[Case],
    *,
    user: AnyUser,
    filters: CaseloadFilters,
    today: datetime.date,
    due_within_days: int,
) -> QuerySet[Case]:
    if filters.mine:
        cases = cases.filter(policy.assigned_to_q(user))
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
        cases = cases.filter(Q(threat_level=filters.threat_level))
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
    if filters.municipality_id is not None:
        cases = cases.filter(municipality_id=filters.municipality_id)
    if filters.unassigned:
        cases = cases.filter(~Exists(_assignment_grants()), state__in=OPEN_STATES)
    if filters.overdue:
        cases = cases.filter(state__in=OPEN_STATES, next_review_on__lt=today)
    if query := filters.query.strip():
        visible = Q(identity_visible=True)
        condition = Q(reference__icontains=query)
        if _name_words(query):
            # Matching clients first lets PostgreSQL use the trigram indexes on their names.
            condition |= _names_match(query) & visible
        if number := _whole_identity_number(query, today):
            condition |= Q(client__identity_number=number) & visible
        cases = cases.filter(condition)
    return cases


def _assignments() -> Prefetch:
    return Prefetch(
        "user_grants",
        queryset=CaseUserObjectPermission.objects.filter(
            permission__codename=policy.ASSIGNMENT_PERM
        ).select_related("user"),
        to_attr="assignments",
    )


def _caseworker_names(case_ids: list[int]) -> dict[int, list[str]]:
    """The names of the caseworkers assigned to each case, by case id (one query): the
    caseload page's column, read as values rather than prefetched as grants with their users
    (a millisecond of the page's 10 in the ORM; `bench/caseload.py`)."""
    names: dict[int, list[str]] = {}
    if not case_ids:
        return names
    grants = (
        CaseUserObjectPermission.objects.filter(
            content_object_id__in=case_ids, permission__codename=policy.ASSIGNMENT_PERM
        )
        .order_by("pk")
        .values_list("content_object_id", "user__username", "user__first_name", "user__last_name")
    )
    for case_id, username, first_name, last_name in grants:
        user = User(username=username, first_name=first_name, last_name=last_name)
        names.setdefault(case_id, []).append(user.get_full_name() or user.get_username())
    return names


# The columns the caseload's page shows or reads (`cases.views.caseload`), beside the
# annotations: a case, its client and its municipality in full are three times as many to
# read and turn into objects.
CASELOAD_PAGE_COLUMNS = (
    "reference",
    "state",
    "next_review_on",
    "municipality_id",
    "client_id",
    "client__first_name",
    "client__last_name",
    "client__protected_identity",
    "client__young",
    "municipality__name",
)


def caseload_for(
    *, user: AnyUser, filters: CaseloadFilters, today: datetime.date, due_within_days: int
) -> QuerySet[Case]:
    """The cases a caseworker or manager may read, filtered, searched and sorted.

    The queryset carries the current threat level (`threat_level`), whether the user may
    see the client's identity (`identity_visible`) and, for a search, how well the name
    matches (`search_rank`), and prefetches the assigned caseworkers, so a page of it costs a
    fixed number of queries. The list pages it by keys (`caseload_page`).

    A masked row must not be found or placed by what it hides, so every predicate over the
    identity asks `identity_visible`: a name matches only a visible client, an identity number
    matches only as a whole number (a partial match would let one rebuild a hidden number
    digit by digit) of a visible client, the rank of a masked row is 0 and the name sort puts
    masked rows together.
    """
    query = filters.query.strip()
    cases = _caseload_filter(
        _caseload_base(user, query),
        user=user,
        filters=filters,
        today=today,
        due_within_days=due_within_days,
    ).prefetch_related(_assignments())
    keys = _sort_keys(caseload_sort(filters))
    return cases.order_by(
        *(k.expression.desc() if k.descending else k.expression.asc() for k in keys)
    )


class _RowCompare(BaseExpression):
    """`(a, b, ...) > (SELECT x, y, ...)`: a row comparison, which PostgreSQL starts an index
    scan at (an OR of column comparisons it cannot)."""

    conditional = True

    def __init__(self, columns: list[Any], op: str, subquery: Any) -> None:
        super().__init__(output_field=BooleanField())
        self.columns, self.op, self.subquery = columns, op, subquery

    def get_source_expressions(self) -> list[Any]:
        return [*self.columns, self.subquery]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        *self.columns, self.subquery = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        sqls, params = [], []
        for column in self.columns:
            sql, column_params = compiler.compile(column)
            sqls.append(sql)
            params.extend(column_params)
        sql, sub_params = compiler.compile(self.subquery)
        return f"(({', '.join(sqls)}) {self.op} {sql})", (*params, *sub_params)


def _beyond(keys: tuple[SortKey, ...], cursor: QuerySet[Case], *, forward: bool) -> Q:
    """The rows after (`forward`) or before the cursor row in the order of `keys`.

    The cursor row's values are read in the same statement from `cursor` (one row of the
    user's visible caseload with the same annotations), so the URL carries only a case id:
    never a name, and a case the user may not read gives an empty page, not its place.
    """
    if len({k.descending for k in keys}) == 1:
        descending = keys[0].descending == forward
        values = cursor.values(**{f"k{i}": k.expression for i, k in enumerate(keys)})
        columns = [k.expression for k in keys]
        subquery = Subquery(values, output_field=BooleanField())
        return Q(_RowCompare(columns, "<" if descending else ">", subquery))
    condition = Q(pk__in=[])
    for i, key in enumerate(keys):
        term = Q()
        for earlier in keys[:i]:
            term &= Q(Exact(earlier.expression, Subquery(cursor.values(v=earlier.expression))))
        value = Subquery(cursor.values(v=key.expression))
        if key.descending == forward:
            term &= Q(LessThan(key.expression, value))
        else:
            term &= Q(GreaterThan(key.expression, value))
        condition |= term
    return condition


@dataclass
class CaseloadPage:
    cases: list[Case]
    caseworkers: dict[int, list[str]]  # the names of each case's assigned caseworkers, by id
    total: int
    sort: str
    # The case ids the next and previous pages start after and end before (None: no page).
    next_after: int | None
    previous_before: int | None

    @property
    def is_first(self) -> bool:
        return self.previous_before is None


def caseload_page(
    *,
    user: AnyUser,
    filters: CaseloadFilters,
    today: datetime.date,
    due_within_days: int,
    size: int,
    after: int | None = None,
    before: int | None = None,
) -> CaseloadPage:
    """One page of the caseload by keys, not OFFSET: the `size` cases after the case `after`
    (or before the case `before`) in the list's order, so page 200 costs what page 1 costs.

    Three queries whatever the page: the count, the page (one more row read to know whether
    a next page exists) and the names of its assigned caseworkers (`caseworkers`).
    """
    query = filters.query.strip()
    base = _caseload_base(user, query)
    cases = _caseload_filter(
        base, user=user, filters=filters, today=today, due_within_days=due_within_days
    )
    total = _caseload_filter(
        _caseload_counted(user, filters),
        user=user,
        filters=filters,
        today=today,
        due_within_days=due_within_days,
    ).count()
    sort = caseload_sort(filters)
    keys = _sort_keys(sort)
    backward = before is not None and after is None
    cursor_id = before if backward else after
    if cursor_id is not None:
        cursor = base.filter(pk=cursor_id).order_by()
        cases = cases.filter(_beyond(keys, cursor, forward=not backward))
    order = [k.expression.desc() if k.descending != backward else k.expression.asc() for k in keys]
    rows = list(cases.only(*CASELOAD_PAGE_COLUMNS).order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    has_next = more if not backward else True
    has_previous = more if backward else cursor_id is not None
    return CaseloadPage(
        cases=rows,
        caseworkers=_caseworker_names([case.pk for case in rows]),
        total=total,
        sort=sort,
        next_after=rows[-1].pk if rows and has_next else None,
        previous_before=rows[0].pk if rows and has_previous else None,
    )


def saved_caseload_filters(*, user: AnyUser) -> list[SavedCaseloadFilter]:
    """The user's own saved caseload filters, by name (one query)."""
    return list(policy.saved_caseload_filters_of(user).order_by("name", "id"))


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
JOURNAL_WHOLE = 1_000_000  # the print view's one page: every entry of the case


def case_page(
    *,
    user: AnyUser,
    case: Case,
    journal_page: str | int | None,
    today: datetime.date | None = None,
    whole_journal: bool = False,
    sections: Collection[str] | None = None,
) -> CasePage:
    """Everything the case page shows, in a fixed number of queries.

    `sections` (the tab's, `cases.tabs`; every section when None) says which lists to read:
    a section not shown reads nothing (its list is empty). The threats and follow-ups are
    always read: the overview above every tab shows the threat level and what is due.

    The journal is paginated (newest first), or with `whole_journal` (the print view) given
    whole as one page; every other section is short by nature (a case has at most four
    follow-ups). `today` (the local date by default) tells which follow-ups
    are overdue.
    """
    today = today or timezone.localdate()

    def shows(*names: str) -> bool:
        return sections is None or any(name in sections for name in names)

    access = policy.case_access(user, case)
    assignments = (
        list(
            CaseUserObjectPermission.objects.filter(
                content_object=case, permission__codename=policy.ASSIGNMENT_PERM
            )
            .select_related("user")
            .order_by("user__last_name")
        )
        if shows("team")
        else []
    )
    instrument = (
        Instrument.objects.filter(code="motivation", is_current=True)
        .annotate(total=Sum("items__max_score"))
        .first()
        if shows("assessments")
        else None
    )
    if shows("journal"):
        journal = Paginator(
            JournalEntry.objects.filter(case=case)
            .select_related("author", "corrects")
            .annotate(**journal_corrections_annotation())
            .order_by("-written_at", "-id"),
            JOURNAL_WHOLE if whole_journal else JOURNAL_PAGE_SIZE,
        ).get_page(1 if whole_journal else journal_page)
        journal_mark_corrections(case=case, entries=list(journal))
    else:
        journal = Paginator(JournalEntry.objects.none(), JOURNAL_PAGE_SIZE).get_page(1)
    interventions = (
        list(
            case.interventions.select_related("type", "provider").order_by("-planned_start", "-id")
        )
        if shows("interventions")
        else []
    )
    return CasePage(
        case=case,
        access=access,
        show_protected=policy.may_see_protected_identity(user, case),
        assignments=assignments,
        state_changes=(
            list(case.state_changes.select_related("by").order_by("-at", "-id"))
            if shows("decisions")
            else []
        ),
        threats=list(case.threats.select_related("recorded_by").order_by("-assessed_on", "-id")),
        needs=(
            list(case.needs.select_related("need").order_by("resolved_on", "need__order"))
            if shows("needs")
            else []
        ),
        # The decisions section shows the latest assessment beside an intake decision.
        assessments=(
            list(case.assessments.select_related("assessor").order_by("-assessed_on", "-id"))
            if shows("assessments", "decisions")
            else []
        ),
        max_score=(instrument.total if instrument is not None else 0) or 0,
        interventions=interventions,
        intervention_cost=sum((i.cost_sek or Decimal(0) for i in interventions), Decimal(0)),
        journal=journal,
        consents=(
            list(
                case.consents.prefetch_related(
                    "agencies",
                    # Whose consent it is (cases.guardians): one query, with the guardians.
                    Prefetch("givers", queryset=ConsentGiver.objects.select_related("guardian")),
                ).order_by("-valid_from", "-id")
            )
            if shows("consent")
            else []
        ),
        affiliations=(
            list(
                GroupAffiliation.objects.filter(client_id=case.client_id)
                .select_related("group")
                .order_by("-started_on", "-id")
            )
            if shows("groups")
            else []
        ),
        follow_ups=[
            FollowUpRow(follow_up=f, overdue=f.is_overdue(today))
            for f in case.follow_ups.select_related("recorded_by").order_by("months")
        ],
    )


# --- The case page's overview and contact card -------------------------------------------------

# How far ahead the overview lists what is due (a review, a follow-up, a police share ending).
DUE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class DueItem:
    """Something of the case that is due: `kind` names it ("review", "follow_up",
    "share_ends"), `section` the case page's section where it is dealt with."""

    kind: str
    on: datetime.date
    overdue: bool
    section: str
    months: int = 0  # a follow-up's


def case_due(*, case: Case, page: CasePage, today: datetime.date | None = None) -> list[DueItem]:
    """What is due in the case, soonest first (one query: the open police shares whose consent
    ends within DUE_WITHIN_DAYS; the rest comes from `page`)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    due: list[DueItem] = []
    if case.is_open and case.next_review_on is not None:
        due.append(
            DueItem("review", case.next_review_on, case.next_review_on < today, section="plan")
        )
    upcoming = [row for row in page.follow_ups if not row.follow_up.is_recorded]
    if upcoming:
        first = upcoming[0].follow_up
        due.append(
            DueItem(
                "follow_up",
                first.due_on,
                first.is_overdue(today),
                section="follow-ups",
                months=first.months,
            )
        )
    ending = (
        case.police_shares.filter(
            ended_at__isnull=True,
            consent__valid_until__isnull=False,
            consent__valid_until__lte=horizon,
        )
        .order_by("consent__valid_until")
        .values_list("consent__valid_until", flat=True)
        .first()
    )
    if ending is not None:
        due.append(DueItem("share_ends", ending, ending < today, section="police"))
    return sorted(due, key=lambda item: item.on)


@dataclass(frozen=True)
class CaseContact:
    card: ContactCard | None
    people: list[ContactPerson]


def case_contact(*, case: Case) -> CaseContact:
    """The contact card and the client's network (two queries). The caller has asked
    `policy.may_see_contact_card`."""
    return CaseContact(
        card=ContactCard.objects.filter(case=case).select_related("updated_by").first(),
        people=list(case.contact_people.filter(removed_at__isnull=True).order_by("name", "id")),
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


# --- Corrections: the journal's marks and an assessment's answers (issue 11) -----------------


def journal_corrections_annotation() -> dict[str, ArraySubquery]:
    """What marks an entry as corrected, read in the entries' own query (no query per entry):
    the ids and times of the entries that correct it, oldest first."""
    corrections = JournalEntry.objects.filter(corrects=OuterRef("pk")).order_by("written_at", "id")
    return {
        "correction_ids": ArraySubquery(corrections.values("pk")),
        "correction_times": ArraySubquery(corrections.values("written_at")),
    }


@dataclass(frozen=True)
class JournalLink:
    """A link from one journal entry to another: its anchor when it is on the same page, else
    the page that finds it (`cases:journal_entry`)."""

    pk: int
    written_at: datetime.datetime
    href: str


def journal_mark_corrections(*, case: Case, entries: list[JournalEntry]) -> None:
    """Give each entry (annotated with `journal_corrections_annotation`) `corrected_by`, the
    entries that correct it, and `corrects_link`, the one it corrects (None for none)."""
    on_page = {entry.pk for entry in entries}

    def link(pk: int, written_at: datetime.datetime) -> JournalLink:
        if pk in on_page:
            href = f"#entry-{pk}"
        else:
            href = reverse("cases:journal_entry", args=[case.pk, pk])
        return JournalLink(pk=pk, written_at=written_at, href=href)

    for entry in entries:
        ids = getattr(entry, "correction_ids", None) or []
        times = getattr(entry, "correction_times", None) or []
        entry.corrected_by = [link(pk, at) for pk, at in zip(ids, times, strict=False)]  # type: ignore[attr-defined]
        original = entry.corrects if entry.corrects_id is not None else None
        entry.corrects_link = (  # type: ignore[attr-defined]
            link(original.pk, original.written_at) if original is not None else None
        )


def journal_page_of(*, case: Case, entry_id: int) -> int | None:
    """The case page's journal page that shows the entry (newest first), or None if the case
    has no such entry (two queries)."""
    entry = JournalEntry.objects.filter(case=case, pk=entry_id).only("pk", "written_at").first()
    if entry is None:
        return None
    newer = (
        JournalEntry.objects.filter(case=case)
        .filter(
            Q(written_at__gt=entry.written_at) | Q(written_at=entry.written_at, pk__gt=entry.pk)
        )
        .count()
    )
    return newer // JOURNAL_PAGE_SIZE + 1


def assessment_detail(*, case: Case, pk: int) -> MotivationAssessment | None:
    """One motivation assessment of the case with every answer: each item's score and each
    criterion checked, in the instrument's order (three queries). None if the case has no
    such assessment. The assessment carries `max_total`, the highest total its items allow."""
    assessment = (
        case.assessments.filter(pk=pk)
        .select_related("assessor", "instrument")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=AssessmentScore.objects.select_related("item").order_by(
                    "item__order", "item__id"
                ),
            ),
            Prefetch(
                "criterion_checks",
                queryset=AssessmentCriterionCheck.objects.select_related("criterion").order_by(
                    "criterion__order", "criterion__id"
                ),
            ),
        )
        .first()
    )
    if assessment is not None:
        assessment.max_total = sum(s.item.max_score for s in assessment.scores.all())  # type: ignore[attr-defined]
    return assessment


# --- The manager's intake queue ---------------------------------------------------------------


def latest_assessment(outer: str = "pk") -> QuerySet[MotivationAssessment]:
    """The newest motivation assessment of the case `outer` names (for a Subquery): the one
    rule of "the latest assessment", in the model's order (newest date first, then newest row)."""
    return MotivationAssessment.objects.filter(case=OuterRef(outer)).order_by("-assessed_on", "-id")


def intake_queue_for(*, user: AnyUser, municipality_id: int | None = None) -> QuerySet[Case]:
    """The cases waiting for an intake decision (`AWAITING_INTAKE_STATES`) in the
    municipalities the user manages, oldest first; none for anyone else.

    Each case carries `identity_visible` (for the client's name) and its latest assessment's
    `latest_assessed_on`, `latest_stage`, `latest_criteria_met` and `latest_recommendation`
    (all None without one), so a page of it is one query.
    """
    managed = policy.managed_municipality_ids(user)
    if municipality_id is not None:
        managed = managed & {municipality_id}
    if not managed:
        return Case.objects.none()
    latest = latest_assessment()
    return (
        policy.cases_visible_to(user)
        .filter(municipality_id__in=managed, state__in=AWAITING_INTAKE_STATES)
        .select_related("client", "municipality")
        .annotate(
            identity_visible=identity_visible(user),
            latest_assessed_on=Subquery(latest.values("assessed_on")[:1]),
            latest_stage=Subquery(latest.values("stage")[:1]),
            latest_criteria_met=Subquery(latest.values("criteria_met")[:1]),
            latest_recommendation=Subquery(latest.values("recommendation")[:1]),
        )
        .order_by("opened_on", "reference", "pk")
    )


# --- Before a case is closed --------------------------------------------------------------------


@dataclass(frozen=True)
class ClosingChecklist:
    """What the cases app knows to check before a case is closed: its interventions still
    planned or running, and the follow-ups closing today schedules (months, due date)."""

    interventions: list[Intervention]
    follow_ups: list[tuple[int, datetime.date]]


def closing_checklist(*, case: Case, today: datetime.date) -> ClosingChecklist:
    """The case's unfinished interventions (one query) and the follow-ups that closing it on
    `today` schedules (`FOLLOW_UP_MONTHS` after the end, as `services.follow_ups_schedule`)."""
    from exitprog.dates import add_months

    interventions = list(
        case.interventions.filter(status__in=UNFINISHED_INTERVENTION_STATUSES)
        .select_related("type", "provider")
        .order_by("planned_start", "id")
    )
    return ClosingChecklist(
        interventions=interventions,
        follow_ups=[(months, add_months(today, months)) for months in FOLLOW_UP_MONTHS],
    )
