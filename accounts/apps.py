from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users, roles and municipalities")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts.roles import national_role_groups_refresh

        post_migrate.connect(national_role_groups_refresh, sender=self)
