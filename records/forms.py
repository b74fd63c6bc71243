"""The plan form (a goal per row, as a formset) and the review form.

The forms check the shape of the input; the rules (who may be responsible, how far ahead the
next review may be) are the services' and come back as `CaseRuleError`.
"""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.forms.records import ChoiceCheckboxes, ChoiceRadios, date_field
from cases.models import Intervention
from exitprog.forms import CleanInputForm
from records.models import ReviewOutcome
from records.services import MAX_GOALS


class ResponsibleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class InterventionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Intervention) -> str:
        start = obj.planned_start.isoformat() if obj.planned_start else "-"
        return f"{obj.type} ({start}, {obj.get_status_display()})"


class GoalForm(CleanInputForm):
    """One goal; a row left empty is no goal."""

    goal = forms.CharField(
        label=_("Goal"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responsible = ResponsibleChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    interventions = InterventionChoiceField(
        label=_("Planned interventions"),
        queryset=Intervention.objects.none(),
        required=False,
        widget=ChoiceCheckboxes,
    )

    def __init__(
        self,
        *args: Any,
        responsible: QuerySet[User],
        interventions: QuerySet[Intervention],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The formset hands every row the same two querysets: iterating them here fills their
        # cache once, so the options cost two queries however many rows the plan has (a
        # ModelChoiceField would read its queryset again for each row). Checking a choice
        # still goes through the queryset.
        person = cast(ResponsibleChoiceField, self.fields["responsible"])
        person.queryset = responsible
        person.choices = [
            ("", person.empty_label),
            *((u.pk, person.label_from_instance(u)) for u in responsible),
        ]
        planned = cast(InterventionChoiceField, self.fields["interventions"])
        if not interventions:
            del self.fields["interventions"]
            return
        planned.queryset = interventions
        planned.choices = [(i.pk, planned.label_from_instance(i)) for i in interventions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("goal") and not data.get("responsible"):
            self.add_error("responsible", _("Choose who is responsible for the goal."))
        if not data.get("goal") and (data.get("responsible") or data.get("interventions")):
            self.add_error("goal", _("Write the goal, or leave the whole row empty."))
        return data


def goal_formset(extra: int) -> type[forms.BaseFormSet]:
    return formset_factory(
        GoalForm,
        extra=extra,
        max_num=MAX_GOALS,
        absolute_max=MAX_GOALS,
        validate_max=True,
    )


class PlanForm(CleanInputForm):
    next_review_on = date_field(
        _("Next review"), help_text=_("When the plan is next gone through with the client.")
    )


class ReviewForm(CleanInputForm):
    reviewed_on = date_field(_("Reviewed on"), today=True)
    reviewed = forms.CharField(
        label=_("What was reviewed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The goals and interventions gone through, and with whom."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReviewOutcome.choices, widget=ChoiceRadios
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review_on = date_field(_("Next review"))
