"""The contact card's forms: the card itself, and a person of the client's network."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.records import ChoiceRadios
from cases.models import ContactCard, ContactPerson, SafeContact
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm


class ContactCardForm(SeenFormMixin, CleanInputForm):
    """The card; `record=` the card as the form is opened (None before the first save), so
    that a save over someone else's newer card is refused (`seen`)."""

    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    safe_contact = forms.ChoiceField(
        label=_("Safe way to reach the client"),
        choices=SafeContact.choices,
        initial=SafeContact.ANY,
        widget=ChoiceRadios,
    )
    times = forms.CharField(
        label=_("When to reach the client"),
        required=False,
        max_length=200,
        help_text=ContactCard._meta.get_field("times").help_text,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ContactCard._meta.get_field("note").help_text,
    )

    @classmethod
    def initial_of(cls, card: ContactCard | None) -> dict[str, Any]:
        if card is None:
            return {}
        return {
            "phone": card.phone,
            "safe_contact": card.safe_contact,
            "times": card.times,
            "note": card.note,
        }


class ContactPersonForm(CleanInputForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.CharField(
        label=_("Relation"),
        max_length=100,
        help_text=ContactPerson._meta.get_field("relation").help_text,
    )
    reach = forms.CharField(
        label=_("How to reach them"),
        required=False,
        max_length=200,
        help_text=ContactPerson._meta.get_field("reach").help_text,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContactPersonRemoveForm(SeenFormMixin, CleanInputForm):
    """Taking a person off the network: why, with the person's `seen` (`record=`)."""

    reason = forms.CharField(
        label=_("Why is the person removed from the network?"),
        max_length=300,
        help_text=_("For example: no longer in contact, or a risk to the client."),
    )
