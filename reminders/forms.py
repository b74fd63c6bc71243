from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.forms.records import date_field
from exitprog.forms import CleanInputForm
from reminders.services import TITLE_MAX


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class TaskForm(CleanInputForm):
    title = forms.CharField(label=_("What is to be done"), max_length=TITLE_MAX)
    due_on = date_field(_("Due"))
    assigned_to = AssigneeChoiceField(
        label=_("For"),
        queryset=User.objects.none(),
        help_text=_("Yourself, another caseworker of the case or a manager."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = assignees  # type: ignore[attr-defined]
