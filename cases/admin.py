"""Codebooks and shared reference records, for administrators. No case content is here."""

from django.contrib import admin

from cases.models import CriminalGroup, GroupConflict, InterventionType, Need


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ("code", "name_sv", "name_en", "is_health", "active", "order")
    list_editable = ("active", "order")


@admin.register(InterventionType)
class InterventionTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_sv", "name_en", "active", "order")
    list_editable = ("active", "order")


@admin.register(CriminalGroup)
class CriminalGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)


@admin.register(GroupConflict)
class GroupConflictAdmin(admin.ModelAdmin):
    list_display = ("group_a", "group_b", "since")
