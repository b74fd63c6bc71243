from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from cases.selectors import caseload_annotation_register
        from referrals.selectors import unanswered_referrals_exist

        # The caseload flags a case with an overdue unanswered referral (cases cannot import
        # referrals; it offers this hook instead).
        caseload_annotation_register("unanswered_referrals", unanswered_referrals_exist)
