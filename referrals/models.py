"""Agencies: the counterparts that receive or send referrals and provide interventions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, PoliceRegion


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police region")
    PRISON_PROBATION = "prison_probation", _("Prison and Probation Service")
    EMPLOYMENT = "employment", _("Public Employment Service")
    SOCIAL_INSURANCE = "social_insurance", _("Social Insurance Agency")
    ENFORCEMENT = "enforcement", _("Enforcement Authority")
    PSYCHIATRY = "psychiatry", _("Regional psychiatry")
    ADDICTION_CARE = "addiction_care", _("Addiction care")
    HOUSING = "housing", _("Housing company")
    NGO = "ngo", _("Non-governmental provider")
    SOCIAL_SERVICES = "social_services", _("Social services of a municipality")
    OTHER = "other", _("Other")


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AgencyKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("municipality"),
    )
    police_region = models.ForeignKey(
        PoliceRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("police region"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind == AgencyKind.POLICE


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


class Referral(models.Model):
    """A referral (remiss) from a case to an agency, or from an agency into the program."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("agency")
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=ReferralDirection.choices, default="outbound"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReferralState.choices, default=ReferralState.DRAFT
    )
    purpose = models.TextField(_("purpose"))
    answer_note = models.TextField(_("the agency's answer"), blank=True)
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

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["state", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_state_display()})"


class ReferralEvent(models.Model):
    """Who moved a referral to another state, when, and with what note."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ReferralState.choices)
    at = models.DateTimeField()
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_state} → {self.to_state}"
