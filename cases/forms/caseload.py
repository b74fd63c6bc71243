"""The filter form of the caseload list (every field is optional).

The filters travel as GET parameters, so a filtered list can be bookmarked and paged. The
free-text search does not: it may hold a personal identity number, which the URL would leave
in server logs and the browser's history. The form is posted, the search kept in the session
and the list shown with a token in its place (see `cases.views.caseload`).
"""

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.db.models import Model
from django.http import QueryDict
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access import policy
from access.policy import AnyUser
from accounts.models import Municipality, User
from cases.models import CaseState, Need, ThreatLevel
from cases.selectors import (
    CASELOAD_SORTS,
    SCOPE_ALL,
    SCOPE_MINE,
    CaseloadFilters,
    caseload_default_scope,
    caseworkers_of,
)

DEFAULT_SORT = "next_review_on"  # the order without a search (`selectors.caseload_sort`)
SEARCH_FIELD = "q"  # the field that never travels in the URL
SCOPE_FIELD = "scope"

# Labels of the sort keys the selector knows; an unknown key keeps its name as its label.
SORT_LABELS = {
    "next_review_on": _("Next review, soonest first"),
    "-next_review_on": _("Next review, latest first"),
    "reference": _("Case reference, ascending"),
    "-reference": _("Case reference, descending"),
    "opened_on": _("Opened, oldest first"),
    "-opened_on": _("Opened, newest first"),
    "state": _("State"),
    "threat": _("Threat level, highest first"),
    "-threat": _("Threat level, lowest first"),
    "name": _("Client's last name"),
    "relevance": _("Best match first"),
}


def sort_choices() -> list[tuple[str, Any]]:
    """The automatic order first (the best match for a search, else the next review), then
    the selector's other sort keys."""
    automatic = ("", _("Best match when searching, otherwise next review"))
    keys = [key for key in CASELOAD_SORTS if key != "relevance"]
    return [automatic, *((key, SORT_LABELS.get(key, key)) for key in keys)]


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """The attributes as Django's `attrs.html` writes them, in their order: True as a bare
    name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


_SELECTED = mark_safe(" selected")


class ListedSelect(forms.Select):
    """A select written in Python: the markup of Django's `select.html` without its template
    and two includes per option (the filter form's four selects were a fifth of the
    caseload's render; `bench/caseload.py`). No option groups, which the form has none of."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            options.append((key, _SELECTED if key in chosen else "", label))
            chosen.discard(key)  # one option selected, as Django's optgroups() does
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _attributes(self.build_attrs(self.attrs, attrs)),
            format_html_join("", '\n  <option value="{}"{}>{}</option>', options),
        )


class ListedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose every `<input>` is written in Python, not through `input.html` and
    `attrs.html` (`choice.tag` in the caseload's template): the same markup."""

    # `Widget._render` is what `BoundWidget.tag()` calls for each option (not in the stubs).
    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> str:
        if template_name != self.option_template_name:
            return str(super()._render(template_name, context, renderer))  # type: ignore[misc]
        option = context["widget"]
        value = option["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            option["type"],
            option["name"],
            format_html(' value="{}"', value) if value is not None else "",
            _attributes(option["attrs"]),
        )


class _ModelOptions(BaseChoiceIterator):
    """The choices of a ModelChoiceField, read when shown (as Django's own iterator does) but
    with one plain query: the field's iterator reads them through a server-side cursor
    (DECLARE, FETCH, CLOSE) and makes a ModelChoiceIteratorValue of each."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        self.field = field

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        queryset = field.queryset
        # A fresh queryset each time, as Django's iterator reads them: a form shown again
        # shows the choices of then.
        objects: list[Model] = [] if queryset is None else list(queryset.all())
        for obj in objects:
            yield (field.prepare_value(obj), field.label_from_instance(obj))


class CaseloadFilterForm(forms.Form):
    """Filters of the caseload. An invalid field is reported and then ignored, not fatal."""

    q = forms.CharField(
        label=_("Search"),
        help_text=_("Name, case reference or a whole personal identity number."),
        required=False,
        max_length=100,
        widget=forms.SearchInput,
    )
    state = forms.MultipleChoiceField(
        label=_("State"),
        choices=CaseState.choices,
        required=False,
        widget=ListedCheckboxes,
    )
    caseworker = forms.ModelChoiceField(
        label=_("Assigned caseworker"),
        queryset=User.objects.none(),  # the user's colleagues, set per request
        required=False,
        empty_label=_("Any caseworker"),
        widget=ListedSelect,
    )
    threat = forms.TypedChoiceField(
        label=_("Threat level"),
        choices=[("", _("Any threat level")), *ThreatLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=ListedSelect,
    )
    need = forms.ModelChoiceField(
        label=_("Open need"),
        queryset=Need.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label=_("Any need"),
        widget=ListedSelect,
    )
    due = forms.BooleanField(required=False)
    # The lists behind the manager's home figures (dashboard/): one municipality (hidden: the
    # figure's link sets it), open cases without a caseworker, reviews overdue.
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), required=False, widget=forms.HiddenInput
    )
    unassigned = forms.BooleanField(label=_("Open cases without a caseworker"), required=False)
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=sort_choices, required=False, widget=ListedSelect
    )
    # Shown as the "My cases" / "All cases" switch above the form, kept by a hidden field.
    scope = forms.ChoiceField(
        label=_("Cases shown"),
        choices=[(SCOPE_MINE, _("My cases")), (SCOPE_ALL, _("All cases I may read"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, user: AnyUser, due_within_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_scope = caseload_default_scope(user=user)
        cast(forms.ModelChoiceField, self.fields["caseworker"]).queryset = caseworkers_of(user=user)
        for name in ("caseworker", "need"):
            field = cast(forms.ModelChoiceField, self.fields[name])
            cast(ListedSelect, field.widget).choices = _ModelOptions(field)
        readable = Municipality.objects.filter(pk__in=policy.grants_for(user).municipality_perms)
        cast(forms.ModelChoiceField, self.fields["municipality"]).queryset = readable
        self.fields["due"].label = ngettext(
            "Review due within %(days)d day or overdue",
            "Review due within %(days)d days or overdue",
            due_within_days,
        ) % {"days": due_within_days}

    @classmethod
    def url_params(cls, data: QueryDict) -> QueryDict:
        """The values of `data` that may travel in the URL: every filter but the search."""
        params = QueryDict(mutable=True)
        for name in cls.base_fields:
            if name != SEARCH_FIELD and (values := data.getlist(name)):
                params.setlist(name, values)
        return params

    def filters(self) -> CaseloadFilters:
        """The filters of the valid fields; a field with an error counts as not set."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        caseworker = data.get("caseworker")
        need = data.get("need")
        municipality = data.get("municipality")
        return CaseloadFilters(
            states=tuple(data.get("state") or ()),
            caseworker_id=caseworker.pk if caseworker is not None else None,
            threat_level=data.get("threat"),
            need_code=need.code if need is not None else "",
            due=bool(data.get("due")),
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or "",
            mine=self.scope_shown() == SCOPE_MINE,
            municipality_id=municipality.pk if municipality is not None else None,
            unassigned=bool(data.get("unassigned")),
            overdue=bool(data.get("overdue")),
        )

    def scope_shown(self) -> str:
        """The scope shown, "mine" or "all": the one asked for, else the user's default."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get("scope") or self.default_scope


class SavedFilterForm(forms.Form):
    """The name to save the caseload's current filter under (for oneself alone)."""

    name = forms.CharField(
        label=_("Name of the filter"),
        max_length=80,
        help_text=_("Only you see your saved filters. The search text is not saved."),
    )
    # The list's query parameters when the form was shown; the view keeps only the filters.
    filters = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
