"""`case_section_url`: the URL of a section of the case page, on the tab that shows it
(`cases.tabs`), for links from other pages and from the overview."""

from django import template

from cases.tabs import case_section_url as section_url

register = template.Library()


@register.simple_tag
def case_section_url(case_id: int, section: str) -> str:
    return section_url(case_id, section)
