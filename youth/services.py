"""The writes of the youth section: reports of concern, joint meetings with their agreed
actions, and the daily reminder of a young client's case without a report of concern.

Every write is by someone who may edit the case (`CaseAction.EDIT`, asked of the access
module), runs in one transaction and logs itself in it (`audit.services.access_log_record`).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_record
from cases.models import Case, Consent
from cases.services import CaseRuleError
from notifications.models import NotificationKind
from notifications.services import notification_send
from reminders.services import task_create
from youth import selectors
from youth.models import (
    AgreedAction,
    ConcernChannel,
    JointMeeting,
    JointMeetingParticipant,
    OrganisationKind,
    ReportOfConcern,
)

# How many days after a young client's case opened its caseworkers hear that it still has no
# report of concern to the child unit.
REPORT_OF_CONCERN_DAYS = 3


def _require(by: User, action: CaseAction, case: Case) -> None:
    if not policy.may(by, action, case):
        raise CaseRuleError(_("You are not allowed to do this in this case."), code="forbidden")


# --- Reports of concern -----------------------------------------------------------------------


@transaction.atomic
def report_of_concern_record(
    *,
    case: Case,
    by: User,
    made_on: datetime.date,
    made_by: User,
    made_to: str,
    how: ConcernChannel,
    what_was_said: str,
) -> ReportOfConcern:
    """Record that the child unit was informed. `made_by`, who made the report, is someone
    who may edit the case (often `by` themself)."""
    _require(by, CaseAction.EDIT, case)
    if made_on > timezone.localdate():
        raise CaseRuleError(_("A report of concern cannot be made on a future day."), code="future")
    if not made_to.strip():
        raise CaseRuleError(_("Say to whom the report was made."), code="made_to")
    if not what_was_said.strip():
        raise CaseRuleError(_("Say what was said in the report."), code="what_was_said")
    if made_by.pk != by.pk and not policy.case_editors(case).filter(pk=made_by.pk).exists():
        raise CaseRuleError(
            _("The report can be made only by a caseworker of the case or a manager."),
            code="made_by",
        )
    report = ReportOfConcern.objects.create(
        case=case,
        made_on=made_on,
        made_by=made_by,
        made_to=made_to.strip(),
        how=how,
        what_was_said=what_was_said.strip(),
        recorded_by=by,
    )
    access_log_record(
        user=by, action=AccessAction.CREATE, case=case, obj=report, detail="report of concern"
    )
    return report


# --- Joint meetings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    name: str
    organisation: OrganisationKind


@dataclass(frozen=True)
class Action:
    """An action agreed in a meeting: what, who is responsible, by when (a task)."""

    title: str
    responsible: User
    due_on: datetime.date


@transaction.atomic
def joint_meeting_record(
    *,
    case: Case,
    by: User,
    held_on: datetime.date,
    consent: Consent,
    participants: Sequence[Participant],
    notes: str,
    police_part: str = "",
    actions: Sequence[Action] = (),
) -> JointMeeting:
    """Record a joint meeting held under `consent` (the case's, valid on the day), with who
    took part and the actions agreed, each made a task (`reminders.services.task_create`,
    which checks its responsible, its due date and logs it)."""
    _require(by, CaseAction.EDIT, case)
    if held_on > timezone.localdate():
        raise CaseRuleError(
            _("A joint meeting is recorded once it is held: the date cannot be in the future."),
            code="future",
        )
    if consent.case_id != case.pk or not consent.is_valid_on(held_on):
        raise CaseRuleError(
            _("Choose a consent of the case that was valid on the day of the meeting."),
            code="consent",
        )
    people = [p for p in participants if p.name.strip()]
    if not people:
        raise CaseRuleError(_("Say who took part in the meeting."), code="participants")
    if not notes.strip():
        raise CaseRuleError(_("Write what the meeting was about."), code="notes")
    meeting = JointMeeting.objects.create(
        case=case,
        held_on=held_on,
        consent=consent,
        notes=notes.strip(),
        police_part=police_part.strip(),
        created_by=by,
    )
    JointMeetingParticipant.objects.bulk_create(
        JointMeetingParticipant(meeting=meeting, name=p.name.strip(), organisation=p.organisation)
        for p in people
    )
    access_log_record(
        user=by, action=AccessAction.CREATE, case=case, obj=meeting, detail="joint meeting"
    )
    for action in actions:
        task = task_create(
            case=case,
            by=by,
            title=action.title,
            due_on=action.due_on,
            assigned_to=action.responsible,
            note=_("Agreed in the joint meeting of %(date)s.") % {"date": held_on.isoformat()},
        )
        AgreedAction.objects.create(meeting=meeting, task=task)
    return meeting


# --- The reminder -----------------------------------------------------------------------------


def reports_of_concern_notify_missing(
    *, today: datetime.date, after_days: int = REPORT_OF_CONCERN_DAYS
) -> int:
    """The caseworkers of each open case of a young client, opened `after_days` ago or more
    and with no report of concern, hear of it once per case. The number notified."""
    notified = 0
    opened_by = today - datetime.timedelta(days=after_days)
    for case in selectors.cases_missing_report_of_concern(opened_by=opened_by):
        notified += len(
            notification_send(
                recipients=policy.case_caseworkers(case),
                kind=NotificationKind.REPORT_OF_CONCERN_MISSING,
                case=case,
                key=f"report-of-concern-missing:{case.pk}",
            )
        )
    return notified
