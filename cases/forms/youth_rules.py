"""The form a manager sets the municipality's youth rules with (`accounts.models.YouthRules`)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import YouthRules
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm

# The fields the manager sets, in the order of the form.
YOUTH_RULE_FIELDS = (
    "minimum_age",
    "guardian_consent_for_interventions",
    "guardian_consent_for_sharing",
    "own_consent_age",
    "child_unit_name",
    "child_unit_phone",
    "child_unit_email",
)


class YouthRulesForm(SeenFormMixin, CleanInputForm):
    """`record=rules` (saved or the defaults) puts its `updated_at` in the hidden `seen` field."""

    minimum_age = forms.IntegerField(
        label=_("The program's minimum age"),
        min_value=1,
        max_value=18,
        help_text=_(
            "A client younger than this on the day of the intake decision cannot be accepted "
            "into the program; the youth path, with the child unit, is offered instead."
        ),
    )
    guardian_consent_for_interventions = forms.BooleanField(
        label=_("Guardians' consent is needed for interventions"), required=False
    )
    guardian_consent_for_sharing = forms.BooleanField(
        label=_("Guardians' consent is needed for sharing"), required=False
    )
    own_consent_age = forms.IntegerField(
        label=_("The young person's own consent suffices from the age of"),
        min_value=1,
        max_value=18,
    )
    child_unit_name = forms.CharField(
        label=_("Child unit"),
        max_length=200,
        required=False,
        help_text=_("The social services' child and youth unit to involve, e.g. its name."),
    )
    child_unit_phone = forms.CharField(label=_("Child unit's phone"), max_length=30, required=False)
    child_unit_email = forms.EmailField(label=_("Child unit's e-mail address"), required=False)

    def __init__(self, *args: Any, rules: YouthRules, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(rules, name) for name in YOUTH_RULE_FIELDS})
        super().__init__(*args, record=rules, **kwargs)
