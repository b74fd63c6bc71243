"""Forms of the intake, the state decisions and assignment."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, User
from cases.age import AgeBand
from cases.identity import parse_identity_number
from cases.models import CaseState, IntakeSource
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm


class IntakeForm(CleanInputForm):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=None
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    identity_number = forms.CharField(
        label=_("Personal identity or co-ordination number"),
        max_length=15,
        required=False,
        help_text=_(
            "YYYYMMDD-NNNN or YYMMDD-NNNN; use + instead of - for people aged 100 or more."
        ),
    )
    reserve_identity = forms.CharField(
        label=_("Reserve identity"),
        max_length=40,
        required=False,
        help_text=_("Only when neither number is known."),
    )
    # With a reserve identity, the age is known from a birth date or an age band (cases.age).
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("With a reserve identity: the birth date, if known."),
    )
    age_band = forms.ChoiceField(
        label=_("Age band"),
        required=False,
        choices=[("", _("Not known")), *AgeBand.choices],
        help_text=_("With a reserve identity and no birth date: the client's age today."),
    )
    protected_identity = forms.BooleanField(
        label=_("Protected identity (skyddade personuppgifter)"), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Who made contact"), choices=IntakeSource.choices)
    reason = forms.CharField(
        label=_("Reason for the inquiry"), widget=forms.Textarea(attrs={"rows": 4})
    )
    same_person = forms.BooleanField(
        label=_("Yes, open a new case for the person already registered with this number"),
        required=False,
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]

    def clean_identity_number(self) -> str:
        value: str = self.cleaned_data["identity_number"].strip()
        if not value:
            return ""
        return parse_identity_number(value, today=timezone.localdate()).number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("identity_number")
            and not (data.get("reserve_identity") or "").strip()
            and "identity_number" not in self.errors
        ):
            raise ValidationError(
                _("Give a personal identity number, a co-ordination number or a reserve identity.")
            )
        if data.get("identity_number"):
            # The number carries the birth date.
            for name in ("birth_date", "age_band"):
                if data.get(name):
                    self.add_error(
                        name,
                        _("The identity number gives the birth date: leave this empty."),
                    )
        elif data.get("birth_date") and data.get("age_band"):
            self.add_error("age_band", _("Give a birth date or an age band, not both."))
        birth = data.get("birth_date")
        if birth is not None and birth > timezone.localdate():
            self.add_error("birth_date", _("A birth date cannot be in the future."))
        return data


class TransitionForm(SeenFormMixin, CleanInputForm):
    """A decision on the case page; `record=case` puts the case's `updated_at` in the hidden
    `seen` field (optimistic locking, exitprog.concurrency)."""

    to_state = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    # Closing a case (completed, discontinued) needs this, ticked on the closing checklist
    # (dashboard.closing); without it the decision goes to the checklist first.
    confirm_closing = forms.BooleanField(
        label=_("I have gone through the list above: close the case"), required=False
    )
    # Offered on the intake decision of a young client (cases.services.youth_path_offered):
    # accept on the youth path, handled together with the child unit.
    youth_path = forms.BooleanField(
        label=_("Accept on the youth path, together with the child unit"),
        required=False,
        help_text=_(
            "For a young client, and the way to accept one below the program's minimum age."
        ),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = choices  # type: ignore[attr-defined]

    def clean_to_state(self) -> CaseState:
        return CaseState(self.cleaned_data["to_state"])


class AssignForm(CleanInputForm):
    """Assign or remove a caseworker. No `seen` field: the service checks the assignment
    itself (see `cases.services.case_assign`)."""

    caseworker = forms.ModelChoiceField(label=_("Caseworker"), queryset=User.objects.none())
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, caseworkers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]


class TeamVisibilityForm(SeenFormMixin, CleanInputForm):
    """`record=municipality` puts its `updated_at` in the hidden `seen` field."""

    team_visibility = forms.BooleanField(
        label=_("Every caseworker of the municipality sees its cases"), required=False
    )
