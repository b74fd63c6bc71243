"""Background work on reports. A task loads ids and calls a service; nothing else.

Render tasks are acknowledged late (settings: CELERY_TASK_ACKS_LATE) and given back to the
queue when the worker process dies (CELERY_TASK_REJECT_ON_WORKER_LOST), so a report whose
worker was killed mid-render is made when the task is delivered again.
"""

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from reports import services
from reports.models import Report, ReportKind
from reports.periods import Period

# Tries after the first: 1, 2, 4, 8 times REPORT_RETRY_SECONDS apart.
RENDER_RETRIES = 4


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=RENDER_RETRIES)
def render_report(self: Task, report_id: int) -> str:
    """Make one report's PDF; retried on failure, "failed" after the last try."""
    try:
        report = services.report_render(report_id=report_id)
    except Report.DoesNotExist:
        return "gone"
    except Exception as exc:
        final = self.request.retries >= RENDER_RETRIES
        services.report_attempt_failed(
            report_id=report_id, error=f"{type(exc).__name__}: {exc}", final=final
        )
        if final:
            raise
        raise self.retry(
            exc=exc, countdown=settings.REPORT_RETRY_SECONDS * 2**self.request.retries
        ) from exc
    return str(report.state)


@shared_task
def make_periodic_reports(month: str | None = None) -> int:
    """Make the periodic reports of `month` ("YYYY-MM"; by default the month just ended).
    Running it again for the same month makes nothing twice. The number still to be made."""
    period = Period.parse_month(month) if month else Period.previous_month(timezone.localdate())
    return len(services.reports_schedule_period(month=period, kinds=tuple(ReportKind)))


@shared_task
def resend_stale_reports() -> int:
    """Send again the reports whose task was lost (the report rows are the outbox)."""
    return len(services.reports_resend_stale())
