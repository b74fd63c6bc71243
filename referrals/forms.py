"""Forms for referrals: they parse and check the shape of the input; the rules live in
`referrals.services` and come back as `CaseRuleError`."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from agencies.models import Agency
from cases.forms.records import ChoiceRadios
from cases.identity import parse_identity_number
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm
from referrals.models import LetterLanguage, ReferralState


class ReferralForm(CleanInputForm):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you ask the agency to do. Do not write more about the client than the "
            "agency needs: the letter adds only what the client has consented to share."
        ),
    )

    letter_language = forms.ChoiceField(
        label=_("Language of the letter"),
        choices=LetterLanguage.choices,
        initial=LetterLanguage.SWEDISH,
        required=False,  # Swedish when none is chosen
        widget=ChoiceRadios,
        help_text=_("The letter (PDF) is written in this language, whatever your screen shows."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(active=True)  # type: ignore[attr-defined]

    def clean_letter_language(self) -> str:
        return str(self.cleaned_data.get("letter_language") or LetterLanguage.SWEDISH)


class TransitionForm(SeenFormMixin, CleanInputForm):
    """The move of one referral: any state parses, and `referral_transition` says whether the
    move is legal from the state the referral is in when it is saved.

    The hidden `seen` field carries the referral's `updated_at` as the page showed it: a move
    chosen before someone else moved the referral on is refused with the state it is in now
    (exitprog.concurrency), whether or not the move is still legal. The case page renders the
    form by hand (`referrals/_case_section.html`), `seen` included."""

    to_state = forms.ChoiceField(
        label=_("New state"), choices=ReferralState.choices, widget=ChoiceRadios
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For an answer: what the agency said."),
    )
    # Ticked on the warning page: send although no valid consent covers the agency.
    without_consent = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReferralFilterForm(CleanInputForm):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *ReferralState.choices],
    )
    unanswered = forms.BooleanField(label=_("Only referrals without an answer"), required=False)


class InboundReferralForm(CleanInputForm):
    """An agency's referral into the program: who the person is, and why."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none()
    )
    agency = forms.ModelChoiceField(label=_("Referring agency"), queryset=Agency.objects.none())
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    identity_number = forms.CharField(
        label=_("Personal identity or co-ordination number"),
        required=False,
        max_length=13,
        help_text=_("YYYYMMDD-NNNN. Leave empty and give a reserve identity if it is not known."),
    )
    reserve_identity = forms.CharField(label=_("Reserve identity"), required=False, max_length=40)
    protected_identity = forms.BooleanField(label=_("Protected identity"), required=False)
    purpose = forms.CharField(
        label=_("Purpose of the referral"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0]
        self.fields["agency"].queryset = Agency.objects.filter(active=True)  # type: ignore[attr-defined]

    def clean_identity_number(self) -> str:
        value: str = self.cleaned_data["identity_number"].strip()
        if value:
            # The error names the problem, never the number (it is personal data).
            return parse_identity_number(value, today=timezone.localdate()).number
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("identity_number")
            and not data.get("reserve_identity", "").strip()
            and "identity_number" not in self.errors
        ):
            raise ValidationError(
                _("Give a personal identity number, a co-ordination number or a reserve identity.")
            )
        return data
