from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.test.signals import setting_changed

        from reports.models import report_storage_reset

        setting_changed.connect(report_storage_reset, dispatch_uid="report_storage_reset")
