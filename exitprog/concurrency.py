"""Optimistic locking: a form opened before someone else's save is refused, not applied.

Every mutable record has `updated_at` (auto_now). A form that edits one carries the value it
had when the form was opened, in a hidden `seen` field (`SeenFormMixin`). The service takes
the row with `locked_if_unchanged`, which locks it and compares: if it changed in between, the
save is refused with `StaleEditError`, which holds the record as it is now, so the page can
show the current values beside what the user typed (kept) and let them decide again.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else changed this after you opened the form. Nothing was saved: the current "
    "values are shown above, and what you typed is kept below. Check it and save again."
)


class StaleEditError[M: models.Model](ValidationError):
    """The record changed after the user opened the form: the save is refused, and `current`
    is the record as it is now, for the page to show."""

    def __init__(self, message: Any = None, *, current: M) -> None:
        super().__init__(message or STALE_MESSAGE, code="stale")
        self.current = current


def locked_if_unchanged[M: models.Model](
    queryset: models.QuerySet[M],
    *,
    pk: Any,
    seen: datetime.datetime | None,
    message: Any = None,
) -> M:
    """The row `pk` of `queryset`, locked until the transaction ends (call it inside one).
    Refused with StaleEditError when `seen` (its `updated_at` when the form was opened) is
    given and the row has changed since."""
    current = queryset.select_for_update(of=("self",)).get(pk=pk)
    if seen is not None and current.updated_at != seen:  # type: ignore[attr-defined]
        raise StaleEditError(message, current=current)
    return current


def seen_value(record: models.Model) -> str:
    """What the hidden `seen` field carries for `record`."""
    return record.updated_at.isoformat()  # type: ignore[attr-defined]


class SeenFormMixin:
    """Adds the hidden `seen` field to a form that edits `record` (a keyword argument)."""

    fields: dict[str, forms.Field]
    data: Any

    def __init__(self, *args: Any, record: models.Model | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen"] = forms.DateTimeField(
            label=_("When the form was opened"),
            widget=forms.HiddenInput,
            required=False,
            error_messages={"invalid": _("The form is damaged. Open it again from the case.")},
        )
        initial = self.initial  # type: ignore[attr-defined]
        if record is not None and "seen" not in initial:
            initial["seen"] = seen_value(record)

    def rebind_seen(self, current: models.Model) -> None:
        """After a refused stale save: the user's input stays, and the next save is checked
        against the record as it is now (saving again is a choice made over its values)."""
        data = self.data.copy()
        data[self.add_prefix("seen")] = seen_value(current)  # type: ignore[attr-defined]
        self.data = data
        self._errors = None
        self.is_valid()  # type: ignore[attr-defined]
