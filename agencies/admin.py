from django.contrib import admin

from agencies.models import Agency


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "police_region", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)
