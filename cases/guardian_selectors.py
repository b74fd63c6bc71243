"""The reads of a young client's guardians."""

import datetime

from access import policy
from access.policy import AnyUser
from cases.age import is_young
from cases.guardians import ConsentGiver, ConsentGiverKind, Guardian
from cases.models import Case, Consent

# The consent form's choice of "given by" that names the client (a guardian's is its id).
GIVER_CLIENT = "client"


def case_guardians(*, case: Case) -> list[Guardian]:
    """The guardians of the case's client, removed ones left out (one query). The caller has
    asked `policy.may_see_contact_card`: the guardians are shown where the contact card is."""
    return list(
        Guardian.objects.filter(client_id=case.client_id, removed_at__isnull=True).order_by(
            "name", "id"
        )
    )


def guardians_safe_to_contact(*, case: Case) -> list[Guardian]:
    """The guardians a letter or a PDF may name with their contact: those decided safe to
    contact. A guardian not safe to contact is never put in a document."""
    return [guardian for guardian in case_guardians(case=case) if guardian.safe_to_contact]


def consent_guardians(*, user: AnyUser, case: Case, today: datetime.date) -> list[Guardian] | None:
    """For a consent of a young client: the guardians who may have given it (the form offers
    the client and each of them). None when the client is not young today, or when the user
    may not see the guardians (`policy.may_see_contact_card`): then nothing is asked."""
    if not is_young(case.client, today):
        return None
    if not policy.may_see_contact_card(user, case, policy.case_access(user, case)):
        return None
    return case_guardians(case=case)


def consent_givers_of(*, consent: Consent) -> list[str]:
    """Who is recorded as having given the consent, as the consent form's choices name them
    (`GIVER_CLIENT`, or a guardian's id)."""
    return [
        GIVER_CLIENT if giver.giver == ConsentGiverKind.CLIENT else str(giver.guardian_id)
        for giver in ConsentGiver.objects.filter(consent=consent)
    ]
