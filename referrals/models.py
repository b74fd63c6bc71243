"""Referrals to and from agencies (agencies/ holds the agencies) and their events."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from exitprog.triggers import AppendOnly, tracked


class ReferralState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReferralDirection(models.TextChoices):
    OUTBOUND = "outbound", _("From the program to an agency")
    INBOUND = "inbound", _("From an agency to the program")


class LetterLanguage(models.TextChoices):
    """The language the referral letter is written in, whatever the sender's screen shows."""

    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


# The state a referral enters -> the timestamp field that records when.
STATE_TIMESTAMPS = {
    ReferralState.SENT: "sent_at",
    ReferralState.ACKNOWLEDGED: "acknowledged_at",
    ReferralState.ACCEPTED: "accepted_at",
    ReferralState.DECLINED: "declined_at",
    ReferralState.STARTED: "started_at",
    ReferralState.COMPLETED: "completed_at",
    ReferralState.WITHDRAWN: "withdrawn_at",
}


@tracked()
class Referral(models.Model):
    """A referral (remiss) from a case to an agency, or from an agency into the program."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("agency"),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=ReferralDirection.choices, default="outbound"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReferralState.choices, default=ReferralState.DRAFT
    )
    purpose = models.TextField(_("purpose"))
    answer_note = models.TextField(_("the agency's answer"), blank=True)
    letter_language = models.CharField(
        _("language of the letter"),
        max_length=2,
        choices=LetterLanguage.choices,
        default=LetterLanguage.SWEDISH,
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["state", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_state_display()})"


class ReferralEvent(models.Model):
    """Who moved a referral to another state, when, and with what note. Append-only."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ReferralState.choices)
    at = models.DateTimeField()
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    # Sent although no valid consent covered the agency: the sender saw the warning and
    # confirmed (`referral_transition(..., without_consent=True)`).
    without_consent = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_state} → {self.to_state}"
