"""Navigation by role, for the app shell."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access import policy
from accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = policy.grants_for(user).role_set
    items = [(reverse("home"), _("Home"))]
    if roles & {Role.CASEWORKER, Role.MANAGER}:
        items.append((reverse("cases:caseload"), _("Caseload")))
        items.append((reverse("cases:new"), _("New inquiry")))
        items.append((reverse("referrals:list"), _("Referrals")))
    if Role.MANAGER in roles:
        items.append((reverse("cases:transfers"), _("Transfers")))
    if roles & {Role.CASEWORKER, Role.MANAGER, Role.POLICE_LIAISON}:
        items.append((reverse("reports:list"), _("Reports")))
    if Role.ADMINISTRATOR in roles:
        items.append((reverse("admin:index"), _("Administration")))
    items.append((reverse("password_change"), _("Change password")))
    current = request.path
    return {
        "nav_items": [
            {"url": url, "label": label, "current": url == current} for url, label in items
        ],
        "user_roles": sorted(Role(r).label for r in roles),
    }
