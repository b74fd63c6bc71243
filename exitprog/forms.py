"""The project's form base: every form cleans what people typed before its fields see it.

`CleanInputMixin` takes control characters (NUL among them) and the invisible bidirectional
controls out of every submitted value (see `exitprog.text`), once, as the form is made: the
fields, their validators and `clean_*` methods, the page shown again after an error and the
services all get the cleaned text. Passwords are left as typed: a password is compared, not
shown, and must stay exactly what its owner chose.
"""

from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_noop

from exitprog.text import clean_text

# Strings of Django's own that its Swedish catalogue lacks (new in Django 6.x): naming them
# here puts them in ours, whose translations come first. The empty choice of every select.
DJANGO_STRINGS = (gettext_noop("- Select an option -"),)


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return [_clean_value(v) for v in value]
    return value


class CleanInputMixin:
    """Cleans the bound data of a Django form (put it before the form class in the bases)."""

    data: Any
    fields: dict[str, forms.Field]
    is_bound: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self._cleaned_data_of(self.data)

    def _cleaned_data_of(self, data: Any) -> Any:
        add_prefix = self.add_prefix  # type: ignore[attr-defined]
        passwords = {
            add_prefix(name)
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.PasswordInput)
        }
        if isinstance(data, MultiValueDict):  # a QueryDict (request.POST or GET)
            cleaned = data.copy()  # mutable; request.POST itself stays as it came
            for key, values in data.lists():
                if key not in passwords:
                    cleaned.setlist(key, [_clean_value(v) for v in values])
            return cleaned
        return {
            key: value if key in passwords else _clean_value(value) for key, value in data.items()
        }


class CleanInputForm(CleanInputMixin, forms.Form):
    """`forms.Form` with cleaned input: the base of the project's forms."""
