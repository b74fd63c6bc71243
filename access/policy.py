"""The one permission policy of exitprog.

Every view and selector asks this module two kinds of question:
- "may this user do X to this object?"  (`may`, `get_case_for_user`)
- "which objects of this kind may this user see?"  (`cases_visible_to`, `cases_shared_with`)

Roles are guardian object permissions on a municipality or police region, granted to the
group of that role and place (see `accounts.services.role_grant`). Per-case exceptions
(assignments, police shares) are rows in the direct foreign-key tables of `cases.models`.
Superuser status grants nothing here: an administrator sees no case content (separation of
duties).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import (
    Municipality,
    MunicipalityGroupObjectPermission,
    PoliceRegion,
    PoliceRegionGroupObjectPermission,
    Role,
    RoleGroup,
    User,
)
from accounts.roles import (
    GRANTS_CACHE,
    MunicipalityPerm,
    forget_grants,
    role_group_get_or_create,
)
from accounts.types import AnyUser
from audit.services import access_log_refusal
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Client,
    PoliceShare,
    SavedCaseloadFilter,
    Transfer,
)
from reports.models import Report, ReportAudience, ReportKind

# Defined low (accounts.types, accounts.roles) so that audit and accounts need not import access.
__all__ = ["AnyUser", "forget_grants"]


ASSIGNMENT_PERM = "work_case"
POLICE_SHARE_PERM = "view_shared_case"


class CaseAction(enum.StrEnum):
    READ = "read"  # the whole case file
    EDIT = "edit"  # assessments, interventions, journal, consent...
    MANAGE = "manage"  # assign, decide intake, close, transfer, share
    VIEW_SHARED = "view_shared"  # the parts shared with the police
    ADD_POLICE_NOTE = "add_police_note"
    VIEW_ACCESS_LOG = "view_access_log"  # who read and changed the case


@dataclass(frozen=True)
class Grants:
    """What one user holds, read once per request (one query)."""

    roles: frozenset[tuple[Role, int | None, int | None]] = frozenset()
    municipality_perms: dict[int, frozenset[str]] = field(default_factory=dict)
    team_visible: frozenset[int] = frozenset()
    police_regions: frozenset[int] = frozenset()

    def municipalities_with(self, perm: MunicipalityPerm) -> set[int]:
        return {m for m, perms in self.municipality_perms.items() if perm in perms}

    def has_role(self, role: Role) -> bool:
        return any(r == role for r, _m, _p in self.roles)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r for r, _m, _p in self.roles)


_EMPTY = Grants()
_CACHE = GRANTS_CACHE  # attribute of the user object that holds its Grants


def _grant_rows(user_id: int) -> list[tuple[str, str, int, int, str, bool]]:
    """The user's role groups, municipality permissions and police regions as rows of one
    query (three statements' worth: one round trip at the start of every request).

    Each branch is the ORM's own statement; the UNION pads the columns the others lack."""
    roles = RoleGroup.objects.filter(group__user__pk=user_id).values_list(
        "role", "municipality_id", "police_region_id"
    )
    municipalities = MunicipalityGroupObjectPermission.objects.filter(
        group__user__pk=user_id
    ).values_list("content_object_id", "permission__codename", "content_object__team_visibility")
    regions = PoliceRegionGroupObjectPermission.objects.filter(
        group__user__pk=user_id, permission__codename="liaise"
    ).values_list("content_object_id", flat=True)
    parts = [q.query.sql_with_params() for q in (roles, municipalities, regions)]
    # The branches are the ORM's own SQL, their values bound as parameters: nothing typed by
    # anyone is formatted into the statement.
    sql = (
        "SELECT 'role', r.role, r.municipality_id, r.police_region_id, NULL, NULL"  # noqa: S608
        f" FROM ({parts[0][0]}) AS r"
        " UNION ALL SELECT 'municipality', NULL, m.content_object_id, NULL,"
        " m.permission__codename, m.content_object__team_visibility"
        f" FROM ({parts[1][0]}) AS m"
        " UNION ALL SELECT 'region', NULL, NULL, p.content_object_id, NULL, NULL"
        f" FROM ({parts[2][0]}) AS p"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parts[0][1], *parts[1][1], *parts[2][1]])
        return cursor.fetchall()


def grants_for(user: AnyUser) -> Grants:
    """The user's roles and permissions, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return _EMPTY
    cached: Grants | None = vars(user).get(_CACHE)
    if cached is not None:
        return cached
    roles: set[tuple[Role, int | None, int | None]] = set()
    perms: dict[int, set[str]] = {}
    team_visible: set[int] = set()
    regions: set[int] = set()
    for kind, role, muni_id, region_id, codename, team_visibility in _grant_rows(user_pk(user)):
        if kind == "role":
            roles.add((Role(role), muni_id, region_id))
        elif kind == "municipality":
            perms.setdefault(muni_id, set()).add(codename)
            if team_visibility:
                team_visible.add(muni_id)
        else:
            regions.add(region_id)
    grants = Grants(
        roles=frozenset(roles),
        municipality_perms={m: frozenset(p) for m, p in perms.items()},
        team_visible=frozenset(team_visible),
        police_regions=frozenset(regions),
    )
    vars(user)[_CACHE] = grants
    return grants


# --- Questions about roles ------------------------------------------------------------------


def is_administrator(user: AnyUser) -> bool:
    return grants_for(user).has_role(Role.ADMINISTRATOR)


def is_analyst(user: AnyUser) -> bool:
    return grants_for(user).has_role(Role.ANALYST)


def municipalities_where(user: AnyUser, perm: MunicipalityPerm) -> QuerySet[Municipality]:
    return Municipality.objects.filter(pk__in=grants_for(user).municipalities_with(perm))


def may_open_intake(user: AnyUser, municipality: Municipality) -> bool:
    return municipality.pk in grants_for(user).municipalities_with(MunicipalityPerm.WORK_CASES)


# --- Cases ----------------------------------------------------------------------------------


def user_pk(user: AnyUser) -> int:
    """The id of a user who holds grants (and so is authenticated)."""
    return cast(int, user.pk)


def _assigned_to(user: AnyUser) -> Exists:
    return Exists(
        CaseUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"),
            user__pk=user_pk(user),
            permission__codename=ASSIGNMENT_PERM,
        )
    )


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Cases whose whole file the user may read: their team's, their assigned, their managed.

    A police liaison sees none here; their view of shared cases is `cases_shared_with`.
    """
    grants = grants_for(user)
    managed = grants.municipalities_with(MunicipalityPerm.MANAGE_CASES)
    team = grants.municipalities_with(MunicipalityPerm.VIEW_CASES) & grants.team_visible
    working = grants.municipalities_with(MunicipalityPerm.WORK_CASES)
    if not (managed or team or working):
        return Case.objects.none()
    condition = Q(municipality_id__in=managed | team)
    if working - managed - team:
        condition |= Q(municipality_id__in=working) & Q(_assigned_to(user))
    return Case.objects.filter(condition)


def assigned_to_q(user: AnyUser) -> Q:
    """Case rows the user works on as an assigned caseworker, in municipalities they still
    serve: `cases_assigned_to` as a condition, to narrow a case queryset ("my cases")."""
    working = grants_for(user).municipalities_with(MunicipalityPerm.WORK_CASES)
    if not working:
        return Q(pk__in=[])
    return Q(municipality_id__in=working) & Q(_assigned_to(user))


def cases_assigned_to(user: AnyUser) -> QuerySet[Case]:
    """Cases the user works on as an assigned caseworker, in municipalities they still serve."""
    if not grants_for(user).municipalities_with(MunicipalityPerm.WORK_CASES):
        return Case.objects.none()
    return Case.objects.filter(assigned_to_q(user))


def clients_visible_to(user: AnyUser) -> QuerySet[Client]:
    """Clients the user may read: those with at least one case in `cases_visible_to(user)`.

    A client belongs to one municipality, and its cases with it, so this never reaches
    another municipality's clients (OSL secrecy between authorities).
    """
    return Client.objects.filter(Exists(cases_visible_to(user).filter(client=OuterRef("pk"))))


def client_for_intake(
    user: AnyUser, municipality: Municipality, identity_number: str
) -> Client | None:
    """The client of `municipality` with this number that the user may read, for the intake's
    "already registered" warning and its "same person" answer; otherwise None.

    Only the chosen municipality is searched (and only where the user may open intakes), so
    a number known in another municipality gives no sign at all. A protected client counts
    only where the user may see its identity in one of its cases: otherwise "same person"
    would make the user the new case's caseworker and show them the name and address the
    mask hides (they are sent to their manager instead, like for a client they may not read).
    """
    if not identity_number or not may_open_intake(user, municipality):
        return None
    identity_seen = cases_visible_to(user).filter(
        protected_identity_visible_q(user), client=OuterRef("pk")
    )
    return (
        clients_visible_to(user)
        .filter(municipality=municipality, identity_number=identity_number)
        .filter(Q(protected_identity=False) | Exists(identity_seen))
        .first()
    )


def _valid_police_shares(user: AnyUser, regions: frozenset[int]) -> QuerySet[PoliceShare]:
    """The open shares with this liaison or their region, on a basis valid today.

    A consent counts while it is neither revoked nor expired and names a police agency of the
    liaison's region (or the police without a region); a recorded legal basis always counts.
    Checked on every request, so a revocation ends the access at once.
    """
    from agencies.models import AgencyKind

    today = timezone.localdate()
    consent_valid = Q(
        consent__revoked_at__isnull=True,
        consent__valid_from__lte=today,
    ) & (Q(consent__valid_until__isnull=True) | Q(consent__valid_until__gte=today))
    covers_police = Q(consent__agencies__kind=AgencyKind.POLICE) & (
        Q(consent__agencies__police_region__isnull=True)
        | Q(consent__agencies__police_region_id__in=regions)
    )
    return (
        PoliceShare.objects.filter(ended_at__isnull=True)
        .filter(Q(liaison__pk=user_pk(user)) | Q(police_region_id__in=regions))
        .filter(~Q(legal_basis="") | (consent_valid & covers_police))
    )


def _valid_police_share(user: AnyUser, regions: frozenset[int]) -> Exists:
    """Has the case an open share with this liaison or their region, on a valid basis?"""
    return Exists(_valid_police_shares(user, regions).filter(case=OuterRef("pk")))


def police_shares_valid_for(user: AnyUser) -> QuerySet[PoliceShare]:
    """The shares that let this liaison read cases today (the ones `cases_shared_with` checks):
    for the shared view to say on which basis, until when and made by whom."""
    return _valid_police_shares(user, grants_for(user).police_regions)


def cases_shared_with(user: AnyUser) -> QuerySet[Case]:
    """Cases shared with the user as a police liaison, directly or through their region,
    while the share's consent or legal basis holds."""
    grants = grants_for(user)
    if not grants.police_regions:
        return Case.objects.none()
    direct = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        user__pk=user_pk(user),
        permission__codename=POLICE_SHARE_PERM,
    )
    regional = CaseGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        group__role_group__police_region_id__in=grants.police_regions,
        group__user__pk=user_pk(user),
        permission__codename=POLICE_SHARE_PERM,
    )
    return Case.objects.filter(
        (Q(Exists(direct)) | Q(Exists(regional)))
        & Q(_valid_police_share(user, grants.police_regions))
    )


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with one case."""

    read: bool = False
    edit: bool = False
    manage: bool = False
    view_shared: bool = False
    view_access_log: bool = False

    def allows(self, action: CaseAction) -> bool:
        return {
            CaseAction.READ: self.read,
            CaseAction.EDIT: self.edit,
            CaseAction.MANAGE: self.manage,
            CaseAction.VIEW_SHARED: self.read or self.view_shared,
            CaseAction.ADD_POLICE_NOTE: self.view_shared,
            CaseAction.VIEW_ACCESS_LOG: self.view_access_log,
        }[action]


def case_access(user: AnyUser, case: Case) -> CaseAccess:
    grants = grants_for(user)
    perms = grants.municipality_perms.get(case.municipality_id, frozenset())
    manage = MunicipalityPerm.MANAGE_CASES in perms
    assigned = (
        MunicipalityPerm.WORK_CASES in perms and cases_assigned_to(user).filter(pk=case.pk).exists()
    )
    team = MunicipalityPerm.VIEW_CASES in perms and case.municipality_id in grants.team_visible
    shared = bool(grants.police_regions) and cases_shared_with(user).filter(pk=case.pk).exists()
    return CaseAccess(
        read=manage or assigned or team,
        edit=manage or assigned,
        manage=manage,
        view_shared=shared,
        view_access_log=MunicipalityPerm.VIEW_ACCESS_LOG in perms,
    )


def get_case_for_user(user: AnyUser, case_id: int, *, action: CaseAction, what: str = "") -> Case:
    """The case, if the user may do `action` to it; otherwise 404 ("not found" = "not allowed").

    A refusal is a security event: it is logged (DENIED, "refused: <what>", `what` naming the
    page or the action) and stays logged though the 404 follows. A case that exists is named
    in the entry, so its municipality's managers see the attempt; an id of no case is logged
    without one (there is nothing to attach it to; the path holds the id).
    """
    case = Case.objects.select_related("municipality", "client").filter(pk=case_id).first()
    if case is None or not case_access(user, case).allows(action):
        access_log_refusal(user=user, what=what or action.value, case=case, obj=case)
        raise Http404
    return case


def may(user: AnyUser, action: CaseAction, case: Case) -> bool:
    return case_access(user, case).allows(action)


def _holds_in_municipality(perm: MunicipalityPerm, municipality_id: int) -> Exists:
    return Exists(
        MunicipalityGroupObjectPermission.objects.filter(
            content_object_id=municipality_id, permission__codename=perm, group__user=OuterRef("pk")
        )
    )


def _assigned_user(case: Case) -> Exists:
    return Exists(
        CaseUserObjectPermission.objects.filter(
            content_object=case, user=OuterRef("pk"), permission__codename=ASSIGNMENT_PERM
        )
    )


def case_caseworkers(case: Case) -> QuerySet[User]:
    """The caseworkers assigned to `case` who still work in its municipality (as
    `cases_assigned_to`), active accounts only: whom the case's events concern."""
    return User.objects.filter(
        Q(is_active=True)
        & Q(_assigned_user(case))
        & Q(_holds_in_municipality(MunicipalityPerm.WORK_CASES, case.municipality_id))
    ).order_by("last_name", "first_name", "pk")


def case_editors(case: Case) -> QuerySet[User]:
    """Who may edit `case` (`CaseAccess.edit`): its assigned caseworkers who still work there
    and the municipality's managers, active accounts only (e.g. whom a task may be given to)."""
    return User.objects.filter(
        Q(is_active=True)
        & (
            Q(_holds_in_municipality(MunicipalityPerm.MANAGE_CASES, case.municipality_id))
            | (
                Q(_assigned_user(case))
                & Q(_holds_in_municipality(MunicipalityPerm.WORK_CASES, case.municipality_id))
            )
        )
    ).order_by("last_name", "first_name", "pk")


def municipality_managers(municipality: Municipality) -> QuerySet[User]:
    """The active managers of `municipality`'s program (e.g. who answers a transfer to it)."""
    return User.objects.filter(
        Q(is_active=True)
        & Q(_holds_in_municipality(MunicipalityPerm.MANAGE_CASES, municipality.pk))
    ).order_by("last_name", "first_name", "pk")


def may_view_access_log(user: AnyUser, municipality: Municipality) -> bool:
    """May the user read the access log of the whole municipality (its cases and the attempts
    refused on them)? Its managers may, as they may read each case's log."""
    return municipality.pk in grants_for(user).municipalities_with(MunicipalityPerm.VIEW_ACCESS_LOG)


def _municipality_for_user(
    user: AnyUser,
    municipality_id: int,
    *,
    allowed: Callable[[AnyUser, Municipality], bool],
    what: str,
) -> Municipality:
    """The municipality, if `allowed`; otherwise 404, the refusal logged as `what`."""
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None or not allowed(user, municipality):
        access_log_refusal(user=user, what=what, municipality=municipality)
        raise Http404
    return municipality


def get_municipality_log_for_user(user: AnyUser, municipality_id: int) -> Municipality:
    """The municipality whose access log the user may read; otherwise 404 (logged)."""
    return _municipality_for_user(
        user, municipality_id, allowed=may_view_access_log, what="municipality access log"
    )


def managed_municipality_ids(user: AnyUser) -> frozenset[int]:
    """The municipalities whose program the user manages: the one rule of "manager of this
    municipality" (its cases, intakes, transfers, settings and roles), from the user's grants
    (no query once they are read)."""
    return frozenset(grants_for(user).municipalities_with(MunicipalityPerm.MANAGE_CASES))


def managed_municipalities(user: AnyUser) -> QuerySet[Municipality]:
    """`managed_municipality_ids` as municipalities, for lists and choices."""
    return Municipality.objects.filter(pk__in=managed_municipality_ids(user))


def is_manager_of(user: AnyUser, municipality: Municipality) -> bool:
    """Does the user manage this municipality's program (its intakes, staff and roles)?"""
    return municipality.pk in managed_municipality_ids(user)


def transfers_visible_to(user: AnyUser) -> QuerySet[Transfer]:
    """Transfers the user may see: those from or to a municipality they manage, before and
    after the answer (the sending side keeps its record of the case that left)."""
    managed = managed_municipality_ids(user)
    return Transfer.objects.filter(
        Q(from_municipality_id__in=managed) | Q(to_municipality_id__in=managed)
    )


def get_transfer_for_user(user: AnyUser, transfer_id: int) -> Transfer:
    """The transfer, if the user may see it (`transfers_visible_to`); otherwise 404, and the
    refused attempt is logged on the transfer's case."""
    transfer = (
        transfers_visible_to(user)
        .select_related("case", "from_municipality", "to_municipality")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        existing = Transfer.objects.select_related("case").filter(pk=transfer_id).first()
        case = existing.case if existing else None
        access_log_refusal(user=user, what="transfer", case=case, obj=existing)
        raise Http404
    return transfer


def may_answer_transfer(user: AnyUser, transfer: Transfer) -> bool:
    """Only a manager of the receiving municipality accepts or declines a transfer."""
    return transfer.to_municipality_id in managed_municipality_ids(user)


def get_managed_municipality_for_user(
    user: AnyUser, municipality_id: int, *, what: str
) -> Municipality:
    """The municipality, if the user manages it; otherwise 404 (logged as `what` refused)."""
    return _municipality_for_user(user, municipality_id, allowed=is_manager_of, what=what)


# --- Protected identity ---------------------------------------------------------------------


def protected_identity_visible_q(user: AnyUser) -> Q:
    """Case rows whose client's identity (name, number, address) the user may see.

    A protected identity (skyddade personuppgifter) is shown only to the managers of the
    case's municipality and to the caseworkers assigned to the case who still work there (as
    `cases_assigned_to`); any other client's identity is seen by whoever reads the case.
    Searches and sorts over names and numbers filter on this too, so a masked row is neither
    found nor placed by what it hides.
    """
    grants = grants_for(user)
    managed = grants.municipalities_with(MunicipalityPerm.MANAGE_CASES)
    working = grants.municipalities_with(MunicipalityPerm.WORK_CASES)
    condition = Q(client__protected_identity=False)
    if managed:
        condition |= Q(municipality_id__in=managed)
    if working - managed:
        condition |= Q(municipality_id__in=working) & Q(_assigned_to(user))
    return condition


def may_see_protected_identity(user: AnyUser, case: Case) -> bool:
    """`protected_identity_visible_q` for one case already loaded with its client.

    Answers without a query where it can: from an `identity_visible` annotation a selector
    made with `protected_identity_visible_q`, from the client's flag and the user's grants,
    and from the case's prefetched `assignments` (assignment grants with their `user_id`).
    Only a protected client of a municipality the user works in, on a case loaded without
    either, costs a query.
    """
    annotated = getattr(case, "identity_visible", None)
    if annotated is not None:
        return bool(annotated)
    if not case.client.protected_identity:
        return True
    perms = grants_for(user).municipality_perms.get(case.municipality_id, frozenset())
    if MunicipalityPerm.MANAGE_CASES in perms:
        return True
    if MunicipalityPerm.WORK_CASES not in perms:
        return False
    assignments = getattr(case, "assignments", None)
    if assignments is not None:
        return any(grant.user_id == user.pk for grant in assignments)
    return Case.objects.filter(Q(pk=case.pk) & Q(_assigned_to(user))).exists()


def may_see_contact_card(user: AnyUser, case: Case, access: CaseAccess) -> bool:
    """The contact card (phone, the safe way to reach the client, the network) is shown to
    the case's readers (never to a police liaison: it is no shared part), and of a protected
    identity only where its address is (`may_see_protected_identity`): it is identity data."""
    return access.read and may_see_protected_identity(user, case)


# --- Saved caseload filters -----------------------------------------------------------------


def saved_caseload_filters_of(user: AnyUser) -> QuerySet[SavedCaseloadFilter]:
    """The caseload filters the user saved: their own only (saved filters are never shared)."""
    if not user.is_authenticated:
        return SavedCaseloadFilter.objects.none()
    return SavedCaseloadFilter.objects.filter(user__pk=user_pk(user))


def get_saved_caseload_filter_for_user(user: AnyUser, filter_id: int) -> SavedCaseloadFilter:
    """The user's own saved filter; anyone else's, or none, is 404 (the attempt logged)."""
    found = saved_caseload_filters_of(user).filter(pk=filter_id).first()
    if found is None:
        access_log_refusal(user=user, what="saved caseload filter")
        raise Http404
    return found


# --- Reports --------------------------------------------------------------------------------


def reports_visible_to(user: AnyUser) -> QuerySet[Report]:
    """The reports the user may read, by the audience stored on each report:
    - case staff: whoever may read the whole case file now;
    - managers: the managers of the municipality the report is about;
    - police: the liaisons the case is shared with now, and the case's managers.
    Access follows the case: a revoked share or a transfer changes who reads its reports.
    """
    grants = grants_for(user)
    managed = grants.municipalities_with(MunicipalityPerm.MANAGE_CASES)
    condition = Q(audience=ReportAudience.CASE_STAFF, case__in=cases_visible_to(user))
    if managed:
        condition |= Q(audience=ReportAudience.MANAGERS, municipality_id__in=managed)
        condition |= Q(audience=ReportAudience.POLICE, case__municipality_id__in=managed)
    if grants.police_regions:
        condition |= Q(audience=ReportAudience.POLICE, case__in=cases_shared_with(user))
    return Report.objects.filter(condition)


def get_report_for_user(user: AnyUser, report_id: int, *, what: str = "report") -> Report:
    """The report, if the user may read it; otherwise 404."""
    report = (
        reports_visible_to(user)
        .select_related("case", "municipality", "requested_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        # Logged like a refused case (see get_case_for_user), tied to the report's case or,
        # for a caseload report, to its municipality.
        existing = (
            Report.objects.select_related("case", "municipality").filter(pk=report_id).first()
        )
        access_log_refusal(
            user=user,
            what=what,
            case=existing.case if existing else None,
            obj=existing,
            municipality=existing.municipality if existing and not existing.case else None,
        )
        raise Http404
    return report


def may_request_report(
    user: AnyUser,
    kind: ReportKind,
    *,
    case: Case | None = None,
    municipality: Municipality | None = None,
) -> bool:
    """May the user ask for a report of this kind on this subject (and so read it)?"""
    if kind == ReportKind.CASELOAD:
        managed = grants_for(user).municipalities_with(MunicipalityPerm.MANAGE_CASES)
        return municipality is not None and municipality.pk in managed
    if case is None:
        return False
    return kind in case_report_kinds(case_access(user, case))


def case_report_kinds(access: CaseAccess) -> list[ReportKind]:
    """The kinds of report on a case that a user with `access` may ask for: the follow-up
    report with the case file, the police summary for its managers and shared liaisons."""
    kinds = []
    if access.read:
        kinds.append(ReportKind.CASE_FOLLOW_UP)
    if access.manage or access.view_shared:
        kinds.append(ReportKind.POLICE_SUMMARY)
    return kinds


# --- Per-case grants ------------------------------------------------------------------------


def _case_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename=codename)


def case_grant_assignment(*, case: Case, user: User) -> None:
    """Record that `user` works on `case` (the per-case grant behind "my cases")."""
    CaseUserObjectPermission.objects.get_or_create(
        content_object=case, user=user, permission=_case_permission(ASSIGNMENT_PERM)
    )


def case_revoke_assignment(*, case: Case, user: User) -> None:
    CaseUserObjectPermission.objects.filter(
        content_object=case, user=user, permission__codename=ASSIGNMENT_PERM
    ).delete()


def case_revoke_police_share(
    *, case: Case, liaison: User | None = None, region: PoliceRegion | None = None
) -> None:
    if liaison is not None:
        CaseUserObjectPermission.objects.filter(
            content_object=case, user=liaison, permission__codename=POLICE_SHARE_PERM
        ).delete()
    if region is not None:
        CaseGroupObjectPermission.objects.filter(
            content_object=case,
            group__role_group__police_region=region,
            permission__codename=POLICE_SHARE_PERM,
        ).delete()


def case_grant_police_share(
    *, case: Case, liaison: User | None = None, region: PoliceRegion | None = None
) -> None:
    """Let one liaison, or every liaison of a region, see the shared parts of `case`."""
    perm = _case_permission(POLICE_SHARE_PERM)
    if liaison is not None:
        CaseUserObjectPermission.objects.get_or_create(
            content_object=case, user=liaison, permission=perm
        )
    if region is not None:
        group = role_group_get_or_create(role=Role.POLICE_LIAISON, police_region=region)
        CaseGroupObjectPermission.objects.get_or_create(
            content_object=case, group=group, permission=perm
        )
