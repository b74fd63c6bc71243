"""The notifications' e-mails, for administrators: which failed and which were given up.

Read only, and nothing of the case: the recipient, the kind, the dates and the kind of the
last error (never its message). The user's own list shows none of this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class EmailStateFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, StrOrPromise]]:
        return [
            ("sent", _("Sent")),
            ("failing", _("Failed, tried again")),
            ("given_up", _("Given up")),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Notification]
    ) -> QuerySet[Notification]:
        given_up = settings.NOTIFICATION_EMAIL_ATTEMPTS
        unsent = queryset.filter(emailed_at__isnull=True)
        match self.value():
            case "sent":
                return queryset.filter(emailed_at__isnull=False)
            case "failing":
                return unsent.filter(email_attempts__gt=0, email_attempts__lt=given_up)
            case "given_up":
                return unsent.filter(email_attempts__gte=given_up)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "recipient",
        "kind",
        "created_at",
        "emailed_at",
        "email_attempts",
        "email_failed_at",
        "email_error",
    )
    list_filter = (EmailStateFilter, "kind", "email_error")
    list_select_related = ("recipient",)
    # Not the case nor the key (which names the case's records).
    fields = list_display[1:]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
