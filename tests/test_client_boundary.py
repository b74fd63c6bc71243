"""A client record belongs to one municipality (OSL secrecy between authorities).

Göteborg (1480) has a client with a protected address and a group affiliation; Åre (2321)
is the municipality on the other side of the line. Nothing about the Göteborg client may
reach Åre: not at the intake, not through an inbound referral, not after a transfer, and the
database itself refuses a case whose client is of another municipality. Values the tests look
for (or look for the absence of) carry the suffix "Kanarie5v8k".
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from access import policy
from accounts.models import Municipality, Role, User
from agencies.models import Agency, AgencyKind
from audit.models import AccessAction, AccessLogEntry
from cases import services
from cases.identity import identity_pseudonym
from cases.models import AffiliationRole, Case, CaseState, Client, CriminalGroup
from cases.services import CaseRuleError
from referrals import services as referral_services
from tests.conftest import make_user
from tests.factories import CaseFactory, ClientFactory, synthetic_identity_number

pytestmark = pytest.mark.django_db

CANARY = "Kanarie5v8k"
FIRST = f"{CANARY}Fornamn"
LAST = f"{CANARY}Efternamn"
ADDRESS = f"{CANARY}gatan 3"
GROUP = f"{CANARY}Gruppen"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Boundary:
    goteborg: Municipality
    are: Municipality
    gbg_manager: User
    gbg_caseworker: User  # assigned to gbg_case
    gbg_colleague: User  # a Göteborg caseworker not assigned to it
    are_caseworker: User
    are_manager: User
    gbg_client: Client
    gbg_case: Case
    group: CriminalGroup

    @property
    def number(self) -> str:
        return self.gbg_client.identity_number


@pytest.fixture
def world(municipalities) -> Boundary:
    Municipality.objects.filter(code__in=["1480", "2321"]).update(
        runs_program=True, team_visibility=True
    )
    goteborg = Municipality.objects.get(code="1480")
    are = Municipality.objects.get(code="2321")
    gbg_manager = make_user("h1gbgchef", Role.MANAGER, municipality=goteborg)
    gbg_caseworker = make_user("h1gbghandl", Role.CASEWORKER, municipality=goteborg)
    gbg_client = ClientFactory(
        municipality=goteborg,
        first_name=FIRST,
        last_name=LAST,
        address=ADDRESS,
        protected_identity=True,
        identity_number=synthetic_identity_number(4711),
    )
    gbg_case = CaseFactory(municipality=goteborg, client=gbg_client, created_by=gbg_manager)
    policy.case_grant_assignment(case=gbg_case, user=gbg_caseworker)
    group = CriminalGroup.objects.create(name=GROUP, kind=CriminalGroup.Kind.GANG)
    services.affiliation_add(
        case=gbg_case,
        by=gbg_manager,
        group=group,
        role=AffiliationRole.MEMBER,
        started_on=None,
        ended_on=None,
    )
    return Boundary(
        goteborg=goteborg,
        are=are,
        gbg_manager=gbg_manager,
        gbg_caseworker=gbg_caseworker,
        gbg_colleague=make_user("h1gbgkollega", Role.CASEWORKER, municipality=goteborg),
        are_caseworker=make_user("h1arehandl", Role.CASEWORKER, municipality=are),
        are_manager=make_user("h1arechef", Role.MANAGER, municipality=are),
        gbg_client=gbg_client,
        gbg_case=gbg_case,
        group=group,
    )


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(name=f"{CANARY} Frivården", kind=AgencyKind.PRISON_PROBATION)


def intake(municipality: Municipality, number: str, **overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "municipality": municipality.pk,
        "first_name": "Nya",
        "last_name": "Uppgiftsson",
        "identity_number": number,
        "reserve_identity": "",
        "address": "",
        "source": "police",
        "reason": "Polisen hänvisade.",
    }
    data.update(overrides)
    return data


def in_swedish(message: str, **params: object) -> str:
    """A message as a Swedish page shows it, HTML-escaped."""
    with translation.override("sv"):
        text = gettext(message)
    return escape(text % params if params else text)


REGISTERED = (
    "This identity number is already registered in %(municipality)s, in cases you may not "
    "read. Ask your manager: a manager, or a caseworker who may read the client, opens the "
    "inquiry."
)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def assert_no_goteborg_data(text: str) -> None:
    for secret in (FIRST, LAST, ADDRESS, GROUP):
        assert secret not in text, secret


def open_case(world: Boundary, by: User, municipality: Municipality, **kwargs: object) -> Case:
    defaults: dict[str, object] = {
        "first_name": "Nya",
        "last_name": "Uppgiftsson",
        "identity_number": world.number,
        "source": "police",
        "reason": "Polisen hänvisade.",
    }
    defaults.update(kwargs)
    return services.case_open(by=by, municipality=municipality, **defaults)  # type: ignore[arg-type]


# --- The intake -------------------------------------------------------------------------------


@pytest.mark.parametrize("same_person", [False, True])
def test_another_municipalitys_number_gives_no_sign_and_a_new_client(client, world, same_person):
    client.force_login(world.are_caseworker)
    data = intake(world.are, world.number, last_name=f"{CANARY}Are")
    if same_person:
        data["same_person"] = "on"  # as if the form had offered it

    response = client.post(reverse("cases:new"), data)

    # Opened at once, exactly as for a number nobody has: no warning, no question.
    assert response.status_code == 302
    case = Case.objects.get(municipality=world.are, client__identity_number=world.number)
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert case.client_id != world.gbg_client.pk
    assert case.client.municipality == world.are
    assert (case.client.first_name, case.client.last_name) == ("Nya", f"{CANARY}Are")
    assert not case.client.affiliations.exists()
    assert list(world.gbg_client.cases.all()) == [world.gbg_case]
    page = client.get(response.url).content.decode()
    assert f"{CANARY}Are" in page
    assert_no_goteborg_data(page)


def test_the_answer_for_a_foreign_number_is_the_answer_for_an_unknown_one(client, world):
    client.force_login(world.are_caseworker)
    foreign = client.post(reverse("cases:new"), intake(world.are, world.number))
    unknown = client.post(reverse("cases:new"), intake(world.are, synthetic_identity_number(4712)))
    assert foreign.status_code == unknown.status_code == 302
    assert_no_goteborg_data(foreign.content.decode())


def test_an_affiliation_added_in_are_never_shows_in_goteborg(client, world):
    are_case = open_case(world, world.are_caseworker, world.are)
    other = CriminalGroup.objects.create(name=f"{CANARY}Annan", kind=CriminalGroup.Kind.GANG)
    services.affiliation_add(
        case=are_case,
        by=world.are_caseworker,
        group=other,
        role=AffiliationRole.LEADER,
        started_on=None,
        ended_on=None,
    )
    client.force_login(world.gbg_manager)
    groups_tab = reverse("cases:detail_tab", args=[world.gbg_case.pk, "consent"])
    page = client.get(groups_tab).content.decode()
    assert GROUP in page
    assert f"{CANARY}Annan" not in page
    assert list(world.gbg_client.affiliations.values_list("group__name", flat=True)) == [GROUP]


@pytest.mark.parametrize("who", ["gbg_caseworker", "gbg_manager"])
def test_a_user_who_may_read_the_client_is_warned_and_may_reuse_it(client, world, who):
    client.force_login(getattr(world, who))
    data = intake(world.goteborg, world.number)

    response = client.post(reverse("cases:new"), data)

    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="duplicate-warning"' in text
    assert 'name="same_person"' in text
    assert world.gbg_client.cases.count() == 1
    response = client.post(reverse("cases:new"), {**data, "same_person": "on"})
    assert response.status_code == 302
    assert world.gbg_client.cases.count() == 2
    assert Client.objects.filter(identity_number=world.number).count() == 1


def test_a_caseworker_who_may_not_read_the_client_is_refused_without_its_data(client, world):
    Municipality.objects.filter(pk=world.goteborg.pk).update(team_visibility=False)
    client.force_login(world.gbg_colleague)
    data = intake(world.goteborg, world.number)

    for attempt in (data, {**data, "same_person": "on"}):
        response = client.post(reverse("cases:new"), attempt)

        text = response.content.decode()
        assert response.status_code == 200
        assert in_swedish(REGISTERED, municipality=world.goteborg.name) in text
        assert 'id="duplicate-warning"' not in text
        assert 'name="same_person"' not in text
        assert_no_goteborg_data(text)
        assert 'value="Uppgiftsson"' in text  # the input is kept
    assert Case.objects.filter(client__identity_number=world.number).count() == 1
    assert Client.objects.filter(identity_number=world.number).count() == 1


def test_case_open_refuses_a_client_of_another_municipality(world):
    with pytest.raises(CaseRuleError) as refused:
        open_case(world, world.are_caseworker, world.are, existing_client=world.gbg_client)
    assert refused.value.code == "client"
    # Not even a user of both municipalities may carry a client across.
    both = make_user("h1bada", Role.MANAGER, municipality=world.goteborg)
    both.groups.add(*fresh(world.are_manager).groups.all())
    with pytest.raises(CaseRuleError):
        open_case(world, fresh(both), world.are, existing_client=world.gbg_client)
    assert list(world.gbg_client.cases.all()) == [world.gbg_case]


def test_case_open_refuses_a_client_the_user_may_not_read(world):
    Municipality.objects.filter(pk=world.goteborg.pk).update(team_visibility=False)
    colleague = fresh(world.gbg_colleague)
    with pytest.raises(CaseRuleError) as refused:
        open_case(world, colleague, world.goteborg, existing_client=world.gbg_client)
    assert refused.value.code == "client"
    with pytest.raises(CaseRuleError) as refused:
        open_case(world, colleague, world.goteborg)
    assert refused.value.code == "registered"
    assert world.gbg_client.cases.count() == 1


def test_case_open_never_makes_a_second_client_in_one_municipality(world):
    with pytest.raises(CaseRuleError) as refused:
        open_case(world, world.gbg_manager, world.goteborg)
    assert refused.value.code == "duplicate"
    assert Client.objects.filter(identity_number=world.number).count() == 1


def test_case_open_logs_the_opening_and_the_reused_client(client, world):
    client.force_login(world.gbg_manager)
    data = intake(world.goteborg, world.number, same_person="on")
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 302
    case = Case.objects.exclude(pk=world.gbg_case.pk).get(client=world.gbg_client)
    entries = AccessLogEntry.objects.filter(case=case, action=AccessAction.CREATE)
    assert [e.detail for e in entries] == ["case opened for a registered client"]
    new = open_case(
        world, fresh(world.are_caseworker), world.are, identity_number="", reserve_identity="R-9"
    )
    entry = AccessLogEntry.objects.get(case=new, action=AccessAction.CREATE)
    assert (entry.detail, entry.user) == ("case opened", world.are_caseworker)


# --- Inbound referrals ------------------------------------------------------------------------


def receive(world: Boundary, by: User, municipality: Municipality, agency: Agency):
    return referral_services.referral_receive_inbound(
        by=by,
        municipality=municipality,
        agency=agency,
        first_name="Remitterad",
        last_name="Person",
        identity_number=world.number,
        purpose="Vill lämna gruppen.",
    )


def test_an_inbound_referral_reuses_the_client_of_the_municipality(world, agency):
    referral = receive(world, world.gbg_manager, world.goteborg, agency)
    assert referral.case.client == world.gbg_client
    assert Client.objects.filter(identity_number=world.number).count() == 1
    entry = AccessLogEntry.objects.get(case=referral.case, detail__startswith="case opened")
    assert entry.detail == "case opened for a registered client"


def test_an_inbound_referral_elsewhere_makes_that_municipalitys_own_client(world, agency):
    referral = receive(world, world.are_caseworker, world.are, agency)
    assert referral.case.client.municipality == world.are
    assert referral.case.client.first_name == "Remitterad"
    assert Client.objects.filter(identity_number=world.number).count() == 2


def test_an_inbound_referral_is_refused_to_a_caseworker_who_may_not_read_the_client(
    client, world, agency
):
    Municipality.objects.filter(pk=world.goteborg.pk).update(team_visibility=False)
    with pytest.raises(CaseRuleError) as refused:
        receive(world, fresh(world.gbg_colleague), world.goteborg, agency)
    assert refused.value.code == "registered"
    client.force_login(world.gbg_colleague)
    response = client.post(
        reverse("referrals:inbound_new"),
        {
            "municipality": world.goteborg.pk,
            "agency": agency.pk,
            "first_name": "Remitterad",
            "last_name": "Person",
            "identity_number": world.number,
            "reserve_identity": "",
            "purpose": "Vill lämna gruppen.",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert in_swedish(REGISTERED, municipality=world.goteborg.name) in text
    assert_no_goteborg_data(text)
    assert world.gbg_client.cases.count() == 1


# --- Transfers --------------------------------------------------------------------------------


def transfer(world: Boundary, case: Case) -> Case:
    proposal = services.transfer_propose(
        case=case, by=world.gbg_manager, to_municipality=world.are, reason="Hot i Göteborg."
    )
    services.transfer_accept(transfer=proposal, by=world.are_manager)
    case.refresh_from_db()
    return case


def test_a_transfer_copies_the_client_and_later_changes_do_not_cross(client, world):
    earlier = CaseFactory(
        municipality=world.goteborg,
        client=world.gbg_client,
        state=CaseState.COMPLETED,
        created_by=world.gbg_manager,
    )
    moved = transfer(world, world.gbg_case)

    copy = moved.client
    assert copy.pk != world.gbg_client.pk
    assert copy.municipality == world.are
    assert (copy.first_name, copy.identity_number, copy.address, copy.pseudonym) == (
        FIRST,
        world.number,
        ADDRESS,
        world.gbg_client.pseudonym,
    )
    assert list(copy.affiliations.values_list("group__name", flat=True)) == [GROUP]
    # Göteborg keeps its own row for its other history.
    world.gbg_client.refresh_from_db()
    assert world.gbg_client.municipality == world.goteborg
    assert list(world.gbg_client.cases.all()) == [earlier]
    # A change on one side never shows on the other.
    services.affiliation_add(
        case=moved,
        by=fresh(world.are_manager),
        group=CriminalGroup.objects.create(name=f"{CANARY}Ny", kind=CriminalGroup.Kind.GANG),
        role=AffiliationRole.ASSOCIATE,
        started_on=None,
        ended_on=None,
    )
    Client.objects.filter(pk=copy.pk).update(address=f"{CANARY}Skyddad 9")
    client.force_login(world.gbg_manager)
    page = client.get(reverse("cases:detail", args=[earlier.pk])).content.decode()
    assert f"{CANARY}Ny" not in page
    assert f"{CANARY}Skyddad 9" not in page
    world.gbg_client.refresh_from_db()
    assert world.gbg_client.address == ADDRESS
    assert world.gbg_client.affiliations.count() == 1


def test_a_transfer_reuses_the_receiving_municipalitys_client(world):
    are_client = open_case(world, world.are_caseworker, world.are).client
    moved = transfer(world, world.gbg_case)
    assert moved.client == are_client
    assert list(are_client.affiliations.values_list("group__name", flat=True)) == [GROUP]
    assert Client.objects.filter(identity_number=world.number).count() == 1


def test_a_transfer_of_the_only_case_leaves_no_client_behind(world):
    moved = transfer(world, world.gbg_case)
    assert moved.client.municipality == world.are
    assert not Client.objects.filter(municipality=world.goteborg).exists()


# --- The database's own guarantees ------------------------------------------------------------


def test_the_database_refuses_a_case_whose_client_is_of_another_municipality(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            reference=f"{CANARY}-1",
            client=world.gbg_client,
            municipality=world.are,
            created_by=world.are_manager,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=world.gbg_case.pk).update(municipality=world.are)
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.filter(pk=world.gbg_client.pk).update(municipality=world.are)
    world.gbg_case.refresh_from_db()
    assert world.gbg_case.municipality == world.goteborg


def test_the_database_refuses_a_second_client_with_the_number_in_one_municipality(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(
            municipality=world.goteborg, first_name="A", last_name="B", identity_number=world.number
        )
    # Reserve identities have no number, and may be many.
    for n in range(2):
        Client.objects.create(
            municipality=world.goteborg, first_name="A", last_name="B", reserve_identity=f"R{n}"
        )


# --- The pseudonym ----------------------------------------------------------------------------


def test_the_pseudonym_is_one_per_person_across_municipalities_and_never_shown(
    client, world, agency
):
    are_case = open_case(world, world.are_caseworker, world.are)
    pseudonym = are_case.client.pseudonym
    assert len(pseudonym) == 64
    assert pseudonym == world.gbg_client.pseudonym == identity_pseudonym(world.number)
    assert identity_pseudonym(synthetic_identity_number(4712)) != pseudonym
    assert world.number not in pseudonym
    receive(world, world.gbg_manager, world.goteborg, agency)
    pages = [
        (world.are_caseworker, reverse("cases:detail", args=[are_case.pk])),
        (world.are_caseworker, reverse("cases:caseload")),
        (world.gbg_manager, reverse("cases:detail", args=[world.gbg_case.pk])),
        (world.gbg_manager, reverse("cases:caseload")),
        (world.gbg_manager, reverse("referrals:list")),
        (world.gbg_manager, reverse("home")),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert pseudonym not in response.content.decode(), url
    client.force_login(world.gbg_manager)
    warning = client.post(reverse("cases:new"), intake(world.goteborg, world.number))
    assert 'id="duplicate-warning"' in warning.content.decode()
    assert pseudonym not in warning.content.decode()


def test_production_refuses_to_start_without_a_pseudonym_key():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and not k.startswith("EXITPROG_PSEUDONYM_KEY")
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="exitprog.example.se",
        DJANGO_SECRET_KEY="x" * 60,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "EXITPROG_PSEUDONYM_KEY" in result.stderr
