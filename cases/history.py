"""The history of a case's records, as a person reads it: when, who, and per field the old and
the new value.

The versions are the rows django-pghistory keeps in each record's `<Model>History` table
(`exitprog.triggers.tracked`): one after every insert and update, one before a delete, and a
"baseline" copy of what existed when the history began. Consecutive versions are compared
field by field; values are shown by their labels (choices, codebook entries, names), dates as
dates. The client's identity fields are masked wherever the access module masks them.

The caller has checked that the user may read the case (`policy.get_case_for_user`); this
module makes sure the record is one of that case's.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from access import policy
from access.policy import AnyUser
from accounts.models import User
from cases.models import (
    Case,
    CaseNeed,
    CaseUserObjectPermission,
    Client,
    Consent,
    ContactCard,
    ContactPerson,
    FollowUp,
    GroupAffiliation,
    Intervention,
    Placement,
    PoliceShare,
    Transfer,
)
from exitprog.numbers import number, sek
from exitprog.triggers import BASELINE, history_of

# The client's fields that `policy.may_see_protected_identity` hides (as the case page does).
IDENTITY_FIELDS = frozenset(
    {"first_name", "last_name", "identity_number", "reserve_identity", "address"}
)
EMPTY = "–"  # noqa: RUF001 (the en dash the case page shows for "none")


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    by: str  # a display name, or "the system"
    action: str  # created, changed or removed
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class RecordHistory:
    kind: str
    title: str
    section: str  # the case page's section that lists the record
    record: models.Model
    entries: list[HistoryEntry]  # newest first
    # When the history began, for a record that existed before (its baseline version).
    since: datetime.datetime | None


def _consent_title(consent: Consent) -> str:
    return _("Consent valid from %(start)s") % {"start": _date(consent.valid_from)}


@dataclass(frozen=True)
class HistoryKind:
    """A kind of record with a history page: its model, which of its rows are the case's, its
    title, the section of the case page that lists it, the field that ties it to the case (not
    shown), the relations its title needs and the fields the identity mask hides."""

    model: type[models.Model]
    of_case: Callable[[Case], Q]
    title: Callable[[Any], str]  # the record's title, from the record and `related`
    section: str  # the case page's section that lists it
    owner: str = "case"
    related: tuple[str, ...] = ()
    masked: frozenset[str] = frozenset()


KINDS: dict[str, HistoryKind] = {
    "case": HistoryKind(
        Case,
        lambda case: Q(pk=case.pk),
        lambda case: _("Case %(reference)s") % {"reference": case},
        section="",
        owner="",
    ),
    "client": HistoryKind(
        Client,
        lambda case: Q(pk=case.client_id),
        lambda client: _("Client"),
        section="",
        owner="",
        masked=IDENTITY_FIELDS,
    ),
    "intervention": HistoryKind(
        Intervention,
        lambda case: Q(case=case),
        lambda i: _("Intervention: %(type)s") % {"type": i.type.label},
        section="interventions",
        related=("type",),
    ),
    "consent": HistoryKind(
        Consent,
        lambda case: Q(case=case),
        _consent_title,
        section="consent",
    ),
    "need": HistoryKind(
        CaseNeed,
        lambda case: Q(case=case),
        lambda n: _("Need: %(need)s") % {"need": n.need.label},
        section="needs",
        related=("need",),
    ),
    "placement": HistoryKind(
        Placement,
        lambda case: Q(case=case),
        lambda p: _("Placement: %(placement)s") % {"placement": p},
        section="police",
        related=("municipality",),
    ),
    "follow-up": HistoryKind(
        FollowUp,
        lambda case: Q(case=case),
        lambda f: _("Follow-up after %(months)s months") % {"months": f.months},
        section="follow-ups",
    ),
    "affiliation": HistoryKind(
        GroupAffiliation,
        lambda case: Q(client_id=case.client_id),
        lambda a: _("Group affiliation: %(affiliation)s") % {"affiliation": a},
        section="groups",
        owner="client",
        related=("group",),
    ),
    "share": HistoryKind(
        PoliceShare,
        lambda case: Q(case=case),
        lambda s: _("Shared with the police"),
        section="police",
    ),
    # The contact card is identity data: of a protected identity, masked as the address is.
    "contact-card": HistoryKind(
        ContactCard,
        lambda case: Q(case=case),
        lambda c: _("Contact card"),
        section="contact",
        masked=frozenset({"phone", "safe_contact", "times", "note"}),
    ),
    "contact-person": HistoryKind(
        ContactPerson,
        lambda case: Q(case=case),
        lambda p: _("Person in the client's network"),
        section="contact",
        masked=frozenset({"name", "relation", "reach", "note"}),
    ),
    "transfer": HistoryKind(
        Transfer,
        lambda case: Q(case=case),
        lambda t: (
            _("Transfer: %(from)s → %(to)s")
            % {"from": t.from_municipality, "to": t.to_municipality}
        ),
        section="transfer",
        related=("from_municipality", "to_municipality"),
    ),
}


def history_kind_register(key: str, kind: HistoryKind) -> None:
    """Give a record of an app above `cases` a history page (cases cannot import it; the app
    registers its kind here when it is ready, as `referrals` does for referrals)."""
    KINDS[key] = kind


# --- Values as they are shown -----------------------------------------------------------------


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "Y-m-d")


def _related_text(obj: models.Model) -> str:
    if isinstance(obj, Consent):
        return _consent_title(obj)
    label = getattr(obj, "label", None)  # the codebooks: the label in the reader's language
    return str(label if label is not None else obj)


def _text(model_field: models.Field, value: object, related: models.Model | None) -> str:
    """One value of a field as the page shows it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if related is not None:
        return _related_text(related)
    if isinstance(model_field, ArrayField):
        base = model_field.base_field
        assert isinstance(value, list)  # noqa: S101 (an ArrayField's value)
        return ", ".join(_text(base, item, None) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return _date(value)
    if isinstance(value, Decimal):  # the amounts (costs in kronor): "12 500,50"
        return sek(value)
    if isinstance(value, int):
        return number(value)
    return str(value)


@dataclass(frozen=True)
class _Shown:
    """A field of the event model that the page compares and shows."""

    field: models.Field
    masked: bool

    @property
    def label(self) -> str:
        return capfirst(str(self.field.verbose_name))

    def raw(self, version: models.Model) -> object:
        return getattr(version, self.field.attname)

    def text(self, version: models.Model) -> str:
        if self.masked:
            return _("Protected identity")
        related = getattr(version, self.field.name) if self.field.is_relation else None
        return _text(self.field, self.raw(version), related)


def _shown_fields(event: type[models.Model], kind: HistoryKind, *, mask: bool) -> list[_Shown]:
    hidden = {"id", kind.owner}
    return [
        _Shown(f, masked=mask and f.name in kind.masked)
        for f in event._meta.concrete_fields
        if not f.name.startswith("pgh_") and f.name not in hidden
    ]


# --- Versions into entries --------------------------------------------------------------------


# The user a version's context names (`HistoryMiddleware`: the request's user id), read in
# the versions' own query so the page costs the same whoever made the changes.
_BY_FIELDS = ("first_name", "last_name", "username")


def _with_who(versions: models.QuerySet[models.Model]) -> models.QuerySet[models.Model]:
    by = User.objects.filter(
        pk=Cast(KeyTextTransform("user", OuterRef("pgh_context__metadata")), IntegerField())
    )
    return versions.annotate(**{f"by_{name}": Subquery(by.values(name)[:1]) for name in _BY_FIELDS})


def _who(version: models.Model) -> str:
    values = {name: getattr(version, f"by_{name}") for name in _BY_FIELDS}
    if values["username"] is None:
        return _("the system")
    return str(User(**values))  # the name as the user's own __str__ gives it


def _entries(
    versions: Sequence[models.Model], shown: list[_Shown]
) -> tuple[list[tuple[datetime.datetime, HistoryEntry]], datetime.datetime | None]:
    """The entries of one record's versions, oldest first, and when its history began."""
    entries = []
    since = None
    previous: models.Model | None = None
    for version in versions:
        label = version.pgh_label  # type: ignore[attr-defined]
        at = version.pgh_created_at  # type: ignore[attr-defined]
        if label == BASELINE:
            previous, since = version, at
            continue
        if label == "delete":
            entry = HistoryEntry(at=at, by=_who(version), action=_("Removed"))
        else:
            changes = [
                FieldChange(
                    label=s.label,
                    old=s.text(previous) if previous is not None else EMPTY,
                    new=s.text(version),
                )
                for s in shown
                if (
                    s.raw(previous) != s.raw(version)
                    if previous is not None
                    else _text(s.field, s.raw(version), None) != EMPTY
                )
            ]
            action = _("Created") if label == "insert" else _("Changed")
            entry = HistoryEntry(at=at, by=_who(version), action=action, changes=changes)
        entries.append((at, entry))
        previous = version
    return entries, since


def _assignment_versions(case: Case) -> list[models.Model]:
    """The assignments of caseworkers to the case, given and ended, oldest first."""
    event = history_of(CaseUserObjectPermission)
    return list(
        _with_who(
            event.objects.filter(  # type: ignore[attr-defined]
                content_object_id=case.pk, permission__codename=policy.ASSIGNMENT_PERM
            )
            .exclude(pgh_label=BASELINE)
            .select_related("user")
            .order_by("pgh_id")
        )
    )


def _assignment_entries(
    versions: list[models.Model],
) -> list[tuple[datetime.datetime, HistoryEntry]]:
    entries = []
    for version in versions:
        name = str(version.user)  # type: ignore[attr-defined]
        given = version.pgh_label != "delete"  # type: ignore[attr-defined]
        change = FieldChange(
            label=_("Caseworkers"), old=EMPTY if given else name, new=name if given else EMPTY
        )
        at = version.pgh_created_at  # type: ignore[attr-defined]
        action = _("Changed")
        entries.append((at, HistoryEntry(at, _who(version), action, [change])))
    return entries


def record_history(*, user: AnyUser, case: Case, kind: str, pk: int) -> RecordHistory | None:
    """The history of the record `pk` of `kind` in `case`, or None if the case has no such
    record. In a fixed number of queries: the record, and its versions with everything they
    name and who made them (and for the case itself, its caseworkers given and removed).

    Steps: find the record among the case's own; load its versions oldest first; compare
    each with the one before; add, for the case itself, the caseworkers given and removed;
    newest first.
    """
    spec = KINDS.get(kind)
    if spec is None:
        return None
    records = spec.model._default_manager.filter(spec.of_case(case), pk=pk)
    record = (records.select_related(*spec.related) if spec.related else records).first()
    if record is None:
        return None
    event = history_of(spec.model)
    shown = _shown_fields(
        event, spec, mask=bool(spec.masked) and not policy.may_see_protected_identity(user, case)
    )
    relations = [s.field.name for s in shown if s.field.is_relation]
    versions = event.objects.filter(pgh_obj_id=record.pk)  # type: ignore[attr-defined]
    if relations:
        versions = versions.select_related(*relations)
    entries, since = _entries(list(_with_who(versions.order_by("pgh_id"))), shown)
    if kind == "case":
        entries += _assignment_entries(_assignment_versions(case))
    entries.sort(key=lambda pair: pair[0])  # stable: a record's own order is kept
    return RecordHistory(
        kind=kind,
        title=spec.title(record),
        section=spec.section,
        record=record,
        entries=[entry for _at, entry in reversed(entries)],
        since=since,
    )
