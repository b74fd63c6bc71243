"""Who holds which role in a municipality: the page its managers review their staff on."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access import policy
from accounts.selectors import role_grants_in

PAST_GRANTS_SHOWN = 100


@require_GET
def municipality_roles(request: HttpRequest, municipality_id: int) -> HttpResponse:
    """Current role holders (since when, granted by whom) and the latest ended grants.

    For the municipality's managers only (404 for anyone else, logged as a refusal). It shows
    staff, not case content, so reading it is not an access-log entry.
    """
    municipality = policy.get_managed_municipality_for_user(
        request.user, municipality_id, what="roles of the municipality"
    )
    grants = list(role_grants_in(municipality=municipality))
    current = [g for g in grants if g.revoked_at is None]
    past = [g for g in grants if g.revoked_at is not None][:PAST_GRANTS_SHOWN]
    return render(
        request,
        "dashboard/municipality_roles.html",
        {"municipality": municipality, "current": current, "past": past},
    )
