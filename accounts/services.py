"""Writes on municipalities, police regions and role grants."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from access.policy import forget_grants
from accounts.models import Municipality, PoliceRegion, Role, User
from accounts.roles import role_group_get_or_create

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


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: Role,
    municipality: Municipality | None = None,
    police_region: PoliceRegion | None = None,
) -> None:
    group = role_group_get_or_create(
        role=role, municipality=municipality, police_region=police_region
    )
    user.groups.add(group)
    if role == Role.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_grants(user)


@transaction.atomic
def role_revoke(
    *,
    user: User,
    role: Role,
    municipality: Municipality | None = None,
    police_region: PoliceRegion | None = None,
) -> None:
    groups = Group.objects.filter(
        role_group__role=role,
        role_group__municipality=municipality,
        role_group__police_region=police_region,
    )
    user.groups.remove(*groups)
    if role == Role.ADMINISTRATOR:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    forget_grants(user)
