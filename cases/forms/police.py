"""Forms of the police pages: a police note, sharing a case with the police, a placement.

They only parse the input; the rules (who may share, on which basis) live in `cases.services`
and come back as `CaseRuleError`.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, PoliceRegion, User
from cases.forms.records import ChoiceRadios, date_field
from cases.models import Consent, PlacementKind, ThreatLevel
from exitprog.forms import CleanInputForm


class PoliceNoteForm(CleanInputForm):
    text = forms.CharField(
        label=_("Threat information"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the program should know about threats against the client."),
    )
    threat_level = forms.TypedChoiceField(
        label=_("Threat level in the police's assessment"),
        choices=[("", _("Not stated")), *ThreatLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=ChoiceRadios,
    )


REGION = "region"


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Consent) -> str:
        agencies = ", ".join(a.name for a in obj.agencies.all())
        start = date_format(obj.valid_from, "SHORT_DATE_FORMAT")
        if obj.valid_until is None:
            return str(_("Consent from %(start)s (%(agencies)s)")) % {
                "start": start,
                "agencies": agencies,
            }
        return str(_("Consent from %(start)s until %(end)s (%(agencies)s)")) % {
            "start": start,
            "end": date_format(obj.valid_until, "SHORT_DATE_FORMAT"),
            "agencies": agencies,
        }


class ShareForm(CleanInputForm):
    """Who gets the shared parts (one liaison or the whole region) and on which basis."""

    recipient = forms.ChoiceField(label=_("Share with"), widget=ChoiceRadios)
    consent = ConsentChoiceField(
        label=_("Consent"),
        queryset=Consent.objects.none(),
        required=False,
        empty_label=_("No consent: a legal basis (below)"),
        help_text=_("Consents of the case that are valid today and name the police."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        max_length=300,
        help_text=_("The provision that allows sharing without consent, for example OSL 10:18 a."),
    )

    def __init__(
        self,
        *args: Any,
        region: PoliceRegion,
        liaisons: QuerySet[User],
        consents: QuerySet[Consent],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.liaisons = {str(u.pk): u for u in liaisons}
        self.fields["recipient"].choices = [  # type: ignore[attr-defined]
            (REGION, _("Every police liaison of %(region)s") % {"region": region.name}),
            *((pk, str(user)) for pk, user in self.liaisons.items()),
        ]
        self.fields["consent"].queryset = consents  # type: ignore[attr-defined]

    def chosen_recipient(self) -> tuple[User | None, PoliceRegion | None]:
        """The chosen liaison, or the region: (liaison, None) or (None, region)."""
        value = self.cleaned_data["recipient"]
        if value == REGION:
            return None, self.region
        return self.liaisons[value], None


class PlacementForm(CleanInputForm):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices, widget=ChoiceRadios)
    started_on = date_field(_("From"), today=True)
    ended_on = date_field(
        _("Until"), required=False, help_text=_("Leave empty while the client lives there.")
    )
