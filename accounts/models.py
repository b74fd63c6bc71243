"""Who works where: municipalities, police regions, users and the roles they hold.

A role is held through a Django group per (role, municipality) or (role, police region); the
group carries guardian object permissions on that municipality or region. `access.policy`
is the only module that reads them.
"""

import datetime

from django.contrib.auth.models import AbstractUser, Group
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from exitprog.triggers import tracked


class PoliceRegion(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("police region")
        verbose_name_plural = _("police regions")
        permissions = [("liaise", _("Act as police liaison in the region"))]

    def __str__(self) -> str:
        return self.name


# How often a municipality's active cases get their follow-up report, in months.
CASE_REPORT_INTERVALS = [
    (1, _("month")),
    (3, _("quarter")),
    (6, _("half-year")),
    (12, _("year")),
]


# The history keeps the program's settings; the reference data (names, codes, coordinates,
# population) comes from data/se_municipalities.csv and is loaded again, not edited.
@tracked(fields=["runs_program", "referral_answer_days", "case_report_months", "team_visibility"])
class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    county_code = models.CharField(_("county code"), max_length=2)
    county_name = models.CharField(_("county"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    police_region = models.ForeignKey(
        PoliceRegion,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("police region"),
    )
    runs_program = models.BooleanField(_("runs an exit program"), default=False)
    referral_answer_days = models.PositiveSmallIntegerField(
        _("days to wait for an answer to a referral"),
        default=14,
        help_text=_("A sent referral without an answer after this many days is shown as overdue."),
    )
    case_report_months = models.PositiveSmallIntegerField(
        _("case follow-up report every"),
        choices=CASE_REPORT_INTERVALS,
        default=1,
        help_text=_("How often a follow-up report is made for each active case."),
    )
    team_visibility = models.BooleanField(
        _("team visibility"),
        default=True,
        help_text=_(
            "When on, every caseworker of the municipality sees its cases; when off, "
            "caseworkers see only the cases they are assigned to."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        # The capabilities a role grants on a municipality (see access.policy).
        permissions = [
            ("view_cases", _("See the municipality's cases")),
            ("work_cases", _("Open intakes and work on assigned cases")),
            ("manage_cases", _("Assign, decide intakes, close, transfer and share cases")),
            ("view_access_log", _("Read the access log of the municipality's cases")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{4}$"), name="municipality_code_4_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. Roles come from group membership (see RoleGroup)."""

    must_change_password = models.BooleanField(
        _("must change password at next login"),
        default=False,
        help_text=_("Set by an administrator; cleared when the user sets a new password."),
    )
    # How a counterpart reaches the user at work: printed with their name and e-mail address
    # on the letters they send (referrals) and shown where others need a contact.
    work_phone = models.CharField(
        _("work phone"),
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 ()-]{4,28}$",
                _("Give a phone number of digits, spaces and dashes, e.g. 08-123 456 78."),
            )
        ],
        help_text=_("Printed on the letters the user sends, e.g. 08-123 456 78."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("view_statistics", _("See de-identified national statistics"))]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def set_password(self, raw_password: str | None) -> None:
        # Choosing a password (the change form, the reset link) fulfils the administrator's
        # "must change password"; the forms save the whole user afterwards.
        super().set_password(raw_password)
        self.must_change_password = False


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    MANAGER = "manager", _("Manager")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


MUNICIPAL_ROLES = frozenset({Role.CASEWORKER, Role.MANAGER})
REGIONAL_ROLES = frozenset({Role.POLICE_LIAISON})
NATIONAL_ROLES = frozenset({Role.ANALYST, Role.ADMINISTRATOR})
# The roles that reach case content. An administrator holds none of them (separation of
# duties); the rule is enforced by `accounts.services.role_grant` and, in the database, by the
# trigger of accounts/migrations/0004 (which lists the same three values).
CASE_ROLES = frozenset({Role.CASEWORKER, Role.MANAGER, Role.POLICE_LIAISON})


class RoleGroup(models.Model):
    """The Django group that holds one role in one municipality, police region or nationally."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role_group")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="role_groups"
    )
    police_region = models.ForeignKey(
        PoliceRegion, on_delete=models.CASCADE, null=True, blank=True, related_name="role_groups"
    )

    class Meta:
        verbose_name = _("role group")
        verbose_name_plural = _("role groups")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "municipality"],
                condition=models.Q(municipality__isnull=False),
                name="one_group_per_municipal_role",
            ),
            models.UniqueConstraint(
                fields=["role", "police_region"],
                condition=models.Q(police_region__isnull=False),
                name="one_group_per_regional_role",
            ),
            models.UniqueConstraint(
                fields=["role"],
                condition=models.Q(municipality__isnull=True, police_region__isnull=True),
                name="one_group_per_national_role",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=[Role.CASEWORKER, Role.MANAGER],
                        municipality__isnull=False,
                        police_region__isnull=True,
                    )
                    | models.Q(
                        role=Role.POLICE_LIAISON,
                        municipality__isnull=True,
                        police_region__isnull=False,
                    )
                    | models.Q(
                        role__in=[Role.ANALYST, Role.ADMINISTRATOR],
                        municipality__isnull=True,
                        police_region__isnull=True,
                    )
                ),
                name="role_group_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        scope = self.municipality or self.police_region
        label = Role(self.role).label
        return f"{label}, {scope}" if scope else str(label)


@tracked()
class RoleGrant(models.Model):
    """One holding of a role: who got it, when and from whom, and when and by whom it ended.

    Written only by `role_grant` and `role_revoke`, in the same transaction as the group
    membership that actually carries the role. A revoked grant stays as the record of the past;
    a new grant of the same role is a new row.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("user")
    )
    role_group = models.ForeignKey(
        RoleGroup, on_delete=models.PROTECT, related_name="grants", verbose_name=_("role")
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role_group"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_current_grant_per_user_and_role",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("granted_at")),
                name="role_grant_revoked_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role_group}: {self.user}"

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None


# Direct foreign-key permission tables for guardian (fast, with real foreign keys).
class MunicipalityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Municipality, on_delete=models.CASCADE)


class MunicipalityUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Municipality, on_delete=models.CASCADE)


class PoliceRegionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PoliceRegion, on_delete=models.CASCADE)


class PoliceRegionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(PoliceRegion, on_delete=models.CASCADE)


# A saved rule set's `updated_at` is when it was last saved; the rules of a municipality that
# has saved none (the defaults, not yet a row) read as saved at this instant, so that a form
# opened on them is refused when someone saves the municipality's first rules meanwhile.
YOUTH_RULES_NEVER_SAVED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@tracked()
class YouthRules(models.Model):
    """How a municipality's program takes young clients (under 18), set by its managers.

    One row per municipality, made the first time a manager saves the rules; until then the
    defaults below apply (`YouthRules.of`). The defaults follow Swedish practice:

    - `minimum_age` 15: the age of criminal responsibility; a younger client is not taken into
      the program but handled on the youth path, with the social services' child unit.
    - guardians' consent needed for interventions and for sharing: yes (the guardians have the
      custody of a child under 18, föräldrabalken 6 kap. 11 §).
    - `own_consent_age` 15: from 15 a young person's own consent suffices where the rules
      above would ask the guardians (their growing say in matters of their own person; the
      age at which they may, for instance, consent to care themselves under SoL 3 kap. 6 a §).
    - the child unit (barnenheten): a plain contact, blank until set.
    """

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="youth_rules",
        verbose_name=_("municipality"),
    )
    minimum_age = models.PositiveSmallIntegerField(
        _("the program's minimum age"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(18)],
        help_text=_(
            "A client younger than this on the day of the intake decision cannot be accepted "
            "into the program; the youth path, with the child unit, is offered instead."
        ),
    )
    guardian_consent_for_interventions = models.BooleanField(
        _("guardians' consent needed for interventions"), default=True
    )
    guardian_consent_for_sharing = models.BooleanField(
        _("guardians' consent needed for sharing"), default=True
    )
    own_consent_age = models.PositiveSmallIntegerField(
        _("own consent suffices from the age of"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(18)],
        help_text=_("From this age the young person's own consent suffices."),
    )
    child_unit_name = models.CharField(_("child unit"), max_length=200, blank=True)
    child_unit_phone = models.CharField(_("child unit's phone"), max_length=30, blank=True)
    child_unit_email = models.EmailField(_("child unit's e-mail address"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("youth rules")
        verbose_name_plural = _("youth rules")

    def __str__(self) -> str:
        return str(self.municipality)

    @staticmethod
    def of(municipality: Municipality) -> "YouthRules":
        """The municipality's rules (one query): the saved row, or the defaults unsaved."""
        rules = YouthRules.objects.filter(municipality=municipality).first()
        if rules is None:
            rules = YouthRules(municipality=municipality, updated_at=YOUTH_RULES_NEVER_SAVED)
        return rules

    @property
    def child_unit_contact(self) -> str:
        """The child unit's name, phone and e-mail address, as one line ("" when unset)."""
        parts = [self.child_unit_name, self.child_unit_phone, self.child_unit_email]
        return ", ".join(part for part in parts if part)
