"""The writes on a young client's guardians, and on whose consent a consent is.

A guardian is the client's, written through one of the client's cases: the user must be
allowed to edit that case and to see its contact card (`policy.may_see_contact_card`: of a
protected identity, the guardians are identity data). Each service runs in one transaction and
writes its own access-log row.
"""

import datetime
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.policy import CaseAction
from accounts.models import User
from agencies.models import Agency
from audit.models import AccessAction
from audit.services import access_log_record
from cases.guardians import ConsentGiver, ConsentGiverKind, Guardian, GuardianRelation
from cases.models import Case, Consent
from cases.services import CaseRuleError, consent_record
from exitprog.concurrency import locked_if_unchanged


def _require_guardians(by: User, case: Case) -> None:
    if not policy.may(by, CaseAction.EDIT, case) or not policy.may_see_contact_card(
        by, case, policy.case_access(by, case)
    ):
        raise CaseRuleError(_("You are not allowed to do this in this case."), code="forbidden")


def _clean(
    *, name: str, phone: str, contact: str, safe_to_contact: bool, safety_note: str
) -> dict[str, object]:
    if not name.strip():
        raise CaseRuleError(_("Give the guardian's name."), code="required")
    if not safe_to_contact and not safety_note.strip():
        raise CaseRuleError(
            _("Say why the guardian cannot be contacted safely."), code="safety_note"
        )
    return {
        "name": name.strip(),
        "phone": phone.strip(),
        "contact": contact.strip(),
        "safe_to_contact": safe_to_contact,
        "safety_note": safety_note.strip(),
    }


@transaction.atomic
def guardian_add(
    *,
    case: Case,
    by: User,
    name: str,
    relation: GuardianRelation,
    phone: str = "",
    contact: str = "",
    safe_to_contact: bool = False,
    safety_note: str = "",
) -> Guardian:
    """Record a guardian of the case's client."""
    _require_guardians(by, case)
    values = _clean(
        name=name,
        phone=phone,
        contact=contact,
        safe_to_contact=safe_to_contact,
        safety_note=safety_note,
    )
    guardian = Guardian.objects.create(
        client_id=case.client_id, relation=relation, created_by=by, **values
    )
    access_log_record(
        user=by, action=AccessAction.CREATE, case=case, obj=guardian, detail="guardian"
    )
    return guardian


@transaction.atomic
def guardian_update(
    *,
    case: Case,
    guardian: Guardian,
    by: User,
    name: str,
    relation: GuardianRelation,
    phone: str,
    contact: str,
    safe_to_contact: bool,
    safety_note: str,
    seen: datetime.datetime | None = None,
) -> Guardian:
    """Change a guardian. Refused with StaleEditError when someone else changed the guardian
    after the form was opened (`seen`), and when the guardian is removed."""
    _require_guardians(by, case)
    current = locked_if_unchanged(
        Guardian.objects.filter(client_id=case.client_id), pk=guardian.pk, seen=seen
    )
    if current.removed_at is not None:
        raise CaseRuleError(_("This guardian is removed."), code="removed")
    values = _clean(
        name=name,
        phone=phone,
        contact=contact,
        safe_to_contact=safe_to_contact,
        safety_note=safety_note,
    )
    values["relation"] = relation
    for field, value in values.items():
        setattr(current, field, value)
    current.save(update_fields=[*values, "updated_at"])
    access_log_record(
        user=by, action=AccessAction.CHANGE, case=case, obj=current, detail="guardian"
    )
    return current


@transaction.atomic
def guardian_remove(
    *,
    case: Case,
    guardian: Guardian,
    by: User,
    reason: str,
    seen: datetime.datetime | None = None,
) -> Guardian:
    """Take a guardian off the client (no longer a guardian, or recorded by mistake): the row
    and its history stay; the case page no longer lists them."""
    _require_guardians(by, case)
    current = locked_if_unchanged(
        Guardian.objects.filter(client_id=case.client_id), pk=guardian.pk, seen=seen
    )
    if current.removed_at is not None:
        raise CaseRuleError(_("This guardian is already removed."), code="removed")
    if not reason.strip():
        raise CaseRuleError(_("Say why the guardian is removed."), code="required")
    current.removed_at = timezone.now()
    current.removed_by = by
    current.removal_reason = reason.strip()
    current.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])
    access_log_record(
        user=by, action=AccessAction.CHANGE, case=case, obj=current, detail="guardian removed"
    )
    return current


@transaction.atomic
def consent_givers_set(
    *, consent: Consent, by: User, client: bool, guardians: Iterable[Guardian]
) -> list[ConsentGiver]:
    """Record whose consent it is: the client, and/or guardians of the consent's client."""
    case = consent.case
    _require_guardians(by, case)
    chosen = list(guardians)
    if any(g.client_id != case.client_id or g.removed_at is not None for g in chosen):
        raise CaseRuleError(_("Choose among the client's guardians."), code="guardian")
    if not client and not chosen:
        raise CaseRuleError(_("Say whose consent it is."), code="required")
    ConsentGiver.objects.filter(consent=consent).delete()
    givers = []
    if client:
        givers.append(ConsentGiver(consent=consent, giver=ConsentGiverKind.CLIENT))
    givers += [
        ConsentGiver(consent=consent, giver=ConsentGiverKind.GUARDIAN, guardian=g) for g in chosen
    ]
    ConsentGiver.objects.bulk_create(givers)
    access_log_record(
        user=by, action=AccessAction.CHANGE, case=case, obj=consent, detail="consent givers"
    )
    return givers


@transaction.atomic
def consent_record_with_givers(
    *,
    case: Case,
    by: User,
    agencies: Iterable[Agency],
    information: list[str],
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    note: str = "",
    by_client: bool,
    guardians: Iterable[Guardian],
) -> Consent:
    """A young client's consent (`cases.services.consent_record`) with whose consent it is."""
    consent = consent_record(
        case=case,
        by=by,
        agencies=agencies,
        information=information,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
    )
    consent_givers_set(consent=consent, by=by, client=by_client, guardians=guardians)
    return consent


@transaction.atomic
def consent_correct_with_givers(
    *,
    correct: Callable[[], Consent],
    by: User,
    by_client: bool,
    guardians: Iterable[Guardian],
) -> Consent:
    """A young client's consent corrected (`correct`: `cases.services.consent_correct` with
    its arguments, which checks the form was not stale), and whose consent it is, at once."""
    consent = correct()
    consent_givers_set(consent=consent, by=by, client=by_client, guardians=guardians)
    return consent
