"""Tasks: something a caseworker has to do in a case by a date, for themself or a colleague
who works on the same case. A task is marked done (by whom, when); it is never deleted, so
the case keeps what was asked and when it was done.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    due_on = models.DateField(_("due"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # "My tasks" on the home page and the daily "task due" job read the open ones.
            models.Index(
                fields=["assigned_to", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="task_open_idx",
            ),
            models.Index(fields=["case", "due_on"], name="task_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True, done_by__isnull=True)
                | models.Q(done_at__isnull=False, done_by__isnull=False),
                name="task_done_by_whom",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.title}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: object) -> bool:
        return not self.is_done and self.due_on < today  # type: ignore[operator]
