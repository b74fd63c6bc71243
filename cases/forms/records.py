"""Forms that record things in a case: assessments, threats, needs, interventions, journal...

The forms only parse and check the shape of the input (required, a date, a number, a choice
from the list); the business rules live in `cases.services` and come back as `CaseRuleError`.
"""

import datetime
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from agencies.models import Agency
from cases.models import (
    AffiliationRole,
    CriminalGroup,
    InformationKind,
    Instrument,
    InstrumentCriterion,
    InstrumentItem,
    Intervention,
    InterventionOutcome,
    InterventionStatus,
    InterventionType,
    JournalCategory,
    Need,
    PlacementKind,
    Recommendation,
    StageOfChange,
    ThreatLevel,
    ThreatSource,
)
from cases.services import INTERVENTION_FIELDS
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- Widgets and fields -----------------------------------------------------------------------


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(
    label: "StrOrPromise", *, required: bool = True, today: bool = False, **kwargs: Any
) -> forms.DateField:
    """A date field with the date picker; `today` makes today's date the initial value."""
    if today:
        kwargs["initial"] = timezone.localdate
    return forms.DateField(label=label, required=required, widget=DateInput, **kwargs)


class _FirstOptionLabel:
    """Point the error summary's link (`id_for_label`) at the group's first option.

    Django returns no id for a whole radio or checkbox group, which leaves the summary's
    link empty; the first option is where a keyboard user should land to answer.
    """

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if index is None:
            return f"{id_}_0" if id_ else ""
        return super().id_for_label(id_, index)  # type: ignore[misc]


class ChoiceRadios(_FirstOptionLabel, forms.RadioSelect):
    """Radio buttons, rendered as a fieldset by `cases/records/_choice_fieldset.html`."""


class ChoiceCheckboxes(_FirstOptionLabel, forms.CheckboxSelectMultiple):
    """Checkboxes, rendered as a fieldset by `cases/records/_choice_fieldset.html`."""


_SPACES = re.compile(r"\s+")


class LocalizedDecimalField(forms.DecimalField):
    """A decimal number in the user's language: "1 500,50" in Swedish, "1,500.50" in English.

    Django's localized parsing turns the decimal comma into a point but keeps the digit
    groups people type (a space in Swedish, a comma in English) unless the whole site uses
    thousand separators. Spaces of any kind are removed here; the language's own separator
    only when it really groups digits by three, so "1,5" in English stays an error.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["localize"] = True
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # stubs: int
        if isinstance(value, str):
            value = _SPACES.sub("", value)
            thousands = str(get_format("THOUSAND_SEPARATOR"))
            decimal = str(get_format("DECIMAL_SEPARATOR"))
            if thousands.strip() and thousands != decimal:
                grouped = (
                    rf"[-+]?\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+"
                    rf"(?:{re.escape(decimal)}\d*)?"
                )
                if re.fullmatch(grouped, value):
                    value = value.replace(thousands, "")
        return super().to_python(value)


def _note(
    label: "StrOrPromise", *, max_length: int | None = None, rows: int = 3
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _active_or_current(queryset: QuerySet[Any], current_id: int | None) -> QuerySet[Any]:
    """The active entries, plus the one already chosen even if it was retired since."""
    condition = Q(active=True)
    if current_id is not None:
        condition |= Q(pk=current_id)
    return queryset.filter(condition)


# --- Optimistic locking -----------------------------------------------------------------------


class SeenForm(SeenFormMixin, CleanInputForm):
    """Only the hidden `seen` field: the one-button forms (revoke a consent, end a share,
    withdraw a transfer) post the `updated_at` their record had when the page was shown."""


# --- Assessments ------------------------------------------------------------------------------


def _met(value: str) -> bool:
    return value == "met"


class AssessmentForm(CleanInputForm):
    """A motivation assessment on `instrument`: one radio group per item and per criterion."""

    assessed_on = date_field(_("Date of assessment"), today=True)
    stage = forms.ChoiceField(
        label=_("Stage of change"), choices=StageOfChange.choices, widget=ChoiceRadios
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=ChoiceRadios
    )
    notes = _note(_("Notes"), rows=5)

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.items: list[InstrumentItem] = list(instrument.items.all())
        self.criteria: list[InstrumentCriterion] = list(instrument.criteria.all())
        for item in self.items:
            self.fields[self.item_field(item)] = forms.TypedChoiceField(
                label=item.text,
                choices=[(str(n), str(n)) for n in range(item.max_score + 1)],
                coerce=int,
                widget=ChoiceRadios,
                help_text=_("0 means not at all, %(max)s fully.") % {"max": item.max_score},
            )
        for criterion in self.criteria:
            self.fields[self.criterion_field(criterion)] = forms.TypedChoiceField(
                label=criterion.text,
                choices=[("met", _("Met")), ("not_met", _("Not met"))],
                coerce=_met,
                widget=ChoiceRadios,
            )
        self.order_fields(
            [
                "assessed_on",
                "stage",
                *(self.item_field(i) for i in self.items),
                *(self.criterion_field(c) for c in self.criteria),
                "recommendation",
                "notes",
            ]
        )

    @staticmethod
    def item_field(item: InstrumentItem) -> str:
        return f"item_{item.pk}"

    @staticmethod
    def criterion_field(criterion: InstrumentCriterion) -> str:
        return f"criterion_{criterion.pk}"

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[self.item_field(i)] for i in self.items]

    @property
    def criterion_fields(self) -> list[forms.BoundField]:
        return [self[self.criterion_field(c)] for c in self.criteria]

    def scores(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[self.item_field(item)] for item in self.items}

    def criteria_checked(self) -> dict[int, bool]:
        return {c.pk: self.cleaned_data[self.criterion_field(c)] for c in self.criteria}


# --- Threats, needs ---------------------------------------------------------------------------


class ThreatForm(CleanInputForm):
    level = forms.TypedChoiceField(
        label=_("Threat level"), choices=ThreatLevel.choices, coerce=int, widget=ChoiceRadios
    )
    source = forms.ChoiceField(label=_("Source"), choices=ThreatSource.choices, widget=ChoiceRadios)
    assessed_on = date_field(_("Date of assessment"), today=True)
    note = _note(_("Note"), rows=4)


class NeedForm(CleanInputForm):
    need = forms.ModelChoiceField(label=_("Need"), queryset=Need.objects.none())
    identified_on = date_field(_("Identified"), today=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = Need.objects.filter(active=True)  # type: ignore[attr-defined]


class NeedResolveForm(SeenFormMixin, CleanInputForm):
    """The small form next to each open need on the case page; an empty date means today.
    `record=need` puts the need's `updated_at` in the hidden `seen` field."""

    resolved_on = date_field(_("Resolved"), required=False)

    def resolved(self) -> datetime.date:
        day: datetime.date | None = self.cleaned_data["resolved_on"]
        return day or timezone.localdate()


# --- Interventions ----------------------------------------------------------------------------


class InterventionForm(SeenFormMixin, CleanInputForm):
    type = forms.ModelChoiceField(label=_("Type"), queryset=InterventionType.objects.none())
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("The program's own unit"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=InterventionStatus.choices, initial=InterventionStatus.PLANNED
    )
    planned_start = date_field(_("Planned start"), required=False)
    planned_end = date_field(_("Planned end"), required=False)
    actual_start = date_field(_("Actual start"), required=False)
    actual_end = date_field(_("Actual end"), required=False)
    cost_sek = LocalizedDecimalField(
        label=_("Cost (SEK)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_("In kronor, for example 1500.50."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Not assessed yet")), *InterventionOutcome.choices],
        required=False,
    )
    outcome_note = _note(_("Outcome note"), rows=4)

    def __init__(self, *args: Any, intervention: Intervention | None = None, **kwargs: Any) -> None:
        # An edit carries the intervention's `updated_at` in the hidden `seen` field
        # (optimistic locking, exitprog.concurrency).
        if intervention is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(intervention, f) for f in INTERVENTION_FIELDS}
        super().__init__(*args, record=intervention, **kwargs)
        self.fields["type"].queryset = _active_or_current(  # type: ignore[attr-defined]
            InterventionType.objects.all(), intervention.type_id if intervention else None
        )
        self.fields["provider"].queryset = _active_or_current(  # type: ignore[attr-defined]
            Agency.objects.all(), intervention.provider_id if intervention else None
        )

    def values(self) -> dict[str, Any]:
        """Every field but the type, as the keywords of the intervention services."""
        return {f: self.cleaned_data[f] for f in INTERVENTION_FIELDS if f != "type"}


# --- Journal ----------------------------------------------------------------------------------


class JournalForm(CleanInputForm):
    occurred_on = date_field(_("Date of the event"), today=True)
    category = forms.ChoiceField(label=_("Category"), choices=JournalCategory.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))


# --- Consent ----------------------------------------------------------------------------------


class ConsentForm(CleanInputForm):
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies that may receive information"),
        queryset=Agency.objects.none(),
        widget=ChoiceCheckboxes,
    )
    information = forms.MultipleChoiceField(
        label=_("Kinds of information"), choices=InformationKind.choices, widget=ChoiceCheckboxes
    )
    valid_from = date_field(_("Valid from"), today=True)
    valid_until = date_field(
        _("Valid until"), required=False, help_text=_("Leave empty if the consent has no end.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self, *args: Any, given_by: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        """`given_by`: for a young client, who may have given the consent (the client, and
        each of the client's guardians, `cases.guardians`); one or several are ticked."""
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(active=True)  # type: ignore[attr-defined]
        if given_by:
            self.fields["given_by"] = forms.MultipleChoiceField(
                label=_("Given by"),
                choices=given_by,
                widget=ChoiceCheckboxes,
                help_text=_("The client is young: whose consent is it?"),
            )


# --- Group affiliations -----------------------------------------------------------------------


class AffiliationForm(CleanInputForm):
    group = forms.ModelChoiceField(label=_("Group"), queryset=CriminalGroup.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=AffiliationRole.choices, widget=ChoiceRadios)
    started_on = date_field(_("From"), required=False)
    ended_on = date_field(_("Until"), required=False)
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=120,
        help_text=_("Where the information comes from, for example the police or the client."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = CriminalGroup.objects.filter(active=True)  # type: ignore[attr-defined]


# --- Corrections: reopening, ending and correcting records (issue 11) -------------------------
# Each form carries the record's `updated_at` in the hidden `seen` field (`record=`). The pages
# that end or reopen something are their own confirmation: they say what will happen and
# post a button named `confirm` (`CONFIRM`); a post without it saves nothing.

CONFIRM = "confirm"


class InterventionEndForm(SeenFormMixin, CleanInputForm):
    status = forms.ChoiceField(
        label=_("How did it end?"),
        choices=[
            (InterventionStatus.COMPLETED, _("Completed")),
            (InterventionStatus.CANCELLED, _("Cancelled")),
        ],
        widget=ChoiceRadios,
    )
    ended_on = date_field(_("Ended on"), today=True)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Not assessed yet")), *InterventionOutcome.choices],
        required=False,
    )


class ConsentCorrectForm(SeenFormMixin, CleanInputForm):
    information = forms.MultipleChoiceField(
        label=_("Kinds of information"), choices=InformationKind.choices, widget=ChoiceCheckboxes
    )
    valid_from = date_field(_("Valid from"))
    valid_until = date_field(
        _("Valid until"), required=False, help_text=_("Leave empty if the consent has no end.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self,
        *args: Any,
        consent: Any,
        given_by: list[tuple[str, str]] | None = None,
        given: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`given_by`, `given`: for a young client, who may have given the consent and who
        is recorded as having given it (`ConsentForm`)."""
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "information": list(consent.information),
                "valid_from": consent.valid_from,
                "valid_until": consent.valid_until,
                "note": consent.note,
                "given_by": given or [],
            }
        super().__init__(*args, record=consent, **kwargs)
        if given_by:
            self.fields["given_by"] = forms.MultipleChoiceField(
                label=_("Given by"),
                choices=given_by,
                widget=ChoiceCheckboxes,
                help_text=_("The client is young: whose consent is it?"),
            )


class AffiliationCorrectForm(SeenFormMixin, AffiliationForm):
    def __init__(self, *args: Any, affiliation: Any, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "group": affiliation.group_id,
                "role": affiliation.role,
                "started_on": affiliation.started_on,
                "ended_on": affiliation.ended_on,
                "source": affiliation.source,
            }
        super().__init__(*args, record=affiliation, **kwargs)
        self.fields["group"].queryset = _active_or_current(  # type: ignore[attr-defined]
            CriminalGroup.objects.all(), affiliation.group_id
        )


class PlacementCorrectForm(SeenFormMixin, CleanInputForm):
    """The placement form's fields (`cases.forms.police.PlacementForm`, which imports this
    module), for a correction."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices, widget=ChoiceRadios)
    started_on = date_field(_("From"))
    ended_on = date_field(
        _("Until"), required=False, help_text=_("Leave empty while the client lives there.")
    )

    def __init__(self, *args: Any, placement: Any, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "municipality": placement.municipality_id,
                "kind": placement.kind,
                "started_on": placement.started_on,
                "ended_on": placement.ended_on,
            }
        super().__init__(*args, record=placement, **kwargs)


class EndForm(SeenFormMixin, CleanInputForm):
    """The date a group affiliation or a placement ended (today unless told otherwise)."""

    ended_on = date_field(_("Ended on"), today=True)
