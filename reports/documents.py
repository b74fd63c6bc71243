"""What each kind of report shows: the template and its context, read for one report.

(First version: a title page per kind; the contents are filled in per DOMAIN.md.)
"""

from typing import Any

from reports.models import Report


def report_document(report: Report) -> tuple[str, dict[str, Any]]:
    """The template name and context of `report`'s PDF."""
    return "reports/pdf/placeholder.html", {"report": report}
