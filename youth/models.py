"""The child unit and the joint meetings of a young client's case (issue 12).

- A **report of concern** (*orosanmälan*, SoL 14 kap. 1 §) records that the social services'
  child unit was told about the young client: when, by whom, to whom, how and what was said.
  It is documentation, kept as written: append-only (a database trigger), like the journal.
- A **joint meeting** (*samverkansmöte*, the SSPF way of working: school, social services,
  police, leisure) records who took part, under which of the case's consents, the notes, the
  part meant for the police, and the actions agreed: each action is a task
  (`reminders.models.Task`) with its responsible and due date, linked to the meeting by an
  `AgreedAction`. A meeting, its participants and its links are append-only too; the tasks
  themselves are marked done as every task is.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exitprog.triggers import AppendOnly


class ConcernChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    LETTER = "letter", _("By letter")
    EMAIL = "email", _("By e-mail")
    IN_PERSON = "in_person", _("In person")
    DIGITAL_FORM = "digital_form", _("Through the digital form")


class ReportOfConcern(models.Model):
    """That the child unit was informed about a young client. Append-only."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="reports_of_concern"
    )
    made_on = models.DateField(_("made on"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    made_to = models.CharField(
        _("made to"),
        max_length=200,
        help_text=_("The child unit, and the officer who took the report if known."),
    )
    how = models.CharField(_("how"), max_length=20, choices=ConcernChannel.choices)
    what_was_said = models.TextField(_("what was said"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-made_on", "-id"]
        verbose_name = _("report of concern")
        verbose_name_plural = _("reports of concern")
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id} {self.made_on}"


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("School")
    SOCIAL_SERVICES = "social_services", _("Social services")
    POLICE = "police", _("Police")
    LEISURE = "leisure", _("Leisure")
    OTHER = "other", _("Other")


class JointMeeting(models.Model):
    """A joint meeting about the young client. Append-only."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="joint_meetings")
    held_on = models.DateField(_("held on"))
    consent = models.ForeignKey(
        "cases.Consent",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("under the consent"),
    )
    notes = models.TextField(_("notes"))
    police_part = models.TextField(
        _("the part for the police"),
        blank=True,
        help_text=_(
            "What the police liaison may read where the case is shared with them. The rest of "
            "the meeting is never shown to the police."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class JointMeetingParticipant(models.Model):
    """Who took part in a joint meeting, and for which organisation. Append-only."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="participants")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(
        _("organisation"), max_length=20, choices=OrganisationKind.choices
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return self.name


class AgreedAction(models.Model):
    """An action agreed in a joint meeting: the task it became. Append-only."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="actions")
    task = models.OneToOneField(
        "reminders.Task", on_delete=models.PROTECT, related_name="joint_meeting_action"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.task_id}"
