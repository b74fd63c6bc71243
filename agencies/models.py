"""The agencies a program works with: reference data below cases and referrals.

Interventions name an agency as provider, consents name the agencies information may go to,
referrals go to one; so agencies sit below all three (../shared/STYLE.md, the layout).
"""

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
        # The table keeps the name it had when agencies lived in the referrals app.
        db_table = "referrals_agency"
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind == AgencyKind.POLICE
