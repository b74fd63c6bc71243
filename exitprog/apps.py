from django.contrib.admin.apps import AdminConfig


class ExitprogAdminConfig(AdminConfig):
    default_site = "exitprog.admin.ExitprogAdminSite"
