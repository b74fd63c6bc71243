"""The form to ask for a report."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import CASE_REPORT_INTERVALS, Municipality
from exitprog.concurrency import SeenFormMixin
from exitprog.forms import CleanInputForm
from reports.models import ReportKind
from reports.periods import PRESETS

PRESET_LABELS = {
    "this_month": _("This month so far"),
    "last_month": _("Last month"),
    "last_3_months": _("The last three months"),
    "last_12_months": _("The last twelve months"),
}


class ReportRequestForm(CleanInputForm):
    kind = forms.TypedChoiceField(label=_("Report"), coerce=ReportKind)
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(name, PRESET_LABELS[name]) for name in PRESETS],
        initial="last_month",
    )

    def __init__(self, *args: Any, kinds: list[ReportKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.TypedChoiceField)  # noqa: S101
        kind.choices = [(k.value, k.label) for k in kinds]
        kind.initial = kinds[0].value if kinds else None
        if len(kinds) == 1:
            kind.widget = forms.HiddenInput()


class CaseloadReportForm(CleanInputForm):
    """The manager's caseload report: which municipality (of those they manage), which period."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=None
    )
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(name, PRESET_LABELS[name]) for name in PRESETS],
        initial="last_month",
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = municipalities


class CaseReportCadenceForm(SeenFormMixin, CleanInputForm):
    """How often each active case gets its follow-up report; the hidden `seen` field carries
    the municipality's `updated_at` as the form was opened (exitprog.concurrency)."""

    case_report_months = forms.TypedChoiceField(
        label=_("Make a follow-up report for each active case every"),
        coerce=int,
        choices=CASE_REPORT_INTERVALS,
        widget=forms.RadioSelect,
    )
