from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from django.db.models import Q
        from django.utils.translation import gettext

        from cases.history import HistoryKind, history_kind_register
        from cases.selectors import caseload_annotation_register
        from referrals.models import Referral
        from referrals.selectors import unanswered_referrals_exist

        # The caseload flags a case with an overdue unanswered referral (cases cannot import
        # referrals; it offers this hook instead).
        caseload_annotation_register("unanswered_referrals", unanswered_referrals_exist)
        # A referral's history page (cases.views.history), linked from its row on the case.
        history_kind_register(
            "referral",
            HistoryKind(
                Referral,
                lambda case: Q(case=case),
                lambda r: gettext("Referral to %(agency)s") % {"agency": r.agency},
                section="referrals",
                related=("agency",),
            ),
        )
