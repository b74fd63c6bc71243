"""The form that records what a follow-up after the end of a case found.

Like the other record forms it only checks the shape of the input (a date, an answer from
each list); the rules (not in the future, not before the case ended, a source for
re-offending) live in `cases.services.follow_up_record` and come back as `CaseRuleError`.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.records import ChoiceRadios, date_field
from cases.models import Answer, GroupContact, Housing, Occupation, ReoffendingSource
from cases.services import FOLLOW_UP_OUTCOME_FIELDS
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm


class FollowUpForm(SeenFormMixin, CleanInputForm):
    """`record=follow_up` puts its `updated_at` in the hidden `seen` field: a form opened
    before someone else recorded the follow-up is refused (exitprog.concurrency)."""

    checked_on = date_field(_("Date of the check"), today=True)
    alive = forms.ChoiceField(
        label=_("Is the client alive?"), choices=Answer.choices, widget=ChoiceRadios
    )
    reoffended = forms.ChoiceField(
        label=_("Has the client committed a new crime since the case ended?"),
        choices=Answer.choices,
        widget=ChoiceRadios,
    )
    reoffending_source = forms.ChoiceField(
        label=_("Source of the information about new crimes"),
        choices=[("", _("No source given")), *ReoffendingSource.choices],
        required=False,
        help_text=_("Required when the answer above is yes."),
    )
    housing = forms.ChoiceField(label=_("Housing"), choices=Housing.choices, widget=ChoiceRadios)
    occupation = forms.ChoiceField(
        label=_("Work or studies"), choices=Occupation.choices, widget=ChoiceRadios
    )
    group_contact = forms.ChoiceField(
        label=_("Contact with the group"), choices=GroupContact.choices, widget=ChoiceRadios
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def values(self) -> dict[str, Any]:
        """The outcome, as the keywords of `follow_up_record`."""
        return {name: self.cleaned_data[name] for name in FOLLOW_UP_OUTCOME_FIELDS}
