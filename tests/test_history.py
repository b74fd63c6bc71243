"""The history of a case's records: every change keeps who, when, the old and the new values
(django-pghistory), and the case page links to a page that shows them to whoever may read the
case, with the client's identity masked where the case page masks it.

Pages are Swedish by default: expected labels are computed in Swedish, as the page shows them.
"""

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, models
from django.http import HttpRequest
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from pghistory.middleware import HistoryMiddleware

from accounts.models import User
from audit.models import AccessAction, AccessLogEntry
from cases import history, services
from cases.models import (
    Case,
    CaseState,
    CaseStateChange,
    Client,
    Intervention,
    InterventionStatus,
    InterventionType,
)
from cases.tabs import TABS, case_tab_url
from exitprog.triggers import history_of
from tests.conftest import Cast
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def rename(user: User, first: str, last: str = "Historiksson") -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def as_request_of(user: User, change: Callable[[], object]) -> object:
    """Run `change` as a view would: inside the history middleware, in a request of `user`."""
    request = RequestFactory().post("/cases/")
    request.user = user

    def view(request: HttpRequest) -> object:
        return change()

    return HistoryMiddleware(view)(request)


def history_url(case: Case, kind: str, pk: int) -> str:
    return reverse("cases:record_history", args=[case.pk, kind, pk])


def sv(text: str | Promise) -> str:
    """`text` (a msgid or a lazy translation) in Swedish, as the page shows it."""
    with translation.override("sv"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def label(model: type[models.Model], name: str) -> str:
    """A field's label as the page shows it: its verbose name, in Swedish, capitalised."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return capfirst(sv(field.verbose_name))


@pytest.fixture
def intervention(cast: Cast) -> Intervention:
    """An intervention made outside a request (by the system), then changed by the caseworker
    through the service, as the edit page does: status, cost and outcome note."""
    rename(cast.caseworker, "Hanna7x2q")
    made = services.intervention_create(
        case=cast.case,
        by=cast.caseworker,
        type=InterventionType.objects.order_by("pk")[0],
        planned_start=TODAY() - datetime.timedelta(days=10),
        status=InterventionStatus.PLANNED,
        outcome_note="Kanarie-hist-before-4r8w",
    )
    as_request_of(
        cast.caseworker,
        lambda: services.intervention_update(
            intervention=made,
            by=cast.caseworker,
            status=InterventionStatus.ONGOING,
            cost_sek=Decimal("12500.00"),
            outcome_note="Kanarie-hist-after-6t1z",
        ),
    )
    return made


# --- What is recorded -----------------------------------------------------------------------------


def test_a_change_through_a_service_is_recorded_with_user_old_and_new_values(cast, intervention):
    versions = list(
        history_of(Intervention)
        .objects.filter(pgh_obj_id=intervention.pk)  # type: ignore[attr-defined]
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    assert [v.pgh_label for v in versions] == ["insert", "update"]
    created, changed = versions
    assert created.pgh_context is None  # made outside a request: the system
    assert changed.pgh_context.metadata["user"] == cast.caseworker.pk
    assert (created.status, changed.status) == ("planned", "ongoing")
    assert (created.outcome_note, changed.outcome_note) == (
        "Kanarie-hist-before-4r8w",
        "Kanarie-hist-after-6t1z",
    )

    with translation.override("sv"):
        found = history.record_history(
            user=cast.caseworker, case=cast.case, kind="intervention", pk=intervention.pk
        )
    assert found is not None
    newest, oldest = found.entries
    assert newest.by == str(cast.caseworker) and oldest.by == sv("the system")
    changes = {c.label: (c.old, c.new) for c in newest.changes}
    assert changes[label(Intervention, "status")] == (
        sv(InterventionStatus.PLANNED.label),
        sv(InterventionStatus.ONGOING.label),
    )
    assert changes[label(Intervention, "outcome_note")] == (
        "Kanarie-hist-before-4r8w",
        "Kanarie-hist-after-6t1z",
    )
    # The amount as every page shows one: Swedish digit groups (exitprog/numbers.py).
    assert changes[label(Intervention, "cost_sek")] == ("–", "12\xa0500")  # noqa: RUF001 (the page's dash)
    assert set(changes) == {label(Intervention, f) for f in ("status", "outcome_note", "cost_sek")}


def test_a_save_that_changes_nothing_adds_no_version(cast, intervention):
    before = history_of(Intervention).objects.filter(pgh_obj_id=intervention.pk).count()  # type: ignore[attr-defined]
    intervention.refresh_from_db()
    intervention.save()  # only updated_at moves
    after = history_of(Intervention).objects.filter(pgh_obj_id=intervention.pk).count()  # type: ignore[attr-defined]
    assert after == before


def test_a_request_records_its_user_through_the_middleware(client, cast):
    rename(cast.manager, "Maria5k9d")
    rename(cast.teammate, "Tove3n6j")
    client.force_login(cast.manager)
    response = client.post(
        reverse("cases:assign", args=[cast.case.pk]), {"caseworker": cast.teammate.pk}
    )
    assert response.status_code == 302
    page = client.get(history_url(cast.case, "case", cast.case.pk)).content.decode()
    entry = page.split('class="history-entry"')[1]
    assert "Maria5k9d Historiksson" in entry and "Tove3n6j Historiksson" in entry
    assert sv("Caseworkers") in entry


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "manager", "teammate"])
def test_the_page_shows_the_changes_to_those_who_read_the_case(client, cast, intervention, who):
    client.force_login(getattr(cast, who))
    url = history_url(cast.case, "intervention", intervention.pk)
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kanarie-hist-before-4r8w" in text and "Kanarie-hist-after-6t1z" in text
    assert sv(InterventionStatus.ONGOING.label) in text
    assert "Hanna7x2q Historiksson" in text
    assert sv("the system") in text
    entry = AccessLogEntry.objects.get(user=getattr(cast, who), action=AccessAction.VIEW)
    assert (entry.case, entry.object_type, entry.object_id) == (
        cast.case,
        "intervention",
        str(intervention.pk),
    )
    assert entry.detail == "record history" and entry.path == url


@pytest.mark.parametrize("who", ["outsider", "police", "police_unshared", "analyst"])
def test_those_who_may_not_read_the_case_get_404_and_are_logged(client, cast, intervention, who):
    client.force_login(getattr(cast, who))
    response = client.get(history_url(cast.case, "intervention", intervention.pk))
    assert response.status_code == 404
    assert "Kanarie-hist" not in response.content.decode()
    denied = AccessLogEntry.objects.get(user=getattr(cast, who), action=AccessAction.DENIED)
    assert denied.case == cast.case and denied.detail == "refused: record history"


def test_a_record_of_another_case_is_not_found(client, cast, intervention):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    client.force_login(cast.manager)
    assert client.get(history_url(other, "intervention", intervention.pk)).status_code == 404
    assert client.get(history_url(cast.case, "nonsense", intervention.pk)).status_code == 404
    assert client.get(history_url(cast.case, "case", other.pk)).status_code == 404
    assert client.get(history_url(cast.case, "client", other.client_id)).status_code == 404


def test_the_liaisons_shared_view_has_no_history_links(client, cast, intervention):
    client.force_login(cast.police)
    response = client.get(reverse("cases:shared", args=[cast.case.pk]))
    assert response.status_code == 200
    assert "/history/" not in response.content.decode()


def test_the_case_page_links_each_record_to_its_history(client, cast, intervention):
    services.placement_add(
        case=cast.case,
        by=cast.caseworker,
        municipality=cast.malmo,
        kind="own_flat",
        started_on=TODAY(),
    )
    client.force_login(cast.caseworker)
    text = "".join(  # every tab of the case page
        client.get(case_tab_url(cast.case.pk, tab.slug)).content.decode() for tab in TABS
    )
    placement = cast.case.placements.get()
    for kind, pk in [
        ("case", cast.case.pk),
        ("client", cast.case.client_id),
        ("intervention", intervention.pk),
        ("consent", cast.consent.pk),
        ("placement", placement.pk),
        ("share", cast.case.police_shares.get().pk),
    ]:
        assert f'href="{history_url(cast.case, kind, pk)}"' in text, kind


# --- The client's identity ------------------------------------------------------------------------


@pytest.fixture
def protected_client(cast: Cast) -> Client:
    client = cast.case.client
    Client.objects.filter(pk=client.pk).update(
        protected_identity=True,
        first_name="Kanarie-hist-first-2p7c",
        last_name="Kanarie-hist-last-8d2k",
    )
    as_request_of(
        cast.manager,
        lambda: Client.objects.filter(pk=client.pk).update(
            first_name="Kanarie-hist-renamed-9m3v", address="Kanarie-hist-address-5b8x"
        ),
    )
    return client


def test_a_masked_identity_stays_masked_in_every_value(client, cast, protected_client):
    client.force_login(cast.teammate)  # reads the case (team visibility), not the identity
    response = client.get(history_url(cast.case, "client", protected_client.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kanarie-hist" not in text
    assert protected_client.identity_number not in text
    assert sv("Protected identity") in text


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_who_may_see_the_identity_sees_its_history(client, cast, protected_client, who):
    client.force_login(getattr(cast, who))
    text = client.get(history_url(cast.case, "client", protected_client.pk)).content.decode()
    assert "Kanarie-hist-first-2p7c" in text and "Kanarie-hist-renamed-9m3v" in text
    assert "Kanarie-hist-address-5b8x" in text


# --- A fixed number of queries --------------------------------------------------------------------


def _change_many_times(cast: Cast, intervention: Intervention, times: int) -> None:
    for n in range(times):
        as_request_of(
            cast.manager if n % 2 else cast.caseworker,
            functools.partial(
                services.intervention_update,
                intervention=intervention,
                by=cast.caseworker,
                outcome_note=f"Kanarie-hist-many-{n}",
                status=InterventionStatus.ONGOING if n % 2 else InterventionStatus.PLANNED,
            ),
        )


@pytest.mark.parametrize("kind", ["intervention", "case"])
def test_the_page_runs_a_fixed_number_of_queries(
    client, cast, intervention, kind, django_assert_num_queries
):
    pk = intervention.pk if kind == "intervention" else cast.case.pk
    url = history_url(cast.case, kind, pk)
    client.force_login(cast.manager)
    client.get(url)  # warm the content-type cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _change_many_times(cast, intervention, 30)
    for _n in range(5):
        services.case_assign(case=cast.case, caseworker=cast.teammate, by=cast.manager)
        services.case_unassign(case=cast.case, caseworker=cast.teammate, by=cast.manager)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)
    expected = {"intervention": 12, "case": 13}[kind]  # with the header's unread count
    assert len(one.captured_queries) == expected


# --- The retired state "transferred" --------------------------------------------------------------


def test_the_migration_closes_the_cases_left_in_the_retired_state(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0015_remove_transferred_state")
    moved_at = timezone.now() - datetime.timedelta(days=40)
    CaseStateChange.objects.create(
        case=cast.case,
        from_state=CaseState.ACTIVE,
        to_state="transferred",
        at=moved_at,
        by=cast.teammate,
        reason="Kanarie-hist-moved-1c4f",
    )
    Case.objects.filter(pk=cast.case.pk).update(state="transferred")
    migration.close_transferred(apps, None)
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.DISCONTINUED
    assert cast.case.closed_on == timezone.localdate(moved_at)
    assert cast.case.next_review_on is None
    last = cast.case.state_changes.order_by("-at", "-id").first()
    assert last is not None
    assert (last.from_state, last.to_state, last.by) == (
        "transferred",
        CaseState.DISCONTINUED,
        cast.teammate,
    )
    assert "”Överflyttad”" in last.reason
    with translation.override("sv"):
        assert last.get_from_state_display() == sv("Transferred")
    assert "transferred" not in CaseState.values


def test_a_referrals_history_is_on_its_own_page_linked_from_the_case(client, cast):
    from referrals import services as referral_services
    from referrals.models import ReferralState

    referral = referral_services.referral_create(
        case=cast.case, by=cast.caseworker, agency=cast.police_agency, purpose="Syfte-hist-3k8p"
    )
    as_request_of(
        cast.caseworker,
        lambda: referral_services.referral_transition(
            referral=referral, to_state=ReferralState.SENT, by=cast.caseworker
        ),
    )
    client.force_login(cast.caseworker)
    url = history_url(cast.case, "referral", referral.pk)
    referrals_tab = case_tab_url(cast.case.pk, "support")
    assert url in client.get(referrals_tab).content.decode()
    with translation.override("sv"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Syfte-hist-3k8p" in page  # as it was made
    assert sv(ReferralState.DRAFT.label) in page and sv(ReferralState.SENT.label) in page
    assert str(cast.caseworker) in page  # who sent it
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
