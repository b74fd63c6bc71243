"""The case plan (*genomförandeplan*) and its reviews.

A plan is written in versions: each save is a new `CasePlan` with its goals, and no version
is ever changed or deleted (append-only in the database), so what was agreed at any time stays
as it was written. A `Review` records that the plan and the case were gone through, with what
came of it, and sets the case's next review date; reviews are append-only too.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exitprog.triggers import AppendOnly


class CasePlan(models.Model):
    """One version of a case's plan; the newest is the plan in force."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField(_("version"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    next_review_on = models.DateField(_("next review"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("case plan")
        verbose_name_plural = _("case plans")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="case_plan_version_unique")
        ]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"


class PlanGoal(models.Model):
    """A goal of a plan version: what the client and the program aim for, the interventions
    planned for it and who is responsible."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(_("order"))
    goal = models.TextField(_("goal"))
    interventions = models.ManyToManyField(
        "cases.Intervention",
        through="PlanGoalIntervention",
        blank=True,
        related_name="+",
        verbose_name=_("planned interventions"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible"),
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="plan_goal_order_unique")
        ]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.order}"


class PlanGoalIntervention(models.Model):
    """An intervention planned for a goal: part of the plan version, append-only as it is."""

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="+")
    intervention = models.ForeignKey(
        "cases.Intervention", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "intervention"], name="plan_goal_intervention_unique"
            )
        ]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.goal_id}/{self.intervention_id}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue as planned")
    PLAN_CHANGED = "plan_changed", _("The plan is to be changed")
    CLOSE = "close", _("The case is to be closed")


class Review(models.Model):
    """A review of the case and its plan: who, when, what was reviewed and what came of it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reviews")
    plan = models.ForeignKey(
        CasePlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("plan version reviewed"),
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed = models.TextField(_("what was reviewed"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    next_review_on = models.DateField(_("next review"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_review_on__gt=models.F("reviewed_on")),
                name="review_next_after_review",
            )
        ]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.case_id} {self.reviewed_on}"
