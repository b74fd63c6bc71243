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
            for model in ("user", "municipality", "policeregion")
            for action in ("view", "add", "change")
        ),
        # Role groups are made by the role service; grants are added (through it) and
        # revoked, never edited.
        "accounts.view_rolegroup",
        "accounts.view_rolegrant",
        "accounts.add_rolegrant",
        # Which notification e-mails failed (never the case they are about).
        "notifications.view_notification",
        *(
            f"{app}.{action}_{model}"
            for app, model in (
                ("cases", "need"),
                ("cases", "interventiontype"),
                ("cases", "criminalgroup"),
                ("cases", "groupconflict"),
                ("agencies", "agency"),
            )
            for action in ("view", "add", "change")
        ),
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


def national_role_groups_refresh(**kwargs: object) -> None:
    """Give the national roles' groups exactly the permissions of ROLE_GLOBAL_PERMS.

    Run after every migrate (post_migrate), so that a change of the table reaches the groups
    of an installation made before it; a fresh database has no such groups yet.
    """
    for role_group in RoleGroup.objects.filter(
        role__in=ROLE_GLOBAL_PERMS, municipality__isnull=True, police_region__isnull=True
    ).select_related("group"):
        role_group.group.permissions.set(
            _global_permissions(ROLE_GLOBAL_PERMS[Role(role_group.role)])
        )


# The attribute of a user object that holds its cached grants (access.policy.grants_for).
GRANTS_CACHE = "_exitprog_grants"


def forget_grants(user: object) -> None:
    """Drop the cached grants, after a role was granted or revoked in this request."""
    vars(user).pop(GRANTS_CACHE, None)


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
