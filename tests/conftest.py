"""The cast every permission test reuses, and the shared fixtures.

Stockholm is the home municipality: `caseworker` is assigned to `case`, `teammate` is another
Stockholm caseworker, `outsider` is a Malmö caseworker, `manager` manages Stockholm,
`police` is a Stockholm liaison with a share of `case`, `police_unshared` a Syd liaison
without one, `analyst` and `administrator` hold the national roles.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from access import policy
from accounts import services as role_services
from accounts.models import Municipality, PoliceRegion, Role, User
from accounts.services import municipalities_load
from agencies.models import Agency, AgencyKind
from cases.codebooks import codebooks_load
from cases.models import Case, Consent, Need, PoliceShare
from tests.factories import TEST_PASSWORD, CaseFactory, UserFactory
from tests.worker import celery_worker  # noqa: F401 (a real Celery worker: tests/worker.py)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Production's PBKDF2 costs half a second per password; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def municipalities(db) -> None:
    """The 290 municipalities, seven police regions and the codebooks.

    Migrations load them, but the browser tests' transactional flush empties every table.
    """
    if not Municipality.objects.exists():
        municipalities_load()
    if not Need.objects.exists():
        codebooks_load()


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


@pytest.fixture
def cast(stockholm, malmo) -> Cast:
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
