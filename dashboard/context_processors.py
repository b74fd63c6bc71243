"""Navigation by role, for the app shell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access import policy
from accounts.models import Municipality, Role
from accounts.roles import MunicipalityPerm
from accounts.types import AnyUser

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _access_log_items(user: AnyUser) -> list[tuple[str, StrOrPromise]]:
    """A link to the access log of each municipality whose log the user may read (its
    managers). The ids come from the user's grants: one municipality costs no query; only a
    manager of several needs their names."""
    ids = sorted(policy.grants_for(user).municipalities_with(MunicipalityPerm.VIEW_ACCESS_LOG))
    if not ids:
        return []
    if len(ids) == 1:
        return [(reverse("audit:municipality_access_log", args=ids), _("Access log"))]
    return [
        (
            reverse("audit:municipality_access_log", args=[m.pk]),
            _("Access log of %(municipality)s") % {"municipality": m.name},
        )
        for m in Municipality.objects.filter(pk__in=ids).order_by("name")
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = policy.grants_for(user).role_set
    items: list[tuple[str, StrOrPromise]] = [(reverse("home"), _("Home"))]
    if roles & {Role.CASEWORKER, Role.MANAGER}:
        items.append((reverse("cases:caseload"), _("Caseload")))
        items.append((reverse("cases:new"), _("New inquiry")))
        items.append((reverse("referrals:list"), _("Referrals")))
    if Role.MANAGER in roles:
        items.append((reverse("cases:transfers"), _("Transfers")))
    items.extend(_access_log_items(user))
    if roles & {Role.CASEWORKER, Role.MANAGER, Role.POLICE_LIAISON}:
        items.append((reverse("reports:list"), _("Reports")))
    if Role.ADMINISTRATOR in roles:
        items.append((reverse("admin:index"), _("Administration")))
    # The user's own: in the account menu beside the name, not in the main navigation.
    account = [(reverse("password_change"), _("Change password"))]
    current = request.path
    return {
        "nav_items": [
            {"url": url, "label": label, "current": url == current} for url, label in items
        ],
        "account_items": [
            {"url": url, "label": label, "current": url == current} for url, label in account
        ],
        "user_roles": sorted(Role(r).label for r in roles),
    }
