"""Make the periodic reports of a given month by hand, with a progress bar.

    manage.py make_reports --month 2026-10                 # all kinds, rendered here
    manage.py make_reports --month 2026-10 --kind caseload
    manage.py make_reports --month 2026-10 --queue         # leave the rendering to the worker

The same service as the monthly schedule, so a month already made is not made again: only
the reports missing or failed are made.
"""

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from reports import services
from reports.models import ReportKind
from reports.periods import Period


class Command(BaseCommand):
    help = "Make the periodic reports (follow-up, caseload, police summary) of one month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="The month, as YYYY-MM.")
        parser.add_argument(
            "--kind",
            action="append",
            choices=[k.value for k in ReportKind],
            help="Only this kind (repeat for several); all kinds by default.",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Send the reports to the Celery worker instead of rendering them here.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Period.parse_month(options["month"])
        except ValueError as exc:
            raise CommandError(f"--month: {exc}") from exc
        kinds = [ReportKind(k) for k in options["kind"] or ReportKind.values]
        to_make = services.reports_schedule_period(
            month=month, kinds=kinds, enqueue=options["queue"]
        )
        if options["queue"]:
            self.stdout.write(f"{len(to_make)} reports of {month} sent to the worker.")
            return
        failed = 0
        # The raw stream: Django's wrapper would end each redraw of the bar with a new line.
        progress_stream = cast(TextIO, self.stderr._out)
        for report in tqdm(
            to_make,
            desc=f"Reports {month.start:%Y-%m}",
            unit="report",
            file=progress_stream,
            disable=options["no_progress"],
        ):
            try:
                services.report_render(report_id=report.pk)
            except Exception as exc:  # one bad report must not stop the month's others
                failed += 1
                services.report_attempt_failed(
                    report_id=report.pk, error=f"{type(exc).__name__}: {exc}", retry_in=None
                )
                self.stderr.write(f"Report {report.pk} failed: {type(exc).__name__}: {exc}")
        self.stdout.write(
            f"{len(to_make) - failed} reports of {month} made, {failed} failed "
            "(reports made before were left as they were)."
        )
        if failed:
            raise CommandError(f"{failed} reports failed; run the command again to retry them.")
