"""The Django admin: accounts, places and role grants, for administrators only.

Separation of duties shapes the user admin. It offers no groups, permissions or superuser
flag (roles change only through `accounts.services.role_grant`, on the role-grant admin) and
no password field: an administrator sends a password-reset e-mail or requires a new password
at next login, and never learns or sets one.
"""

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import (
    CASE_ROLES,
    Municipality,
    PoliceRegion,
    Role,
    RoleGrant,
    RoleGroup,
    User,
)
from exitprog.concurrency import StaleEditError


class AccountPasswordResetForm(PasswordResetForm):
    """The reset e-mail, also for a new account that has no usable password yet.

    Django's form skips users without a usable password; a new account is one until its
    holder sets a password through the link.
    """

    def get_users(self, email: str) -> QuerySet[User]:
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "last_login")
    search_fields = ("username", "first_name", "last_name", "email")
    list_filter = ("is_active", "must_change_password")
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "work_phone")}),
        (_("Sign-in"), {"fields": ("is_active", "must_change_password")}),
        (_("Roles"), {"fields": ("current_roles",)}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("current_roles", "last_login", "date_joined")
    actions = ["send_password_reset", "require_new_password"]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        # The reset link goes to the e-mail address: an administrator who could change the
        # address of someone holding a case role could take over that account unseen. Such an
        # address changes only after the roles are revoked, which their managers see.
        fields = tuple(super().get_readonly_fields(request, obj))
        if (
            obj is not None
            and obj.role_grants.filter(
                revoked_at__isnull=True, role_group__role__in=CASE_ROLES
            ).exists()
        ):
            fields += ("email",)
        return fields

    @admin.display(description=_("roles"))
    def current_roles(self, user: User) -> str:
        grants = RoleGrant.objects.filter(user=user, revoked_at__isnull=True).select_related(
            "role_group__municipality", "role_group__police_region"
        )
        return ", ".join(str(g.role_group) for g in grants) or "-"

    def get_urls(self) -> list[URLPattern]:
        # Django's user admin has a page that sets a password; make sure its address is gone,
        # rather than falling through to the change page's "no such object" redirect.
        def no_password_page(request: HttpRequest, object_id: str) -> HttpResponse:
            raise Http404

        return [path("<path:object_id>/password/", no_password_page), *super().get_urls()]

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            obj.set_unusable_password()  # its holder sets one through the reset e-mail
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send a password-reset e-mail"))
    def send_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = 0
        for user in queryset.exclude(email=""):
            form = AccountPasswordResetForm({"email": user.email})
            if form.is_valid():
                form.save(
                    request=request,
                    use_https=request.is_secure(),
                    email_template_name="registration/password_reset_email.txt",
                    subject_template_name="registration/password_reset_subject.txt",
                )
                sent += 1
        self.message_user(
            request,
            ngettext(
                "A password-reset e-mail was sent to %(count)d user.",
                "A password-reset e-mail was sent to %(count)d users.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )
        if missing := queryset.filter(email="").count():
            self.message_user(
                request,
                ngettext(
                    "%(count)d user has no e-mail address and got no e-mail.",
                    "%(count)d users have no e-mail address and got no e-mail.",
                    missing,
                )
                % {"count": missing},
                messages.WARNING,
            )

    @admin.action(description=_("Require a new password at next sign-in"))
    def require_new_password(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = queryset.update(must_change_password=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d user must choose a new password at next sign-in.",
                "%(count)d users must choose a new password at next sign-in.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class RoleGrantForm(forms.ModelForm):
    """A new grant, checked and written by the role service (never a bare membership)."""

    class Meta:
        model = RoleGrant
        fields = ("user", "role_group")

    def __init__(self, *args: object, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.request = request
        if "user" not in self.fields:
            return  # the view of a recorded grant: every field is read-only
        # Nobody is offered a grant to themselves; administrators are not offered case roles.
        user_field = cast(forms.ModelChoiceField, self.fields["user"])
        user_field.queryset = User.objects.exclude(pk=request.user.pk or 0).order_by("username")
        role_field = cast(forms.ModelChoiceField, self.fields["role_group"])
        role_field.queryset = RoleGroup.objects.select_related(
            "municipality", "police_region"
        ).order_by("role", "municipality__name", "police_region__name")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        user, role_group = cleaned.get("user"), cleaned.get("role_group")
        if isinstance(user, User) and isinstance(role_group, RoleGroup):
            refusal = services.role_grant_refusal(
                user=user, role=Role(role_group.role), by=self.request.user
            )
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    form = RoleGrantForm
    list_display = ("user", "role_group", "granted_at", "granted_by", "revoked_at", "revoked_by")
    list_filter = ("role_group__role",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = (
        "user",
        "granted_by",
        "revoked_by",
        "role_group__municipality",
        "role_group__police_region",
    )
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)

        class BoundRoleGrantForm(form):  # type: ignore[misc,valid-type]
            def __init__(self, *args: object, **kw: object) -> None:
                super().__init__(*args, request=request, **kw)

        return BoundRoleGrantForm

    def has_change_permission(self, request: HttpRequest, obj: RoleGrant | None = None) -> bool:
        return False  # a grant is a record; it ends by revocation, never by editing

    def has_delete_permission(self, request: HttpRequest, obj: RoleGrant | None = None) -> bool:
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Through the role service: it checks the rules again under a lock, adds the
        # membership and records the grant; the admin's own LogEntry then names that grant.
        grant = services.role_grant(
            user=obj.user,
            role=Role(obj.role_group.role),
            municipality=obj.role_group.municipality,
            police_region=obj.role_group.police_region,
            by=request.user,
        )
        obj.pk = grant.pk
        obj.granted_at, obj.granted_by = grant.granted_at, grant.granted_by

    def response_add(self, request, obj, post_url_continue=None):  # type: ignore[no-untyped-def]
        self.message_user(request, _("The role was granted."), messages.SUCCESS)
        return redirect(reverse("admin:accounts_rolegrant_changelist"))

    @admin.action(description=_("Revoke the selected roles"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[RoleGrant]) -> None:
        revoked = 0
        for grant in queryset.filter(revoked_at__isnull=True).select_related("user", "role_group"):
            try:
                services.role_revoke(
                    user=grant.user,
                    role=Role(grant.role_group.role),
                    municipality=grant.role_group.municipality,
                    police_region=grant.role_group.police_region,
                    by=request.user,  # type: ignore[arg-type]
                    # Read in this request: a revocation or a new grant by someone else
                    # between this read and the lock is refused, not overwritten.
                    seen=grant.updated_at,
                )
            except (services.RoleRuleError, StaleEditError) as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d role was revoked.", "%(count)d roles were revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "county_name",
        "police_region",
        "runs_program",
        "team_visibility",
    )
    list_filter = ("runs_program", "police_region")
    search_fields = ("code", "name")
    readonly_fields = ("code", "county_code", "county_name", "latitude", "longitude", "population")


@admin.register(PoliceRegion)
class PoliceRegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(RoleGroup)
class RoleGroupAdmin(admin.ModelAdmin):
    list_display = ("group", "role", "municipality", "police_region")
    list_filter = ("role",)
    readonly_fields = ("group", "role", "municipality", "police_region")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the role service on first grant


# A bare Django group would be a membership outside the role service.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
