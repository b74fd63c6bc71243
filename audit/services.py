"""Writes to the access log."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, cast

from axes.helpers import get_client_ip_address
from django.db import models, transaction
from django.http import HttpRequest

from accounts.models import Municipality, User
from accounts.types import AnyUser
from audit.context import current_request
from audit.models import AccessAction, AccessLogEntry
from exitprog.text import clean_line

if TYPE_CHECKING:  # the audit sink imports no app above accounts at run time
    from cases.models import Case

_FIELD_LENGTH = 300


def _client_ip(request: HttpRequest) -> str | None:
    """The client's address as django-axes resolves it for lock-outs; None if not an address."""
    address = get_client_ip_address(request)
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _header_text(value: str, field: str) -> str:
    """`value` as the access log may keep it in `field`: no control character (PostgreSQL
    refuses NUL in text, and a failed insert would lose the entry), no bidi control (that
    could make one line of the log read as another), cut to the column's length."""
    column = AccessLogEntry._meta.get_field(field)
    max_length = column.max_length if isinstance(column, models.CharField) else None
    return clean_line(str(value), max_length=max_length)


def access_log_record(
    *,
    user: AnyUser | None,
    action: AccessAction,
    case: Case | None = None,
    obj: models.Model | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
    municipality: Municipality | None = None,
) -> AccessLogEntry:
    """Append one entry to the access log.

    One INSERT, in the caller's transaction: an access that is rolled back did not happen, and
    a refused access is recorded by a view in which nothing else fails. `detail` names what was
    touched ("journal entry", "access log"), never the content. The path is logged without its
    query string, which may hold search terms such as a client's name.

    Without `request`, the address, agent and path come from the request being served (set
    by `audit.middleware.RequestContextMiddleware`); outside a request they stay empty.
    `municipality` defaults to the case's: the municipality whose managers review the entry.
    """
    # AUTH_USER_MODEL is accounts.User: an authenticated user is one.
    known = cast(User, user) if user is not None and user.is_authenticated else None
    entry = AccessLogEntry(
        user=known,
        action=action,
        case=case,
        municipality_id=(
            municipality.pk
            if municipality is not None
            else (case.municipality_id if case is not None else None)
        ),
        detail=detail[:_FIELD_LENGTH],
    )
    if obj is not None:
        entry.object_type = obj._meta.model_name or ""
        entry.object_id = "" if obj.pk is None else str(obj.pk)[:40]
    if request is None:
        request = current_request()
    if request is not None:
        entry.ip_address = _client_ip(request)
        entry.user_agent = _header_text(request.META.get("HTTP_USER_AGENT", ""), "user_agent")
        entry.path = _header_text(request.path, "path")
    entry.save(force_insert=True)
    return entry


def access_log_refusal(
    *,
    user: AnyUser | None,
    what: str,
    case: Case | None = None,
    obj: models.Model | None = None,
    municipality: Municipality | None = None,
) -> AccessLogEntry:
    """Record a refused attempt (a security event) that stands even though a 404 follows.

    The insert runs in its own `transaction.atomic()`: outside any transaction (views run
    without ATOMIC_REQUESTS) it commits at once, whatever the rest of the request does.
    Inside a caller's transaction it is a savepoint and goes with that transaction: keeping
    it after a rollback would need a second database connection, and no caller asks the
    access module inside a transaction that it then rolls back.
    """
    with transaction.atomic():
        return access_log_record(
            user=user,
            action=AccessAction.DENIED,
            case=case,
            obj=obj,
            detail=f"refused: {what}",
            municipality=municipality,
        )


def access_log_form_view(
    *, request: HttpRequest, case: Case, what: str, obj: models.Model | None = None
) -> None:
    """Log that a form page on a case was shown (a GET): form pages show case content too
    (the entry being corrected, an intervention's outcome note). A POST that fails
    validation shows the page again without a new entry; the write it leads to logs itself."""
    if request.method != "GET":
        return
    access_log_record(
        user=request.user, action=AccessAction.VIEW, case=case, obj=obj or case, detail=what
    )
