"""The cast every permission test reuses, and the shared fixtures.

Stockholm is the home municipality: `caseworker` is assigned to `case`, `teammate` is another
Stockholm caseworker, `outsider` is a Malmö caseworker, `manager` manages Stockholm,
`police` is a Stockholm liaison with a share of `case`, `police_unshared` a Syd liaison
without one, `analyst` and `administrator` hold the national roles.

The reference data (the 290 municipalities, the police regions, the codebooks and the role
groups the cast's roles live in) is committed once per test database, right after its
migrations, so that a test does not load it again inside its own transaction; a test that
empties the tables (`transactional_db`, `live_server`) gets it back after its teardown.
`rolled_back_data()` gives a module data of its own (the demo, the canary world) that its
tests share and that is rolled back when the module is done.
"""

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone
from pytest_django.plugin import blocking_manager_key

from access import policy
from accounts import services as role_services
from accounts.models import Municipality, PoliceRegion, Role, User
from accounts.roles import role_group_get_or_create
from accounts.services import municipalities_load
from agencies.models import Agency, AgencyKind
from cases.codebooks import codebooks_load
from cases.models import Case, Consent, Need, PoliceShare
from tests.factories import TEST_PASSWORD, CaseFactory, UserFactory
from tests.worker import celery_worker  # noqa: F401 (a real Celery worker: tests/worker.py)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    # Production's PBKDF2 costs half a second per password; tests need no such strength.
    # For the whole session, so that the module-scoped data (the demo, the canary world)
    # gets it too.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# The places of the cast's roles (and most other tests'): their role groups are reference data.
ROLE_PLACES: tuple[tuple[Role, str, str], ...] = (
    (Role.CASEWORKER, "0180", ""),
    (Role.MANAGER, "0180", ""),
    (Role.CASEWORKER, "1280", ""),
    (Role.MANAGER, "1280", ""),
    (Role.POLICE_LIAISON, "", "stockholm"),
    (Role.POLICE_LIAISON, "", "syd"),
    (Role.ANALYST, "", ""),
    (Role.ADMINISTRATOR, "", ""),
)


def reference_data_load() -> None:
    """The municipalities, police regions, codebooks and common role groups, if missing."""
    if Municipality.objects.exists() and Need.objects.exists():
        return
    municipalities_load()
    codebooks_load()
    for role, municipality, region in ROLE_PLACES:
        role_group_get_or_create(
            role=role,
            municipality=Municipality.objects.get(code=municipality) if municipality else None,
            police_region=PoliceRegion.objects.get(code=region) if region else None,
        )


_reference_data_in: set[str] = set()  # the test database this process has loaded it into


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference_data_load()
    _reference_data_in.add(connection.settings_dict["NAME"])
    yield
    # Before the test database goes: the hook below must not write to the one it came from.
    _reference_data_in.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if connection.settings_dict["NAME"] in _reference_data_in:
        # A transactional test's flush has emptied every table: commit the reference data
        # again (one query when nothing is missing).
        with item.config.stash[blocking_manager_key].unblock():
            reference_data_load()
    return result


@contextlib.contextmanager
def rolled_back_data(django_db_blocker) -> Iterator[None]:
    """For a module-scoped fixture: what it makes inside stays for the module's tests (each
    test's own transaction is a savepoint within), and is rolled back after the last one."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo data of `make run` (seed_demo), made once for the module that asks for it."""
    from django.core.management import call_command

    with rolled_back_data(django_db_blocker), override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield


@pytest.fixture
def municipalities(db) -> None:
    """The 290 municipalities, seven police regions and the codebooks: reference data,
    committed for the whole run (see above); this fixture says a test needs them."""


@pytest.fixture
def stockholm(municipalities) -> Municipality:
    return Municipality.objects.get(code="0180")


@pytest.fixture
def malmo(municipalities) -> Municipality:
    return Municipality.objects.get(code="1280")


@dataclass
class Cast:
    caseworker: User
    teammate: User
    outsider: User
    manager: User
    police: User
    police_unshared: User
    analyst: User
    administrator: User
    case: Case
    stockholm: Municipality
    malmo: Municipality
    consent: Consent
    police_agency: Agency

    def all_users(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in (
                "caseworker",
                "teammate",
                "outsider",
                "manager",
                "police",
                "police_unshared",
                "analyst",
                "administrator",
            )
        }


def make_user(username: str, role: Role, **scope) -> User:
    user = UserFactory(username=username)
    role_services.role_grant(user=user, role=role, **scope)
    return user


def cast_build(stockholm: Municipality, malmo: Municipality) -> Cast:
    stockholm_region = PoliceRegion.objects.get(code="stockholm")
    syd = PoliceRegion.objects.get(code="syd")
    caseworker = make_user("kim", Role.CASEWORKER, municipality=stockholm)
    manager = make_user("maria", Role.MANAGER, municipality=stockholm)
    case = CaseFactory(municipality=stockholm, created_by=manager)
    policy.case_grant_assignment(case=case, user=caseworker)
    police = make_user("polis", Role.POLICE_LIAISON, police_region=stockholm_region)
    police_agency = Agency.objects.create(
        name="Polisregion Stockholm", kind=AgencyKind.POLICE, police_region=stockholm_region
    )
    # Made without the services, which log: tests of the access log start from an empty log.
    consent = Consent.objects.create(
        case=case,
        recorded_by=manager,
        information=["identity", "threat", "group", "placement", "referrals"],
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=timezone.localdate() + datetime.timedelta(days=365),
    )
    consent.agencies.set([police_agency])
    PoliceShare.objects.create(case=case, liaison=police, consent=consent, created_by=manager)
    policy.case_grant_police_share(case=case, liaison=police)
    return Cast(
        caseworker=caseworker,
        teammate=make_user("tove", Role.CASEWORKER, municipality=stockholm),
        outsider=make_user("omar", Role.CASEWORKER, municipality=malmo),
        manager=manager,
        police=police,
        police_unshared=make_user("pelle", Role.POLICE_LIAISON, police_region=syd),
        analyst=make_user("anna", Role.ANALYST),
        administrator=make_user("adde", Role.ADMINISTRATOR),
        case=case,
        stockholm=stockholm,
        malmo=malmo,
        consent=consent,
        police_agency=police_agency,
    )


# What makes a test transactional: its data must be committed for another thread or process
# (the live server, a Celery worker) and its tables are flushed after it.
TRANSACTIONAL_FIXTURES = frozenset({"transactional_db", "live_server", "celery_worker", "stack"})
_modules_with_shared_cast: set[str] = set()


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and bool(
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    return by_marker or bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A module shares one cast (made once, rolled back after it) when it has tests of the
    cast and no transactional test: such a test needs its cast committed, and the module's
    open transaction would hide it from the live server and the workers."""
    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::")[0], []).append(item)
    _modules_with_shared_cast.clear()
    for module, its in by_module.items():
        if any("cast" in getattr(i, "fixturenames", ()) for i in its) and not any(
            _is_transactional(i) for i in its
        ):
            _modules_with_shared_cast.add(module)


@pytest.fixture(scope="module", autouse=True)
def _module_cast(request, django_db_blocker) -> Iterator[Cast | None]:
    """The cast of a module that shares one (above): every test of the module sees it, those
    that ask for `cast` as well as those that do not, whatever their order."""
    if request.node.nodeid not in _modules_with_shared_cast:
        yield None
        return
    request.getfixturevalue("django_db_setup")
    with rolled_back_data(django_db_blocker):
        yield cast_build(
            Municipality.objects.get(code="0180"), Municipality.objects.get(code="1280")
        )


@pytest.fixture
def cast(_module_cast: Cast | None, stockholm, malmo) -> Cast:
    """The cast: the module's shared one read afresh for this test (nothing a test changes
    in memory reaches the next), or one made for this test alone."""
    if _module_cast is None:
        return cast_build(stockholm, malmo)
    shared = _module_cast
    users = User.objects.in_bulk([u.pk for u in shared.all_users().values()])
    case = Case.objects.select_related("client").get(pk=shared.case.pk)
    # The relations a made case has in memory, to the same objects the test holds.
    case.municipality, case.created_by = stockholm, users[shared.manager.pk]
    return Cast(
        **{name: users[user.pk] for name, user in shared.all_users().items()},
        case=case,
        stockholm=stockholm,
        malmo=malmo,
        consent=Consent.objects.get(pk=shared.consent.pk),
        police_agency=Agency.objects.get(pk=shared.police_agency.pk),
    )


@pytest.fixture
def login(client):
    """Log `client` in as a user and return it."""

    def _login(user: User) -> HttpClient:
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD
