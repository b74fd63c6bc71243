"""The session's time-out, seen from the page: how long a session lasts without a request, when
the page warns that it is about to end, and the endpoint behind "Stay signed in".

Sessions end after SESSION_COOKIE_AGE seconds without a request (SESSION_SAVE_EVERY_REQUEST
moves the expiry on at every request, this one's too). static/js/session.js reads these times
from data attributes (templates/includes/session_timeout.html), warns `warning_seconds` before
the end, and keeps what the user typed in the tab's sessionStorage once the session has ended.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

# The warning comes this long before the session ends (or at half the session's length, if
# that is shorter).
WARNING_SECONDS = 5 * 60


@dataclass(frozen=True)
class SessionTimes:
    age_seconds: int
    warning_seconds: int


def session_times() -> SessionTimes:
    """The session's length and when the page warns, from the settings of this request."""
    age = int(settings.SESSION_COOKIE_AGE)
    return SessionTimes(age_seconds=age, warning_seconds=min(WARNING_SECONDS, age // 2))


@never_cache
@require_POST
def session_refresh(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": the request itself moves the session's expiry on. Asked by the page's
    script (JSON), or by the button's own form without a script (back to `next`). A session that
    has already ended gets the login page, as any other request (LoginRequiredMiddleware)."""
    request.session.modified = True
    times = session_times()
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"expires_in": times.age_seconds})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return HttpResponseRedirect(target)
