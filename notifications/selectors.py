"""The user's own notifications: the list and the header's count."""

from django.db.models import F, QuerySet

from accounts.models import User
from notifications.models import Notification

LIST_LIMIT = 200


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first, with each case's reference
    (one query). Only the kind and the reference are shown: the case opens through the
    access module."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("case")
        .only("pk", "kind", "created_at", "read_at", "case__reference")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-id")[:LIST_LIMIT]
    )


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
