"""The request being served, for the access log.

`audit.middleware.RequestContextMiddleware` sets it for the length of a request, so a service
or the access module can log the request's address, user agent and path without every view
passing the request along. Outside a request (Celery, management commands) it is None.
"""

from contextvars import ContextVar, Token

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def set_current_request(request: HttpRequest | None) -> Token[HttpRequest | None]:
    """Set the request; returns the token that `reset_current_request` takes."""
    return _current_request.set(request)


def reset_current_request(token: Token[HttpRequest | None]) -> None:
    _current_request.reset(token)
