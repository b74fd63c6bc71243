"""The user's notifications (unread first, mark read) and their e-mail choices.

Every user sees only their own notifications; marking read is a POST (CSRF) that touches only
the user's own rows. The list shows the kind and the case's reference, nothing of the case:
the case opens through the access module, which answers 404 to whoever may no longer read it.
"""

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from notifications import selectors, services
from notifications.forms import PreferencesForm


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    notifications = list(selectors.notifications_for(user=user))
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": notifications,
            "any_unread": any(not n.is_read for n in notifications),
        },
    )


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.notification_mark_read(user=cast(User, request.user), notification_id=notification_id)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_read(user=cast(User, request.user))
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.notification_preferences_set(
                user=user, email_kinds=form.cleaned_data["email_kinds"]
            )
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial={"email_kinds": sorted(services.email_kinds_for(user))})
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(user.email)},
    )
