"""Optimistic locking in the small forms that post from a bigger page and go back to it.

The decision and a need's resolved date on the case page, a transfer's answer on the list, and
the one-button forms (revoke a consent, end a share, withdraw a transfer) carry the `updated_at`
their record had when the page was shown, in a hidden `seen` field (exitprog.concurrency). A
refusal goes back to the page with a message saying what the record is now (the service writes
it), and the page shows the record as it is now beside the input kept (`exitprog.http`).
"""

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from exitprog.concurrency import seen_value
from exitprog.http import input_keep

# Only a tampered or truncated post has a `seen` that cannot be read.
UNREADABLE_SEEN = _(
    "The form could not be checked against the record as it is now. Nothing was saved: "
    "check the values on the page and try again."
)


def keep_refused_input(
    request: HttpRequest, key: str, data: QueryDict, *, current: models.Model | None = None
) -> None:
    """Keep the input of a refused small form for the page's next GET (`exitprog.http`).

    After a stale refusal (or an unreadable `seen`) `current` is the record as it is now: the
    kept `seen` becomes its `updated_at`, so the next save is checked against the values the
    page then shows (saving again is a choice made over them). After any other refusal the
    `seen` stays as posted: the record must still be as the user first saw it.
    """
    if current is not None:
        data = data.copy()
        data["seen"] = seen_value(current)
    input_keep(request, key, data)


def unreadable_seen(request: HttpRequest) -> None:
    """The message for a form whose hidden `seen` could not be read: nothing is saved, and
    the page shows the record as it is now."""
    messages.error(request, str(UNREADABLE_SEEN))
