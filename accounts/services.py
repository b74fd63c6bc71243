"""Writes on municipalities, police regions and role grants."""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import (
    CASE_ROLES,
    Municipality,
    PoliceRegion,
    Role,
    RoleGrant,
    RoleGroup,
    User,
)
from accounts.roles import forget_grants, role_group_get_or_create
from exitprog.concurrency import StaleEditError, locked_if_unchanged

MUNICIPALITIES_CSV = Path(settings.BASE_DIR) / "data" / "se_municipalities.csv"

# The Swedish Police Authority's seven regions and the counties (by county code) each covers.
POLICE_REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "nord": ("Polisregion Nord", ("22", "23", "24", "25")),
    "mitt": ("Polisregion Mitt", ("03", "19", "21")),
    "bergslagen": ("Polisregion Bergslagen", ("17", "18", "20")),
    "stockholm": ("Polisregion Stockholm", ("01", "09")),
    "ost": ("Polisregion Öst", ("04", "05", "06")),
    "vast": ("Polisregion Väst", ("13", "14")),
    "syd": ("Polisregion Syd", ("07", "08", "10", "12")),
}


@transaction.atomic
def municipalities_load(*, path: Path = MUNICIPALITIES_CSV) -> tuple[int, int]:
    """Create or update the police regions and the municipalities from the SCB list.

    Returns (created, updated). Safe to run again: rows are matched on their code, and the
    local settings of a municipality (runs_program, team_visibility) are left as they are.
    """
    region_by_county: dict[str, PoliceRegion] = {}
    for code, (name, counties) in POLICE_REGIONS.items():
        region, _ = PoliceRegion.objects.update_or_create(code=code, defaults={"name": name})
        for county in counties:
            region_by_county[county] = region

    existing = {m.code: m for m in Municipality.objects.all()}
    created = updated = 0
    new: list[Municipality] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            values = {
                "name": row["name"],
                "county_code": row["county_code"],
                "county_name": row["county_name"],
                "latitude": Decimal(row["lat"]),
                "longitude": Decimal(row["lon"]),
                "population": int(row["population"]),
                "police_region": region_by_county[row["county_code"]],
            }
            muni = existing.get(row["code"])
            if muni is None:
                new.append(Municipality(code=row["code"], **values))
                created += 1
            elif any(getattr(muni, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(muni, key, value)
                muni.save(update_fields=list(values))
                updated += 1
    Municipality.objects.bulk_create(new)
    return created, updated


class RoleRuleError(ValidationError):
    """A role grant the rules refuse; the message is meant for the person granting it."""


def _roles_held(user: User) -> set[str]:
    return set(RoleGroup.objects.filter(group__user=user).values_list("role", flat=True).distinct())


def role_grant_refusal(*, user: User, role: Role, by: object = None) -> str:
    """Why `role` may not go to `user` (given by `by`), or "" if it may.

    Separation of duties: an administrator never also holds a role that reads cases, and
    nobody changes their own roles.
    """
    if by is not None and getattr(by, "pk", None) == user.pk:
        return _("You cannot change your own roles.")
    held = _roles_held(user)
    if role == Role.ADMINISTRATOR and held & CASE_ROLES:
        return _("An administrator cannot also hold a role that reads cases (%(roles)s).") % {
            "roles": ", ".join(str(Role(r).label) for r in sorted(held & CASE_ROLES))
        }
    if role in CASE_ROLES and Role.ADMINISTRATOR in held:
        return _("An administrator cannot also hold the role %(role)s.") % {"role": role.label}
    return ""


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: Role,
    municipality: Municipality | None = None,
    police_region: PoliceRegion | None = None,
    by: User | None = None,
) -> RoleGrant:
    """Give `user` the role in a place, and record who gave it and when.

    Separation of duties: an administrator never also holds a case role (CASE_ROLES), and
    nobody grants a role to themselves; the database refuses the first too (the trigger of
    accounts/migrations/0004). Granting a role the user holds already changes nothing and
    returns the current grant. `by` is None only for the system's own set-up (seed data,
    management commands run on the server).
    """
    # Lock the user: two grants at once cannot both pass the separation check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if refusal := role_grant_refusal(user=user, role=role, by=by):
        raise RoleRuleError(refusal, code="separation_of_duties")
    group = role_group_get_or_create(
        role=role, municipality=municipality, police_region=police_region
    )
    current = RoleGrant.objects.filter(
        user=user, role_group__group=group, revoked_at__isnull=True
    ).first()
    if current is not None:
        return current
    user.groups.add(group)
    grant = RoleGrant.objects.create(user=user, role_group=group.role_group, granted_by=by)
    if role == Role.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_grants(user)
    return grant


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else _("the system")


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def grant_changed_message(current: RoleGrant) -> str:
    """Why a revocation chosen on an older page was refused, with the grant as it is now."""
    values = {
        "user": _name(current.user),
        "role": current.role_group.get_role_display(),
        "granted_at": _when(current.granted_at),
        "granted_by": _name(current.granted_by),
    }
    if current.revoked_at is not None:
        return _(
            "The role %(role)s of %(user)s was already revoked, on %(revoked_at)s by "
            "%(revoked_by)s. Nothing was changed."
        ) % {
            **values,
            "revoked_at": _when(current.revoked_at),
            "revoked_by": _name(current.revoked_by),
        }
    return (
        _(
            "The role %(role)s of %(user)s changed after you opened the page: it is now held "
            "since %(granted_at)s, granted by %(granted_by)s. Nothing was revoked; check it and "
            "revoke again if you still mean to."
        )
        % values
    )


def _grant_as_seen(*, user: User, groups: QuerySet[Group], seen: datetime.datetime) -> RoleGrant:
    """The user's latest grant of the role (locked), if it is still current and unchanged
    since `seen`; otherwise StaleEditError with that grant as it is now."""
    grants = RoleGrant.objects.filter(user=user, role_group__group__in=groups).select_related(
        "user", "role_group", "granted_by", "revoked_by"
    )
    latest = grants.order_by("-granted_at", "-pk").values_list("pk", flat=True).first()
    if latest is None:
        raise RoleRuleError(
            _("%(user)s holds no such role.") % {"user": _name(user)}, code="not_held"
        )
    try:
        grant = locked_if_unchanged(grants, pk=latest, seen=seen)
    except StaleEditError as exc:
        raise StaleEditError(grant_changed_message(exc.current), current=exc.current) from None
    if grant.revoked_at is not None:
        raise StaleEditError(grant_changed_message(grant), current=grant)
    return grant


@transaction.atomic
def role_revoke(
    *,
    user: User,
    role: Role,
    municipality: Municipality | None = None,
    police_region: PoliceRegion | None = None,
    by: User | None = None,
    seen: datetime.datetime | None = None,
) -> None:
    """End the user's role in a place; the grant stays as the record of who held it.

    `seen` is the `updated_at` of the grant as the page that offered the revocation showed
    it. If that grant is no longer the current one unchanged (someone else revoked it, or
    revoked it and granted the role again), the revocation is refused with StaleEditError,
    whose message and `current` give the latest grant as it is now.
    """
    if by is not None and by.pk == user.pk:
        raise RoleRuleError(_("You cannot change your own roles."), code="self")
    groups = Group.objects.filter(
        role_group__role=role,
        role_group__municipality=municipality,
        role_group__police_region=police_region,
    )
    if seen is not None:
        _grant_as_seen(user=user, groups=groups, seen=seen)
    user.groups.remove(*groups)
    now = timezone.now()
    # A queryset update skips auto_now: the grant's `updated_at` is set with its revocation.
    RoleGrant.objects.filter(
        user=user, role_group__group__in=groups, revoked_at__isnull=True
    ).update(revoked_at=now, revoked_by=by, updated_at=now)
    if role == Role.ADMINISTRATOR:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    forget_grants(user)
