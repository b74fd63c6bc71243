from django import forms
from django.utils.translation import gettext_lazy as _

from exitprog.forms import CleanInputForm
from notifications.models import NotificationKind


class PreferencesForm(CleanInputForm):
    email_kinds = forms.MultipleChoiceField(
        label=_("Also send me an e-mail when"),
        help_text=_(
            "Every notification is shown here in exitprog. An e-mail says only that there is "
            "something to see, never anything about the case."
        ),
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
