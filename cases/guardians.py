"""A young client's guardians (vårdnadshavare), and whose consent a consent of theirs is.

Models of the `cases` app, kept in a module of their own (`cases.models` imports them at its
end). A guardian belongs to the client (as the client's identity does), and is protected like
it: where the client has a protected identity, the guardians' names and contacts are shown
only where the client's address is (`policy.may_see_contact_card`), never to a police
liaison. A guardian can be a threat to the client, or part of the group: `safe_to_contact`
must be decided, and a guardian not safe to contact never appears in a letter or a PDF with
their contact.
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.age import age_of, is_young
from exitprog.triggers import tracked

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import YouthRules
    from cases.models import Case, Client, Consent


class GuardianRelation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    OTHER = "other", _("Other guardian")


@tracked()
class Guardian(models.Model):
    """A guardian of a young client: who, how to reach them, and whether that is safe."""

    client = models.ForeignKey(
        "cases.Client",
        on_delete=models.CASCADE,
        related_name="guardians",
        verbose_name=_("client"),
    )
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=20, choices=GuardianRelation.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact = models.CharField(
        _("e-mail or other contact"),
        max_length=200,
        blank=True,
        help_text=_("An e-mail address, an address, or how else to reach them."),
    )
    # False until decided: a guardian may be a threat to the client, or part of the group.
    safe_to_contact = models.BooleanField(_("safe to contact"), default=False)
    safety_note = models.TextField(
        _("why not safe to contact"),
        blank=True,
        help_text=_("For example: a threat to the client, or part of the group."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Removed (no longer a guardian, or recorded by mistake): kept with its history.
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
        app_label = "cases"
        ordering = ["name", "id"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self) -> str:
        return self.name


class ConsentGiverKind(models.TextChoices):
    CLIENT = "client", _("The client")
    GUARDIAN = "guardian", _("A guardian")


@tracked()
class ConsentGiver(models.Model):
    """One who gave a consent: the client, or one of the client's guardians."""

    consent = models.ForeignKey(
        "cases.Consent", on_delete=models.CASCADE, related_name="givers", verbose_name=_("consent")
    )
    giver = models.CharField(_("given by"), max_length=20, choices=ConsentGiverKind.choices)
    guardian = models.ForeignKey(
        Guardian,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_given",
        verbose_name=_("guardian"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("consent giver")
        verbose_name_plural = _("consent givers")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(giver=ConsentGiverKind.CLIENT, guardian__isnull=True)
                    | models.Q(giver=ConsentGiverKind.GUARDIAN, guardian__isnull=False)
                ),
                name="consent_giver_guardian_iff_guardian",
            ),
            models.UniqueConstraint(
                fields=["consent"],
                condition=models.Q(giver=ConsentGiverKind.CLIENT),
                name="consent_giver_client_once",
            ),
            models.UniqueConstraint(
                fields=["consent", "guardian"], name="consent_giver_guardian_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consent_id} {self.giver}"


def consent_givers_ok(
    *,
    consent: "Consent",
    rules_needs_guardian: bool,
    own_consent_from_age: int,
    on: datetime.date | None = None,
) -> bool:
    """Whether the consent is given by whom the municipality's youth rules require.

    The client's age is taken on `on` (default: the consent's first day):
    1. an adult (18 or over, or no birth date): the client's own consent, as before guardians
       were recorded, so a consent with no givers recorded is the client's;
    2. a young client of at least `own_consent_from_age`: their own consent is needed, and
       suffices;
    3. a younger client where the rules need the guardians' consent: at least one guardian
       (not removed) must have given it;
    4. otherwise: the client's own consent or a guardian's.
    Reads the consent's `givers` (prefetch `givers__guardian` for many consents).
    """
    client = consent.case.client
    day = on or consent.valid_from
    if not is_young(client, day):
        return True
    givers = list(consent.givers.all())
    by_client = any(g.giver == ConsentGiverKind.CLIENT for g in givers)
    by_guardian = any(
        g.giver == ConsentGiverKind.GUARDIAN
        and g.guardian is not None
        and g.guardian.removed_at is None
        for g in givers
    )
    age = age_of(client, day)  # by an age band: own consent only when certainly old enough
    if age is not None and age.youngest >= own_consent_from_age:
        return by_client
    if rules_needs_guardian:
        return by_guardian
    return by_client or by_guardian


def consent_givers_meet_rules(
    *,
    consent: "Consent",
    rules: "YouthRules",
    for_sharing: bool,
    on: datetime.date | None = None,
) -> bool:
    """`consent_givers_ok` under the municipality's youth rules (`YouthRules.of`): those of
    sharing (`for_sharing`) or of interventions."""
    needs_guardian = (
        rules.guardian_consent_for_sharing
        if for_sharing
        else rules.guardian_consent_for_interventions
    )
    return consent_givers_ok(
        consent=consent,
        rules_needs_guardian=needs_guardian,
        own_consent_from_age=rules.own_consent_age,
        on=on,
    )


def consents_meeting_rules(
    consents: "QuerySet[Consent]",
    *,
    case: "Case",
    rules: "YouthRules",
    for_sharing: bool,
    on: datetime.date,
) -> list["Consent"]:
    """Those of `consents` (the case's) valid on `on` and given as the youth rules say
    (`consent_givers_meet_rules`); one query, with their givers and guardians."""
    met = []
    for consent in consents.prefetch_related("givers__guardian"):
        consent.case = case
        if consent.is_valid_on(on) and consent_givers_meet_rules(
            consent=consent, rules=rules, for_sharing=for_sharing, on=on
        ):
            met.append(consent)
    return met


def guardians_move_with_case(*, case: "Case", source: "Client") -> None:
    """A moved case's client in the receiving municipality (`case.client`, already set by the
    transfer) gets copies of the guardians of `source`, the sending row, as it gets copies
    of the group affiliations; and the case's consents name the copies as their givers, so
    the sending row may go. The removed ones are copied as removed (a consent may name one).
    A guardian the receiver's own row knows already (by name) is not copied twice. The two
    rows are separate from then on."""
    target = case.client
    known = {g.name: g for g in Guardian.objects.filter(client=target)}
    copies: dict[int, Guardian] = {}
    for g in Guardian.objects.filter(client=source).order_by("pk"):
        copy = known.get(g.name)
        if copy is None:
            copy = Guardian.objects.create(
                client=target,
                name=g.name,
                relation=g.relation,
                phone=g.phone,
                contact=g.contact,
                safe_to_contact=g.safe_to_contact,
                safety_note=g.safety_note,
                created_by_id=g.created_by_id,
                created_at=g.created_at,
                removed_at=g.removed_at,
                removed_by_id=g.removed_by_id,
                removal_reason=g.removal_reason,
            )
        copies[g.pk] = copy
    givers = ConsentGiver.objects.filter(consent__case=case, guardian__client=source)
    for giver in givers:
        assert giver.guardian_id is not None  # noqa: S101 (a guardian's by the filter)
        giver.guardian = copies[giver.guardian_id]
        giver.save(update_fields=["guardian", "updated_at"])
