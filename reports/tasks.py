"""Background work on reports. A task loads ids and calls a service; nothing else.

Render tasks are acknowledged late (settings: CELERY_TASK_ACKS_LATE) and given back to the
queue when the worker process dies (CELERY_TASK_REJECT_ON_WORKER_LOST), so a report whose
worker was killed mid-render is made when the task is delivered again; a worker killed whole
takes its message with it, and the minute's sweep sends the render again (its lock is free).
A failed render's retry is queued through the outbox with the failure, in one transaction.
"""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from exitprog.db import close_unusable_connections
from reports import services
from reports.models import Report, ReportKind
from reports.periods import Period

logger = logging.getLogger(__name__)

# Tries after the first: 1, 2, 4, 8 times REPORT_RETRY_SECONDS apart.
RENDER_RETRIES = services.RENDER_RETRIES


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_report(report_id: int) -> str:
    """Make one report's PDF; retried on failure, "failed" after the last try."""
    close_unusable_connections()
    try:
        report = services.report_render(report_id=report_id)
    except Report.DoesNotExist:
        return "gone"
    except Exception as exc:
        # The failure may be the database going away (a restart): its connection is closed
        # first, so the failure is recorded on a fresh one.
        close_unusable_connections()
        try:
            final = services.report_render_failed(
                report_id=report_id, error=f"{type(exc).__name__}: {exc}"
            )
        except DatabaseError:
            close_unusable_connections()
            # Still away: the row stays "rendering" with its lock gone, and the minute's
            # sweep sends it again (reports_resend_stale).
            logger.exception("could not record the failed render of report %s", report_id)
            raise exc from None
        if final:
            raise
        logger.warning("render of report %s failed, retry queued: %s", report_id, exc)
        return "retry"
    finally:
        close_unusable_connections()
    return str(report.state)


@shared_task
def make_periodic_reports(month: str | None = None) -> int:
    """Make the periodic reports of `month` ("YYYY-MM"; by default the month just ended).
    Running it again for the same month makes nothing twice; failed reports are tried again
    when the month is named and on the 1st (the runs of the 2nd and 3rd only catch up a run
    that was lost). The number still to be made."""
    today = timezone.localdate()
    period = Period.parse_month(month) if month else Period.previous_month(today)
    return len(
        services.reports_schedule_period(
            month=period, kinds=tuple(ReportKind), retry_failed=bool(month) or today.day == 1
        )
    )


@shared_task
def resend_stale_reports() -> int:
    """Send again the renders whose worker is gone and the retries whose message was lost."""
    close_unusable_connections()
    return len(services.reports_resend_stale())
