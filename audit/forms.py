"""The filters of the access log pages (a GET form: they hold no identity data, so they may
travel in the URL and be bookmarked and paged).

An invalid field is reported and then ignored, not fatal (as the caseload's filters).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from audit.models import AccessAction
from audit.selectors import AccessLogFilters, LogPerson
from exitprog.forms import CleanInputForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Far enough out for any log; inside them a day's start and the next day's are valid datetimes.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9998, 12, 31)


def _date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AccessLogFilterForm(CleanInputForm):
    # The people come from the log itself (`offer_people`), after the form is read: the same
    # query counts the entries that match, so the choice is checked there, not by a query here.
    person = forms.IntegerField(label=_("Person"), required=False, min_value=1, widget=forms.Select)
    action = forms.ChoiceField(
        label=_("What was done"),
        required=False,
        choices=[("", _("Anything")), *AccessAction.choices],
    )
    date_from = _date_field(_("From (date)"))
    date_to = _date_field(_("To (date)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer_people([])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first is not None and last is not None and last < first:
            self.add_error("date_to", _("The last date is before the first."))
        return data

    def offer_people(self, people: list[LogPerson]) -> None:
        """Let the person filter choose among `people`; a person not among them is an error."""
        choices = [("", _("Anyone")), *((p.user_id, p.name) for p in people)]
        widget = self.fields["person"].widget
        assert isinstance(widget, forms.Select)  # noqa: S101 (declared above)
        widget.choices = choices
        chosen = getattr(self, "cleaned_data", {}).get("person")
        if chosen is not None and chosen not in {p.user_id for p in people}:
            self.add_error("person", _("Choose a person from the list."))

    def filters(self) -> AccessLogFilters:
        """The filters of the valid fields; a field with an error counts as not set."""
        if self.is_bound and not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AccessLogFilters(
            user_id=data.get("person"),
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            security_only=bool(data.get("security_only")),
        )


class MunicipalityAccessLogFilterForm(AccessLogFilterForm):
    security_only = forms.BooleanField(
        label=_("Security events only (refused attempts)"), required=False
    )
