"""Puts the request being served where the access log finds it (see `audit.context`)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import reset_current_request, set_current_request


class RequestContextMiddleware:
    """Sets the current request for the view and everything it calls, and clears it after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_current_request(request)
        try:
            return self.get_response(request)
        finally:
            reset_current_request(token)
