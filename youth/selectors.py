"""The reads of the youth section: what the case page, the meeting page and the police
liaison's view show, and which cases the daily reminder is about.

The callers have asked the access module already (`policy.get_case_for_user`); these read
only the case they were given. The police liaison's read (`case_police_parts`) fetches the
police part of each meeting and nothing else of it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.models import User, YouthRules
from cases.age import is_young
from cases.models import OPEN_STATES, Case, Consent
from reminders.selectors import task_assignee_choices
from youth.models import AgreedAction, JointMeeting, ReportOfConcern


def client_of_case_is_young(*, case: Case, day: datetime.date) -> bool:
    """Whether the youth rules apply to the case's client on `day`: under 18 by the age
    (`cases.age.is_young`), or still flagged young (`Client.young`)."""
    return case.client.young or is_young(case.client, day)


@dataclass(frozen=True)
class YouthSection:
    applies: bool  # a young client, or a case on the youth path
    young: bool
    rules: YouthRules
    reports: list[ReportOfConcern]
    meetings: list[JointMeeting]

    @property
    def report_missing(self) -> bool:
        """An open case of a young client without a report of concern: the notice."""
        return self.young and not self.reports


def _meetings(case: Case) -> QuerySet[JointMeeting]:
    return (
        JointMeeting.objects.filter(case=case)
        .select_related("consent")
        .prefetch_related(
            "participants",
            Prefetch(
                "actions",
                queryset=AgreedAction.objects.select_related("task", "task__assigned_to"),
            ),
        )
        .order_by("-held_on", "-id")
    )


def case_youth_section(*, case: Case, today: datetime.date) -> YouthSection:
    """The case page's youth section in five queries: the municipality's youth rules, the
    reports of concern, the meetings, their participants and their actions' tasks."""
    young = client_of_case_is_young(case=case, day=today)
    reports = list(
        ReportOfConcern.objects.filter(case=case)
        .select_related("made_by", "recorded_by")
        .order_by("-made_on", "-id")
    )
    return YouthSection(
        applies=young or case.youth_path,
        young=young and case.is_open,
        rules=YouthRules.of(case.municipality),
        reports=reports,
        meetings=list(_meetings(case)),
    )


def joint_meeting_of_case(*, case: Case, meeting_id: int) -> JointMeeting | None:
    """A meeting of `case` with its participants and actions, or None."""
    return _meetings(case).filter(pk=meeting_id).first()


def case_police_parts(*, case: Case) -> QuerySet[JointMeeting]:
    """The police part of each meeting of `case` that has one (the date and the part only):
    what a police liaison with a share reads of the meetings."""
    return (
        JointMeeting.objects.filter(case=case)
        .exclude(police_part="")
        .only("id", "case_id", "held_on", "police_part")
        .order_by("-held_on", "-id")
    )


def meeting_consent_choices(*, case: Case, day: datetime.date) -> QuerySet[Consent]:
    """The case's consents not revoked by `day`: those a meeting may be held under (the
    service checks the one chosen against the meeting's date)."""
    return (
        Consent.objects.filter(case=case, valid_from__lte=day)
        .exclude(revoked_at__date__lte=day)
        .prefetch_related("agencies")
        .order_by("-valid_from", "-id")
    )


def responsible_choices(*, case: Case) -> QuerySet[User]:
    """Who may be responsible for an agreed action: whoever a task may be given to."""
    return task_assignee_choices(case=case)


def cases_missing_report_of_concern(*, opened_by: datetime.date) -> QuerySet[Case]:
    """Open cases of young clients, opened on `opened_by` or before, with no report of
    concern: the daily reminder's. Young by the stored flag (`Client.young`), which the daily
    18th-birthday job keeps today's (`cases.notify`)."""
    return (
        Case.objects.filter(state__in=OPEN_STATES, client__young=True, opened_on__lte=opened_by)
        .filter(~Exists(ReportOfConcern.objects.filter(case=OuterRef("pk"))))
        .select_related("municipality")
        .order_by("pk")
    )
