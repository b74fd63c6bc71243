"""Writes on municipalities, police regions and role grants."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
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


@transaction.atomic
def role_revoke(
    *,
    user: User,
    role: Role,
    municipality: Municipality | None = None,
    police_region: PoliceRegion | None = None,
    by: User | None = None,
) -> None:
    """End the user's role in a place; the grant stays as the record of who held it."""
    if by is not None and by.pk == user.pk:
        raise RoleRuleError(_("You cannot change your own roles."), code="self")
    groups = Group.objects.filter(
        role_group__role=role,
        role_group__municipality=municipality,
        role_group__police_region=police_region,
    )
    user.groups.remove(*groups)
    RoleGrant.objects.filter(
        user=user, role_group__group__in=groups, revoked_at__isnull=True
    ).update(revoked_at=timezone.now(), revoked_by=by)
    if role == Role.ADMINISTRATOR:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    forget_grants(user)
