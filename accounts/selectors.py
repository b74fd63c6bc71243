"""Reads on users and their roles."""

from django.db.models import F, QuerySet

from accounts.models import Municipality, RoleGrant


def role_grants_in(*, municipality: Municipality) -> QuerySet[RoleGrant]:
    """Every grant of a role in the municipality, current ones first, then newest first.

    One query: the holder, the role and who granted and revoked it come along.
    """
    return (
        RoleGrant.objects.filter(role_group__municipality=municipality)
        .select_related("user", "role_group", "granted_by", "revoked_by")
        .order_by(
            F("revoked_at").desc(nulls_first=True),
            "role_group__role",
            "user__last_name",
            "-granted_at",
        )
    )
