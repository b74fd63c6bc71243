"""Forms of the transfers between municipalities.

They only parse the input; the rules (an open case, a municipality with a program, one open
proposal at a time, who may answer) live in `cases.services` and come back as `CaseRuleError`.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from cases.models import Case
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm

NOTE_MAX_LENGTH = 2000


class TransferProposeForm(CleanInputForm):
    to_municipality = forms.ModelChoiceField(
        label=_("Receiving municipality"),
        queryset=Municipality.objects.none(),
        help_text=_("Only municipalities that run an exit program can receive a case."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example a relocation for the client's safety. The receiving manager reads it "
            "before deciding."
        ),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_municipality"].queryset = (  # type: ignore[attr-defined]
            Municipality.objects.filter(runs_program=True)
            .exclude(pk=case.municipality_id)
            .order_by("name")
        )


class TransferAnswerForm(SeenFormMixin, CleanInputForm):
    """The receiving manager's answer; the two submit buttons carry the decision, and the
    hidden `seen` field the transfer's `updated_at` as the list showed it."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("decline", _("Decline"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)
