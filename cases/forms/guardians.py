"""The forms of a young client's guardians: add or change one, remove one."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.records import ChoiceRadios
from cases.guardians import Guardian, GuardianRelation
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm

SAFE_CHOICES = [
    ("yes", _("Yes, the guardian can be contacted safely")),
    ("no", _("No, the guardian must not be contacted")),
]


class GuardianForm(SeenFormMixin, CleanInputForm):
    """A guardian; `record=` the guardian when changing one, so that a save over someone
    else's newer change is refused (`seen`). Whether the guardian is safe to contact has no
    default: it must be decided."""

    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.ChoiceField(
        label=_("Relation"), choices=GuardianRelation.choices, widget=ChoiceRadios
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    contact = forms.CharField(
        label=_("E-mail or other contact"),
        required=False,
        max_length=200,
        help_text=Guardian._meta.get_field("contact").help_text,
    )
    safe_to_contact = forms.ChoiceField(
        label=_("Can the guardian be contacted safely?"), choices=SAFE_CHOICES, widget=ChoiceRadios
    )
    safety_note = forms.CharField(
        label=_("Why not?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Guardian._meta.get_field("safety_note").help_text,
    )

    @classmethod
    def initial_of(cls, guardian: Guardian) -> dict[str, Any]:
        return {
            "name": guardian.name,
            "relation": guardian.relation,
            "phone": guardian.phone,
            "contact": guardian.contact,
            "safe_to_contact": "yes" if guardian.safe_to_contact else "no",
            "safety_note": guardian.safety_note,
        }


class GuardianRemoveForm(SeenFormMixin, CleanInputForm):
    """Removing a guardian: why, with the guardian's `seen` (`record=`)."""

    reason = forms.CharField(
        label=_("Why is the guardian removed?"),
        max_length=300,
        help_text=_("For example: no longer the client's guardian, or recorded by mistake."),
    )
