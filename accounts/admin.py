from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Municipality, PoliceRegion, RoleGroup, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "is_active", "last_login")
    # Superuser status is not offered: it would grant nothing in exitprog's policy anyway.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Roles", {"fields": ("is_active", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)


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
