"""Clients and their program episodes (cases)."""

import datetime
from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import Municipality
from cases.age import AgeBand, is_young
from exitprog.triggers import AppendOnly, tracked


@tracked(exclude=["pseudonym"])
class Client(models.Model):
    """The person as one municipality knows them. Several cases over the years may refer to
    one client, all of that municipality.

    A client record belongs to one municipality: what one municipality knows about a person
    is secret towards every other (OSL), so the same person known in two municipalities is
    two rows. Only the keyed `pseudonym` (never shown) recognises them as one person, for
    the national statistics.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("municipality"),
    )
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
    # A reserve identity without a birth date may carry an age band as given on a day
    # (cases.age: the band ages with the client).
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    age_band_on = models.DateField(_("age band given on"), null=True, blank=True)
    # Under 18 (or possibly so, by an age band) today: set on every save and each night by
    # cases.notify.clients_notify_turned_adult, which clears it on the 18th birthday.
    young = models.BooleanField(_("young"), default=False, db_index=True, editable=False)
    protected_identity = models.BooleanField(_("protected identity"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # HMAC-SHA256 of the identity number under EXITPROG_PSEUDONYM_KEY
    # (cases.identity.identity_pseudonym): the same person has the same pseudonym in every
    # municipality. Never shown: not in a form, the admin, a template or an export of a case.
    pseudonym = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        # The caseload's name search is icontains, i.e. UPPER(name) LIKE '%…%': trigram
        # indexes on the upper-cased names keep it fast at tens of thousands of clients.
        indexes = [
            GinIndex(OpClass(Upper("first_name"), name="gin_trgm_ops"), name="client_first_trgm"),
            GinIndex(OpClass(Upper("last_name"), name="gin_trgm_ops"), name="client_last_trgm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(identity_number="") | ~models.Q(reserve_identity=""),
                name="client_has_identity_or_reserve",
            ),
            # An age band is given on a day, and only where no birth date is known.
            models.CheckConstraint(
                condition=models.Q(age_band="", age_band_on__isnull=True)
                | models.Q(birth_date__isnull=True, age_band_on__isnull=False)
                & ~models.Q(age_band=""),
                name="client_age_band_with_its_day_without_birth_date",
            ),
            # One client row per person and municipality.
            models.UniqueConstraint(
                fields=["municipality", "identity_number"],
                condition=~models.Q(identity_number=""),
                name="client_one_per_number_and_municipality",
            ),
            # The target of the composite foreign key from cases_case (client_id,
            # municipality_id) that the migration 0012 adds in SQL: a case's client belongs
            # to the case's municipality.
            models.UniqueConstraint(
                fields=["id", "municipality"], name="client_id_municipality_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves the `young` flag with the rest (cases.age): it follows the birth date or
        the age band, and the 18th-birthday job clears it."""
        self.young = is_young(self, timezone.localdate())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "young"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CaseState(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    ASSESSMENT = "assessment", _("Assessment")
    ACCEPTED = "accepted", _("Accepted")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DISCONTINUED = "discontinued", _("Discontinued")
    REJECTED = "rejected", _("Rejected")


class IntakeSource(models.TextChoices):
    SELF = "self", _("The client's own contact")
    POLICE = "police", _("Police")
    PRISON_PROBATION = "prison_probation", _("Prison and Probation Service")
    SOCIAL_SERVICES = "social_services", _("Social services")
    OTHER_AGENCY = "other_agency", _("Another agency")
    RELATIVE = "relative", _("A relative or someone close")


OPEN_STATES = frozenset(
    {CaseState.INQUIRY, CaseState.ASSESSMENT, CaseState.ACCEPTED, CaseState.ACTIVE}
)
# The states whose cases wait for the program's intake decision (accept or reject): the
# manager's intake queue and the caseload report's waiting cases.
AWAITING_INTAKE_STATES = (CaseState.INQUIRY, CaseState.ASSESSMENT)


# The history of a case leaves out its client: the client moves with a transfer to a row of
# the receiving municipality, and the sending row is not the receiver's to see (OSL).
@tracked(exclude=["client"])
class Case(models.Model):
    """One program episode of a client, owned by one municipality.

    The client is always a client of the case's municipality: the database refuses anything
    else (a composite foreign key (client_id, municipality_id), migration 0012).
    """

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
    source = models.CharField(
        _("intake source"), max_length=30, choices=IntakeSource.choices, default="self"
    )
    source_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referring agency"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Accepted on the youth path (cases.services.case_accept_youth_path): a young client
    # below the program's minimum age, handled together with the municipality's child unit.
    youth_path = models.BooleanField(_("youth path"), default=False)
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
        indexes = [
            models.Index(fields=["municipality", "state"]),
            # The caseload's default order (soonest review first) within a municipality.
            models.Index(
                fields=["municipality", "next_review_on", "reference"], name="case_caseload_idx"
            ),
            # The same order for the caseload's keyset pages (cases.selectors.caseload_page):
            # a row comparison needs a value where the review date is missing (last).
            models.Index(
                models.F("municipality"),
                Coalesce(models.F("next_review_on"), models.Value(datetime.date.max)),
                models.F("reference"),
                name="case_caseload_keyset_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def review_is_due(self, today: datetime.date, within_days: int) -> bool:
        if self.next_review_on is None or not self.is_open:
            return False
        return self.next_review_on <= today + datetime.timedelta(days=within_days)


@tracked()
class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case grants to one user: an assignment (work_case) or a police share."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="user_grants")


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Per-case grants to a group: a share with a police region's liaisons."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_grants")


# The states a decision may name: today's, and the retired "transferred" (a transfer moves the
# case with its state; migration 0015 closed the cases left in it). Decisions are kept as
# written, so the rows that name it keep their label.
DECISION_STATES = [*CaseState.choices, ("transferred", _("Transferred"))]


class CaseStateChange(models.Model):
    """Who moved a case from one state to another, when and why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(_("from"), max_length=20, choices=DECISION_STATES, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=DECISION_STATES)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


# --- Codebooks (managed by administrators) ----------------------------------------------------


def _in_language(swedish: str, english: str) -> str:
    """The Swedish or the English text of a bilingual record, for the active language."""
    from django.utils.translation import get_language

    return english if (get_language() or "sv").startswith("en") else swedish


class CodebookEntry(models.Model):
    """A code with a Swedish and an English label; the shared vocabulary of all programs."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self.name_sv, self.name_en)


class Need(CodebookEntry):
    is_health = models.BooleanField(
        _("health information"),
        default=False,
        help_text=_("Health needs are never shared with the police."),
    )

    class Meta(CodebookEntry.Meta):
        verbose_name = _("need")
        verbose_name_plural = _("needs")


class InterventionType(CodebookEntry):
    class Meta(CodebookEntry.Meta):
        verbose_name = _("intervention type")
        verbose_name_plural = _("intervention types")


# --- Criminal groups --------------------------------------------------------------------------


class CriminalGroup(models.Model):
    class Kind(models.TextChoices):
        GANG = "gang", _("Gang")
        NETWORK = "network", _("Criminal network")
        EXTREMIST = "extremist", _("Violent extremist group")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.CharField(_("area"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("criminal group")
        verbose_name_plural = _("criminal groups")

    def __str__(self) -> str:
        return self.name


class GroupConflict(models.Model):
    """A rivalry between two groups: their defectors must not be placed close to each other."""

    group_a = models.ForeignKey(CriminalGroup, on_delete=models.CASCADE, related_name="+")
    group_b = models.ForeignKey(CriminalGroup, on_delete=models.CASCADE, related_name="+")
    since = models.DateField(_("since"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("group conflict")
        verbose_name_plural = _("group conflicts")
        constraints = [
            models.UniqueConstraint(fields=["group_a", "group_b"], name="one_conflict_per_pair"),
            models.CheckConstraint(
                condition=models.Q(group_a__lt=models.F("group_b")),
                name="conflict_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_a} / {self.group_b}"


class AffiliationRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    MEMBER = "member", _("Member")
    ASSOCIATE = "associate", _("Associate")
    PERIPHERAL = "peripheral", _("Peripheral")


@tracked()
class GroupAffiliation(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="affiliations")
    group = models.ForeignKey(
        CriminalGroup,
        on_delete=models.PROTECT,
        related_name="affiliations",
        verbose_name=_("group"),
    )
    role = models.CharField(_("role"), max_length=20, choices=AffiliationRole.choices)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("group affiliation")
        verbose_name_plural = _("group affiliations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="affiliation_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} ({self.get_role_display()})"


# --- Motivation assessments -------------------------------------------------------------------


class Instrument(models.Model):
    """A versioned assessment instrument, shared by all municipalities."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=120)
    published_on = models.DateField(_("published"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_current=True), name="one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def max_score(self) -> int:
        return sum(item.max_score for item in self.items.all())


class InstrumentPart(models.Model):
    """A statement or a criterion of an instrument, in Swedish and English."""

    key = models.SlugField(max_length=40)
    text_sv = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.key

    @property
    def text(self) -> str:
        return _in_language(self.text_sv, self.text_en)


class InstrumentItem(InstrumentPart):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    max_score = models.PositiveSmallIntegerField(default=4)

    class Meta(InstrumentPart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="item_key_unique")
        ]


class InstrumentCriterion(InstrumentPart):
    """An eligibility criterion of the program, checked one by one in each assessment."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="criteria")

    class Meta(InstrumentPart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="criterion_key_unique")
        ]


class StageOfChange(models.TextChoices):
    PRECONTEMPLATION = "precontemplation", _("Precontemplation")
    CONTEMPLATION = "contemplation", _("Contemplation")
    PREPARATION = "preparation", _("Preparation")
    ACTION = "action", _("Action")
    MAINTENANCE = "maintenance", _("Maintenance")


class Recommendation(models.TextChoices):
    ACCEPT = "accept", _("Accept into the program")
    CONTINUE = "continue", _("Continue in the program")
    REASSESS = "reassess", _("Assess again later")
    DECLINE = "decline", _("Do not accept")


class MotivationAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("date of assessment"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor"),
    )
    stage = models.CharField(_("stage of change"), max_length=20, choices=StageOfChange.choices)
    total_score = models.PositiveSmallIntegerField(_("total score"))
    criteria_met = models.BooleanField(_("all criteria met"))
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("motivation assessment")
        verbose_name_plural = _("motivation assessments")
        # An assessment is kept as made; a new one is the next point of the trend.
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id} {self.assessed_on}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(
        MotivationAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(InstrumentItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_score_per_item")
        ]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.score}"


class AssessmentCriterionCheck(models.Model):
    assessment = models.ForeignKey(
        MotivationAssessment, on_delete=models.CASCADE, related_name="criterion_checks"
    )
    criterion = models.ForeignKey(InstrumentCriterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_check_per_criterion"
            )
        ]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.met}"


# --- Risk and needs ---------------------------------------------------------------------------


class ThreatLevel(models.IntegerChoices):
    NONE = 0, _("None")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class ThreatSource(models.TextChoices):
    POLICE = "police", _("Police")
    OWN = "own", _("Own assessment")
    CLIENT = "client", _("The client")
    OTHER_AGENCY = "other_agency", _("Another agency")


class ThreatAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="threats")
    level = models.PositiveSmallIntegerField(_("threat level"), choices=ThreatLevel.choices)
    source = models.CharField(_("source"), max_length=20, choices=ThreatSource.choices)
    assessed_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("threat assessment")
        verbose_name_plural = _("threat assessments")
        # A new level is a new assessment; the old ones are the threat's history.
        triggers = [AppendOnly()]
        indexes = [
            # The current level of a case: its newest assessment (the caseload annotates it).
            models.Index(
                "case",
                models.F("assessed_on").desc(),
                models.F("id").desc(),
                include=["level"],
                name="threat_current_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.assessed_on})"


@tracked()
class CaseNeed(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="+", verbose_name=_("need")
    )
    identified_on = models.DateField(_("identified"))
    resolved_on = models.DateField(_("resolved"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["need__order"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "need"],
                condition=models.Q(resolved_on__isnull=True),
                name="one_open_need_of_a_kind",
            )
        ]

    def __str__(self) -> str:
        return str(self.need)


# --- Interventions ----------------------------------------------------------------------------


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# An intervention still to run or running: what the closing checklist lists.
UNFINISHED_INTERVENTION_STATUSES = (InterventionStatus.PLANNED, InterventionStatus.ONGOING)


class InterventionOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("Goal achieved")
    PARTLY = "partly", _("Goal partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Goal not achieved")
    UNKNOWN = "unknown", _("Unknown")


@tracked()
class Intervention(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    type = models.ForeignKey(
        InterventionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    provider = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("provider"),
        help_text=_("Leave empty when the program's own unit provides it."),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InterventionStatus.choices, default="planned"
    )
    cost_sek = models.DecimalField(
        _("cost (SEK)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=InterventionOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost_sek__isnull=True) | models.Q(cost_sek__gte=0),
                name="intervention_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="intervention_planned_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end__isnull=True)
                | models.Q(actual_start__isnull=True)
                | models.Q(actual_end__gte=models.F("actual_start")),
                name="intervention_actual_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} ({self.get_status_display()})"


# --- Journal ----------------------------------------------------------------------------------


class JournalCategory(models.TextChoices):
    CONTACT = "contact", _("Contact with the client")
    MEETING = "meeting", _("Meeting")
    COLLABORATION = "collaboration", _("Collaboration with another agency")
    DECISION = "decision", _("Decision")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class JournalEntry(models.Model):
    """The caseworker's documentation. Append-only, enforced by a database trigger."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="journal")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    occurred_on = models.DateField(_("date of the event"))
    category = models.CharField(_("category"), max_length=20, choices=JournalCategory.choices)
    text = models.TextField(_("text"))
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id} {self.written_at:%Y-%m-%d %H:%M}"


# --- Consent ----------------------------------------------------------------------------------


class InformationKind(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    THREAT = "threat", _("Threat level")
    GROUP = "group", _("Group affiliation")
    PLACEMENT = "placement", _("Placement")
    INTERVENTIONS = "interventions", _("Interventions")
    REFERRALS = "referrals", _("Referrals")
    HEALTH = "health", _("Health and substance use")
    CRIMINAL_RECORD = "criminal_record", _("Criminal record")


@tracked()
class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    agencies = models.ManyToManyField(
        "agencies.Agency", related_name="consents", verbose_name=_("agencies")
    )
    information = ArrayField(
        models.CharField(max_length=20, choices=InformationKind.choices),
        verbose_name=_("kinds of information"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="consent_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.valid_from}"

    @property
    def information_labels(self) -> list[str]:
        return [str(InformationKind(kind).label) for kind in self.information]

    def is_valid_on(self, day: datetime.date) -> bool:
        if self.revoked_at is not None and timezone.localdate(self.revoked_at) <= day:
            return False
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


# --- Placements -------------------------------------------------------------------------------


class PlacementKind(models.TextChoices):
    OWN_FLAT = "own_flat", _("Own flat")
    PROTECTED_HOUSING = "protected_housing", _("Protected housing")
    TREATMENT_HOME = "treatment_home", _("Treatment home")
    FAMILY = "family", _("With family")


@tracked()
class Placement(models.Model):
    """Where the client lives during the case (often away from threats)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PlacementKind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.municipality}"


# --- Follow-ups after the case ends ---------------------------------------------------------

# A follow-up is due this many months after a case ends (completed or discontinued).
FOLLOW_UP_MONTHS = (3, 6, 12, 24)


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class ReoffendingSource(models.TextChoices):
    CRIMINAL_RECORD = "criminal_record", _("Criminal record or police register")
    POLICE = "police", _("The police")
    PRISON_PROBATION = "prison_probation", _("Prison and Probation Service")
    CLIENT = "client", _("The client")
    OTHER_AGENCY = "other_agency", _("Another agency")
    OWN = "own", _("Own knowledge")


class Housing(models.TextChoices):
    OWN_HOME = "own_home", _("Own home (rented or owned)")
    SUBLET = "sublet", _("Sublet or temporary contract")
    FAMILY = "family", _("With family or friends")
    PROTECTED = "protected", _("Protected housing")
    INSTITUTION = "institution", _("Treatment home or institution")
    CUSTODY = "custody", _("Prison or custody")
    HOMELESS = "homeless", _("Homeless")
    UNKNOWN = "unknown", _("Not known")


class Occupation(models.TextChoices):
    WORK = "work", _("Work")
    STUDIES = "studies", _("Studies")
    WORK_AND_STUDIES = "work_and_studies", _("Work and studies")
    NEITHER = "neither", _("Neither work nor studies")
    UNKNOWN = "unknown", _("Not known")


class GroupContact(models.TextChoices):
    NONE = "none", _("No contact")
    OCCASIONAL = "occasional", _("Occasional contact")
    REGULAR = "regular", _("Regular contact")
    REJOINED = "rejoined", _("Back in the group")
    UNKNOWN = "unknown", _("Not known")


@tracked()
class FollowUp(models.Model):
    """An outcome check some months after a case ended: what became of the client.

    Scheduled when the case is completed or discontinued (see `cases.services`); the outcome
    fields stay empty until the check is recorded, once. A recorded follow-up is kept as
    recorded: the database refuses its UPDATE and DELETE (a later finding goes in the
    journal); an unrecorded one may still be changed or removed.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after the end"))
    due_on = models.DateField(_("due"))
    checked_on = models.DateField(_("date of the check"), null=True, blank=True)
    alive = models.CharField(_("alive"), max_length=10, choices=Answer.choices, blank=True)
    reoffended = models.CharField(
        _("re-offended"), max_length=10, choices=Answer.choices, blank=True
    )
    reoffending_source = models.CharField(
        _("source of the re-offending information"),
        max_length=20,
        choices=ReoffendingSource.choices,
        blank=True,
    )
    housing = models.CharField(_("housing"), max_length=20, choices=Housing.choices, blank=True)
    occupation = models.CharField(
        _("work or studies"), max_length=20, choices=Occupation.choices, blank=True
    )
    group_contact = models.CharField(
        _("contact with the group"), max_length=20, choices=GroupContact.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["case", "months"], name="follow_up_once_per_month")
        ]
        triggers = [AppendOnly(condition=pgtrigger.Q(old__recorded_at__isnull=False))]
        indexes = [
            # Due follow-ups: the caseworker's home and the reports look up the open ones.
            models.Index(
                fields=["due_on"],
                condition=models.Q(recorded_at__isnull=True),
                name="follow_up_open_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.months}"

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_recorded and self.due_on < today


# --- Transfers between municipalities ---------------------------------------------------------


class TransferState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@tracked()
class Transfer(models.Model):
    """A proposal to move a case to another municipality, and the receiver's answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from"),
    )
    to_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=TransferState.choices, default=TransferState.PROPOSED
    )
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="proposed"),
                name="one_open_transfer_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_municipality=models.F("to_municipality")),
                name="transfer_to_another_municipality",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_municipality} → {self.to_municipality}"


# --- Sharing with the police ------------------------------------------------------------------


class PoliceShareEnd(models.TextChoices):
    REVOKED = "revoked", _("Ended by the manager")
    CONSENT_REVOKED = "consent_revoked", _("The consent was revoked")
    CONSENT_EXPIRED = "consent_expired", _("The consent expired")
    TRANSFERRED = "transferred", _("The case moved to another municipality")


@tracked()
class PoliceShare(models.Model):
    """A case shared with one liaison or a police region, under a consent or a legal basis.

    The grant itself is a row in the case's direct foreign-key permission tables; this record
    holds its basis. The policy checks the basis on every request, so a revoked or expired
    consent ends the access at once; a periodic task then ends the share and logs it.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_shares")
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="police_shares",
        verbose_name=_("police liaison"),
    )
    police_region = models.ForeignKey(
        "accounts.PoliceRegion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("police region"),
    )
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="police_shares",
        verbose_name=_("consent"),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("shared"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=PoliceShareEnd.choices, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("police share")
        verbose_name_plural = _("police shares")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(liaison__isnull=False) | models.Q(police_region__isnull=False),
                name="police_share_has_a_recipient",
            ),
            models.CheckConstraint(
                condition=models.Q(consent__isnull=False) | ~models.Q(legal_basis=""),
                name="police_share_has_a_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.liaison or self.police_region}"


class PoliceNote(models.Model):
    """Threat information a police liaison adds to a shared case. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="police_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    threat_level = models.PositiveSmallIntegerField(
        _("threat level"), choices=ThreatLevel.choices, null=True, blank=True
    )
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("police note")
        verbose_name_plural = _("police notes")
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id} {self.written_at:%Y-%m-%d}"


class PoliceVisit(models.Model):
    """When a liaison last opened a shared case, for "changed since your last visit"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="one_visit_row_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.case_id}"


# --- The contact card -------------------------------------------------------------------------


class SafeContact(models.TextChoices):
    ANY = "any", _("Phone calls and text messages")
    TEXT_ONLY = "text_only", _("Text messages only")
    CALL_ONLY = "call_only", _("Phone calls only, no text messages")
    VIA_CONTACT_PERSON = "via_contact_person", _("Only through the contact person")
    IN_PERSON = "in_person", _("Only in person, at a meeting")


# Of the case, not of the client: it moves with the case when the case is transferred, and
# nothing of it stays with the municipality the case left (OSL). A protected identity's
# contact card is identity data: it is shown where the address is (`policy.
# may_see_contact_card`), never to a police liaison.
@tracked()
class ContactCard(models.Model):
    """How to reach the client safely: a phone number, the safe way and the times."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="contact_card", verbose_name=_("case")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    safe_contact = models.CharField(
        _("safe way to reach the client"),
        max_length=30,
        choices=SafeContact.choices,
        default=SafeContact.ANY,
    )
    times = models.CharField(
        _("when to reach the client"),
        max_length=200,
        blank=True,
        help_text=_("For example: weekdays 9–12, never in the evening."),  # noqa: RUF001
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("What must be kept in mind when making contact.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact card")
        verbose_name_plural = _("contact cards")

    def __str__(self) -> str:
        return f"{self.case_id}"


@tracked()
class ContactPerson(models.Model):
    """Someone in the client's network: a relative, a contact person, a mentor."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="contact_people", verbose_name=_("case")
    )
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(
        _("relation"), max_length=100, help_text=_("For example: mother, contact person.")
    )
    reach = models.CharField(
        _("how to reach them"), max_length=200, blank=True, help_text=_("A phone number, or how.")
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Removed from the network (no longer to be contacted, or never again): kept, with its
    # history, but no longer listed on the contact card.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removal_reason = models.CharField(_("why removed"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person in the network")
        verbose_name_plural = _("people in the network")

    def __str__(self) -> str:
        return self.name


class SavedCaseloadFilter(models.Model):
    """A filter of the caseload that one user saved under a name, for themselves alone.

    Only the list's query parameters are kept (the filters, the sort and the scope), never the
    search, which may hold a personal identity number; the caseload's form validates them again
    each time the filter is applied.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_caseload_filters",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved caseload filter")
        verbose_name_plural = _("saved caseload filters")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_one_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name


from cases.guardians import ConsentGiver, Guardian  # noqa: E402,F401
