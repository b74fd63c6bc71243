"""The forms of the youth section: a report of concern, a joint meeting with its participants
and agreed actions. They check the shape of the input; the rules are the services'."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.forms.records import ChoiceRadios, date_field
from cases.models import Consent
from exitprog.forms import CleanInputForm
from youth.models import ConcernChannel, OrganisationKind

# The empty rows a meeting form offers for who took part and for the actions agreed.
PARTICIPANT_ROWS = 6
ACTION_ROWS = 4


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ReportOfConcernForm(CleanInputForm):
    made_on = date_field(_("Made on"), today=True)
    made_by = UserChoiceField(label=_("Made by"), queryset=User.objects.none())
    made_to = forms.CharField(
        label=_("Made to"),
        max_length=200,
        help_text=_("The child unit, and the officer who took the report if known."),
    )
    how = forms.ChoiceField(label=_("How"), choices=ConcernChannel.choices, widget=ChoiceRadios)
    what_was_said = forms.CharField(
        label=_("What was said"), widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, makers: QuerySet[User], **kwargs: Any) -> None:
        """`makers`: who may have made the report (whoever may edit the case)."""
        super().__init__(*args, **kwargs)
        self.fields["made_by"].queryset = makers  # type: ignore[attr-defined]


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agencies = ", ".join(a.name for a in obj.agencies.all())
        if obj.valid_until:
            return str(
                _("%(agencies)s, valid %(start)s to %(end)s")
                % {"agencies": agencies, "start": obj.valid_from, "end": obj.valid_until}
            )
        values = {"agencies": agencies, "start": obj.valid_from}
        return str(_("%(agencies)s, valid from %(start)s") % values)


class JointMeetingForm(CleanInputForm):
    held_on = date_field(_("Held on"), today=True)
    consent = ConsentChoiceField(
        label=_("Under the consent"),
        queryset=Consent.objects.none(),
        help_text=_("The client's (or the guardians') consent the meeting was held under."),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 8}))
    police_part = forms.CharField(
        label=_("The part for the police"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the police liaison may read where the case is shared with them. The rest of "
            "the meeting is never shown to the police."
        ),
    )

    def __init__(self, *args: Any, consents: QuerySet[Consent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = consents  # type: ignore[attr-defined]


class ParticipantForm(CleanInputForm):
    """One who took part; a row left empty is no one."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation = forms.ChoiceField(
        label=_("Organisation"),
        choices=[("", _("- Select an option -")), *OrganisationKind.choices],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and not data.get("organisation"):
            self.add_error("organisation", _("Say which organisation they came from."))
        if data.get("organisation") and not data.get("name"):
            self.add_error("name", _("Give the name of who took part."))
        return data


class ActionForm(CleanInputForm):
    """One agreed action, made a task; a row left empty is no action."""

    title = forms.CharField(label=_("Action"), max_length=200, required=False)
    responsible = UserChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    due_on = date_field(_("Due"), required=False)

    def __init__(self, *args: Any, responsible: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = responsible  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("title"):
            if not data.get("responsible"):
                self.add_error("responsible", _("Say who is responsible for the action."))
            if not data.get("due_on"):
                self.add_error("due_on", _("Say by when the action is to be done."))
        elif data.get("responsible") or data.get("due_on"):
            self.add_error("title", _("Say what is to be done."))
        return data


ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=PARTICIPANT_ROWS, max_num=30)
ActionFormSet = forms.formset_factory(ActionForm, extra=ACTION_ROWS, max_num=20)
