"""The filter form of the caseload list (every field is optional).

The filters travel as GET parameters, so a filtered list can be bookmarked and paged. The
free-text search does not: it may hold a personal identity number, which the URL would leave
in server logs and the browser's history. The form is posted, the search kept in the session
and the list shown with a token in its place (see `cases.views.caseload`).
"""

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access.policy import AnyUser
from accounts.models import User
from cases.models import CaseState, Need, ThreatLevel
from cases.selectors import CASELOAD_SORTS, CaseloadFilters, caseworkers_of

DEFAULT_SORT = CaseloadFilters.sort
SEARCH_FIELD = "q"  # the field that never travels in the URL

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
}


def sort_choices() -> list[tuple[str, Any]]:
    """The selector's sort keys, the default first (a select without a value shows the first)."""
    keys = sorted(CASELOAD_SORTS, key=lambda key: key != DEFAULT_SORT)
    return [(key, SORT_LABELS.get(key, key)) for key in keys]


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
        widget=forms.CheckboxSelectMultiple,
    )
    caseworker = forms.ModelChoiceField(
        label=_("Assigned caseworker"),
        queryset=User.objects.none(),  # the user's colleagues, set per request
        required=False,
        empty_label=_("Any caseworker"),
    )
    threat = forms.TypedChoiceField(
        label=_("Threat level"),
        choices=[("", _("Any threat level")), *ThreatLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    need = forms.ModelChoiceField(
        label=_("Open need"),
        queryset=Need.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label=_("Any need"),
    )
    due = forms.BooleanField(required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=sort_choices, required=False)

    def __init__(self, *args: Any, user: AnyUser, due_within_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["caseworker"]).queryset = caseworkers_of(user=user)
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
        return CaseloadFilters(
            states=tuple(data.get("state") or ()),
            caseworker_id=caseworker.pk if caseworker is not None else None,
            threat_level=data.get("threat"),
            need_code=need.code if need is not None else "",
            due=bool(data.get("due")),
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
        )
