"""Give every client its municipality, one client row per municipality and person.

A client record belongs to one municipality (OSL secrecy between authorities). Steps:
1. A client with cases in one municipality belongs to it.
2. A client with cases in several municipalities is split: the municipality of its first
   case keeps the row; every other municipality gets a copy of the row, with copies of the
   client's group affiliations, and its cases point at that copy.
3. Clients of one municipality with the same identity number (the inbound referral used to
   make a second one) are merged into the oldest: their cases and affiliations move to it.
4. A client without any case is unreachable in the app (and belongs to no municipality):
   it is deleted with its affiliations, as the rules say data nobody needs is not kept.
5. Every client with an identity number gets its pseudonym (HMAC-SHA256 under
   EXITPROG_PSEUDONYM_KEY; the same computation as cases.identity.identity_pseudonym,
   written out so that this migration does not change when the app does).
Not reversible: the split and the merge cannot be told apart afterwards.
"""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _pseudonym(number: str) -> str:
    if not number:
        return ""
    key = settings.EXITPROG_PSEUDONYM_KEY.encode()
    return hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()


def _copy_affiliations(GroupAffiliation: Any, source_id: int, target_id: int) -> None:
    GroupAffiliation.objects.bulk_create(
        [
            GroupAffiliation(
                client_id=target_id,
                group_id=a.group_id,
                role=a.role,
                started_on=a.started_on,
                ended_on=a.ended_on,
                source=a.source,
                recorded_by_id=a.recorded_by_id,
                recorded_at=a.recorded_at,
            )
            for a in GroupAffiliation.objects.filter(client_id=source_id).order_by("pk")
        ]
    )


def split_clients(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Client = apps.get_model("cases", "Client")
    Case = apps.get_model("cases", "Case")
    GroupAffiliation = apps.get_model("cases", "GroupAffiliation")

    # 1 and 2: the municipalities of each client's cases, first case first.
    seen: dict[int, list[int]] = {}
    for client_id, municipality_id in Case.objects.order_by("opened_on", "pk").values_list(
        "client_id", "municipality_id"
    ):
        municipalities = seen.setdefault(client_id, [])
        if municipality_id not in municipalities:
            municipalities.append(municipality_id)
    for client in Client.objects.filter(pk__in=seen).order_by("pk"):
        first, *others = seen[client.pk]
        original_pk = client.pk
        Client.objects.filter(pk=original_pk).update(municipality_id=first)
        for municipality_id in others:
            client.pk = None
            client.municipality_id = municipality_id
            client.save(force_insert=True)
            Case.objects.filter(client_id=original_pk, municipality_id=municipality_id).update(
                client_id=client.pk
            )
            _copy_affiliations(GroupAffiliation, original_pk, client.pk)

    # 3: one row per number and municipality; the oldest row stays.
    keep: dict[tuple[int, str], int] = {}
    for pk, municipality_id, number in (
        Client.objects.exclude(identity_number="")
        .filter(municipality_id__isnull=False)
        .order_by("created_at", "pk")
        .values_list("pk", "municipality_id", "identity_number")
    ):
        kept = keep.setdefault((municipality_id, number), pk)
        if kept != pk:
            Case.objects.filter(client_id=pk).update(client_id=kept)
            GroupAffiliation.objects.filter(client_id=pk).update(client_id=kept)
            Client.objects.filter(pk=pk).delete()

    # 4: clients without a case.
    orphans = Client.objects.filter(municipality_id__isnull=True)
    GroupAffiliation.objects.filter(client__in=orphans).delete()
    orphans.delete()

    # 5: the pseudonyms.
    for pk, number in Client.objects.exclude(identity_number="").values_list(
        "pk", "identity_number"
    ):
        Client.objects.filter(pk=pk).update(pseudonym=_pseudonym(number))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_client_municipality"),
    ]

    operations = [
        migrations.RunPython(split_clients, migrations.RunPython.noop, elidable=False),
    ]
