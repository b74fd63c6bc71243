"""The tabs of the case page: which sections each shows, and the URL of a section.

The case page shows one group of sections at a time (a tab), each tab a URL of its own: the
overview at `/cases/<id>/`, the others at `/cases/<id>/tab/<tab>/`. A view that sends the
user back to the case page after a form sends them to the tab of the section the form was
in (`case_section_url`), so the answer is shown where the question was asked.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OVERVIEW = "overview"


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str | Promise
    sections: tuple[str, ...]  # the ids of the case page's sections it shows, in order
    youth_only: bool = False  # in the menu only for a young client or a case on the youth path


# In the order of the section menu: what a caseworker opens most first.
TABS: tuple[Tab, ...] = (
    Tab(OVERVIEW, _("Overview"), ("contact", "decisions", "plan", "tasks", "team")),
    Tab("assessments", _("Assessments"), ("threat", "needs", "assessments")),
    Tab("support", _("Interventions and referrals"), ("interventions", "referrals")),
    Tab("journal", _("Journal"), ("journal",)),
    Tab("police", _("Police and placements"), ("police",)),
    Tab("consent", _("Consent and groups"), ("consent", "groups")),
    Tab("closing", _("Follow-ups, transfer, reports"), ("follow-ups", "transfer", "reports")),
    # A young client's case, or one on the youth path: the child unit, reports of concern,
    # joint meetings (the youth app's section). Listed in the menu for those cases only.
    Tab("youth", _("Youth"), ("youth",), youth_only=True),
)
TAB_SLUGS = frozenset(tab.slug for tab in TABS)
TAB_SECTIONS = {tab.slug: tab.sections for tab in TABS}
ALL_SECTIONS = frozenset(section for tab in TABS for section in tab.sections)
_TAB_OF_SECTION = {section: tab.slug for tab in TABS for section in tab.sections}


def tab_of_section(section: str) -> str:
    """The tab that shows `section` (the overview for a section no tab names)."""
    return _TAB_OF_SECTION.get(section, OVERVIEW)


def case_tab_url(case_id: int, tab: str) -> str:
    if tab == OVERVIEW:
        return reverse("cases:detail", args=[case_id])
    return reverse("cases:detail_tab", args=[case_id, tab])


def case_section_url(case_id: int, section: str) -> str:
    """The case page's tab that shows `section`, scrolled to it."""
    return case_tab_url(case_id, tab_of_section(section)) + f"#{section}"
