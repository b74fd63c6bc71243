"""What each role grants, and the group that holds a role in a place.

A role is a Django group per role and place (`RoleGroup`) carrying guardian object permissions
on the municipality or police region (see `access.policy`, which reads them).
"""

import enum

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import (
    Municipality,
    MunicipalityGroupObjectPermission,
    PoliceRegion,
    PoliceRegionGroupObjectPermission,
    Role,
    RoleGroup,
)


class MunicipalityPerm(enum.StrEnum):
    VIEW_CASES = "view_cases"
    WORK_CASES = "work_cases"
    MANAGE_CASES = "manage_cases"
    VIEW_ACCESS_LOG = "view_access_log"


ROLE_MUNICIPALITY_PERMS: dict[Role, tuple[MunicipalityPerm, ...]] = {
    Role.CASEWORKER: (MunicipalityPerm.VIEW_CASES, MunicipalityPerm.WORK_CASES),
    Role.MANAGER: tuple(MunicipalityPerm),
}
ROLE_REGION_PERMS: dict[Role, tuple[str, ...]] = {Role.POLICE_LIAISON: ("liaise",)}
# Model-level permissions of the national roles. The administrator's cover users, places and
# role groups only; no case model appears here or in the admin.
ROLE_GLOBAL_PERMS: dict[Role, tuple[str, ...]] = {
    Role.ANALYST: ("accounts.view_statistics",),
    Role.ADMINISTRATOR: (
        *(
            f"accounts.{action}_{model}"
            for model in ("user", "municipality", "policeregion", "rolegroup")
            for action in ("view", "add", "change")
        ),
        *(
            f"{app}.{action}_{model}"
            for app, model in (
                ("cases", "need"),
                ("cases", "interventiontype"),
                ("cases", "criminalgroup"),
                ("cases", "groupconflict"),
                ("referrals", "agency"),
            )
            for action in ("view", "add", "change")
        ),
        "auth.view_group",
    ),
}


def _permissions(model: type, codenames: tuple[str, ...] | list[str]) -> list[Permission]:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(model)
    found = list(Permission.objects.filter(content_type=ct, codename__in=codenames))
    if len(found) != len(set(codenames)):
        raise LookupError(f"missing permissions {codenames} on {model}")
    return found


def _global_permissions(names: tuple[str, ...]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


@transaction.atomic
def role_group_get_or_create(
    *,
    role: Role,
    municipality: Municipality | None = None,
    police_region: PoliceRegion | None = None,
) -> Group:
    """The group that holds `role` in a place, made with its permissions on first use."""
    existing = RoleGroup.objects.filter(
        role=role, municipality=municipality, police_region=police_region
    ).select_related("group")
    if (found := existing.first()) is not None:
        return found.group
    scope = (
        f"{municipality.code}" if municipality else police_region.code if police_region else "se"
    )
    group = Group.objects.create(name=f"{role.value}@{scope}")
    RoleGroup.objects.create(
        group=group, role=role, municipality=municipality, police_region=police_region
    )
    if municipality is not None:
        for perm in _permissions(Municipality, [p.value for p in ROLE_MUNICIPALITY_PERMS[role]]):
            MunicipalityGroupObjectPermission.objects.create(
                group=group, permission=perm, content_object=municipality
            )
    elif police_region is not None:
        for perm in _permissions(PoliceRegion, list(ROLE_REGION_PERMS[role])):
            PoliceRegionGroupObjectPermission.objects.create(
                group=group, permission=perm, content_object=police_region
            )
    else:
        group.permissions.set(_global_permissions(ROLE_GLOBAL_PERMS[role]))
    return group
