"""Clients and their program episodes (cases)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import Municipality


class Client(models.Model):
    """The person in the program. Several cases over the years may refer to one client."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    identity_number = models.CharField(
        _("personal identity or co-ordination number"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("Stored as 12 digits, YYYYMMDDNNNC."),
    )
    reserve_identity = models.CharField(_("reserve identity"), max_length=40, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    protected_identity = models.BooleanField(_("protected identity"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(identity_number="") | ~models.Q(reserve_identity=""),
                name="client_has_identity_or_reserve",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


class CaseState(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    ASSESSMENT = "assessment", _("Assessment")
    ACCEPTED = "accepted", _("Accepted")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DISCONTINUED = "discontinued", _("Discontinued")
    REJECTED = "rejected", _("Rejected")
    TRANSFERRED = "transferred", _("Transferred")


OPEN_STATES = frozenset(
    {CaseState.INQUIRY, CaseState.ASSESSMENT, CaseState.ACCEPTED, CaseState.ACTIVE}
)


class Case(models.Model):
    """One program episode of a client, owned by one municipality."""

    reference = models.CharField(_("case reference"), max_length=20, unique=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="cases", verbose_name=_("client")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("municipality"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.INQUIRY
    )
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        # Per-case grants, held in the direct foreign-key tables below.
        permissions = [
            ("work_case", _("Work on the case as an assigned caseworker")),
            ("view_shared_case", _("See the parts of the case shared with the police")),
        ]
        indexes = [models.Index(fields=["municipality", "state"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def review_is_due(self, today: datetime.date, within_days: int) -> bool:
        if self.next_review_on is None or not self.is_open:
            return False
        return self.next_review_on <= today + datetime.timedelta(days=within_days)


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case grants to one user: an assignment (work_case) or a police share."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="user_grants")


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Per-case grants to a group: a share with a police region's liaisons."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_grants")
