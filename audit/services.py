"""Writes to the access log."""

import ipaddress
from typing import cast

from axes.helpers import get_client_ip_address
from django.db import models
from django.http import HttpRequest

from access.policy import AnyUser
from accounts.models import User
from audit.models import AccessAction, AccessLogEntry
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


def access_log_record(
    *,
    user: AnyUser | None,
    action: AccessAction,
    case: Case | None = None,
    obj: models.Model | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
) -> AccessLogEntry:
    """Append one entry to the access log.

    One INSERT, in the caller's transaction: an access that is rolled back did not happen, and
    a refused access is recorded by a view in which nothing else fails. `detail` names what was
    touched ("journal entry", "access log"), never the content. The path is logged without its
    query string, which may hold search terms such as a client's name.
    """
    # AUTH_USER_MODEL is accounts.User: an authenticated user is one.
    known = cast(User, user) if user is not None and user.is_authenticated else None
    entry = AccessLogEntry(
        user=known,
        action=action,
        case=case,
        detail=detail[:_FIELD_LENGTH],
    )
    if obj is not None:
        entry.object_type = obj._meta.model_name or ""
        entry.object_id = "" if obj.pk is None else str(obj.pk)[:40]
    if request is not None:
        entry.ip_address = _client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:_FIELD_LENGTH]
        entry.path = request.path[:_FIELD_LENGTH]
    entry.save(force_insert=True)
    return entry
