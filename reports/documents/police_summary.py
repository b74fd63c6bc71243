"""The police summary of a shared case: only the parts the program shares with the police.

The same parts the liaison's shared view shows (`cases.selectors.shared_case_page`): identity,
threat level and its history, group affiliations, placements, referrals addressed to police
agencies, the intake decision, and the police notes. Each query reads only the shared columns
(threat levels without their notes, decisions without their reasons, referrals without their
purpose); the journal, needs, assessments, interventions, consents, other agencies and the
program's staff are never read. Six queries, with the report's case and client loaded.
"""

from __future__ import annotations

from typing import Any

from agencies.models import AgencyKind
from cases.models import Case, CaseState, GroupAffiliation
from referrals.models import Referral, ReferralState
from reports.documents.common import identity_of

TEMPLATE = "reports/pdf/police_summary.html"

# The decisions on an intake the police may see (as in the shared view).
INTAKE_DECISIONS = (CaseState.ACCEPTED, CaseState.REJECTED)


def police_summary_context(*, case: Case) -> tuple[str, dict[str, Any]]:
    threats = list(
        case.threats.only("id", "case_id", "level", "source", "assessed_on").order_by(
            "-assessed_on", "-id"
        )
    )
    return TEMPLATE, {
        "case": case,
        "identity": identity_of(case.client),
        "threats": threats,
        "threat": threats[0] if threats else None,
        "affiliations": list(
            GroupAffiliation.objects.filter(client_id=case.client_id)
            .select_related("group")
            .only("id", "client_id", "group__name", "role", "started_on", "ended_on")
            .order_by("-started_on", "-id")
        ),
        "placements": list(
            case.placements.select_related("municipality")
            .only("id", "case_id", "kind", "started_on", "ended_on", "municipality__name")
            .order_by("-started_on", "-id")
        ),
        "referrals": list(
            Referral.objects.filter(case=case, agency__kind=AgencyKind.POLICE)
            .exclude(state=ReferralState.DRAFT)
            .select_related("agency")
            .only("id", "case_id", "direction", "state", "sent_at", "agency__name")
            .order_by("-sent_at", "-id")
        ),
        "decisions": list(
            case.state_changes.filter(to_state__in=INTAKE_DECISIONS)
            .only("id", "case_id", "to_state", "at")
            .order_by("-at", "-id")
        ),
        "notes": list(case.police_notes.select_related("author").order_by("-written_at", "-id")),
    }
