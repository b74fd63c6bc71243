from django.contrib import admin
from django.http import HttpRequest


class ExitprogAdminSite(admin.AdminSite):
    """The admin, for administrators only: users, municipalities and roles, never case content."""

    site_header = "exitprog"
    site_title = "exitprog"

    def has_permission(self, request: HttpRequest) -> bool:
        from access import policy

        return bool(request.user.is_active and policy.is_administrator(request.user))
