"""The demo data that `make run` loads: every role has a login that works."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from access import policy
from accounts.models import Municipality, Role, User
from cases import selectors
from cases.identity import parse_identity_number
from cases.models import Case, CaseState, FollowUp
from demo.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGINS = {
    "cw.stockholm": Role.CASEWORKER,
    "mgr.stockholm": Role.MANAGER,
    "police.stockholm": Role.POLICE_LIAISON,
    "analyst": Role.ANALYST,
    "admin": Role.ADMINISTRATOR,
}


@pytest.fixture
def demo(demo_data, db, settings):
    """The demo, seeded once for this module (tests/conftest.py); each test is rolled back."""
    settings.DEBUG = True


def test_demo_has_four_programs_and_about_200_cases_in_every_state(demo):
    programs = set(Municipality.objects.filter(runs_program=True).values_list("name", flat=True))
    assert programs == {"Stockholm", "Göteborg", "Malmö", "Åre"}
    assert 180 <= Case.objects.count() <= 220
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)


def test_demo_identity_numbers_are_valid_by_checksum(demo):
    numbers = Case.objects.exclude(client__identity_number="").values_list(
        "client__identity_number", flat=True
    )
    assert numbers
    for number in numbers:
        assert parse_identity_number(number).number == number


@pytest.mark.parametrize(("username", "role"), LOGINS.items())
def test_every_demo_login_works_and_holds_its_role(client, demo, username, role):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    user = User.objects.get(username=username)
    assert role in policy.grants_for(user).role_set
    assert client.get(reverse("home")).status_code == 200


def test_demo_caseworker_and_police_have_something_to_see(demo):
    assert policy.cases_assigned_to(User.objects.get(username="cw.stockholm")).exists()
    assert policy.cases_shared_with(User.objects.get(username="police.stockholm")).exists()
    assert not policy.cases_visible_to(User.objects.get(username="admin")).exists()


def test_seeding_again_adds_nothing(demo):
    before = (Case.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Case.objects.count(), User.objects.count()) == before


def test_demo_data_refuses_to_load_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_demo_shows_transfers_shares_placements_and_police_notes(demo):
    from cases.models import Placement, PoliceNote, PoliceShare, Transfer

    states = set(Transfer.objects.values_list("state", flat=True))
    assert {"accepted", "proposed", "declined"} <= states
    moved = Transfer.objects.filter(state="accepted").select_related("case").first()
    assert moved is not None and moved.case.municipality_id == moved.to_municipality_id
    assert PoliceShare.objects.filter(ended_at__isnull=True, consent__isnull=False).exists()
    assert PoliceNote.objects.exists()
    assert Placement.objects.exists()


def test_demo_has_referrals_in_every_state_and_inbound_ones(demo):
    from referrals.models import Referral, ReferralState

    assert set(Referral.objects.values_list("state", flat=True)) == set(ReferralState.values)
    inbound = Referral.objects.filter(direction="inbound").select_related("case")
    assert inbound.count() == 2
    assert all(r.case.source_agency_id == r.agency_id for r in inbound)


def test_demo_shows_cw_stockholm_a_due_and_a_recorded_follow_up(demo, settings):
    worker = User.objects.get(username="cw.stockholm")

    home = selectors.caseworker_home(
        user=worker, today=timezone.localdate(), due_within_days=settings.EXITPROG_DUE_SOON_DAYS
    )
    assert any(
        f.months == 3 and f.due_on >= timezone.localdate() - datetime.timedelta(days=7)
        for f in home.follow_ups_due
    )
    mine = policy.cases_assigned_to(worker)
    assert FollowUp.objects.filter(case__in=mine, recorded_at__isnull=False).exists()
    # Every case that ran and ended has its four follow-ups; a rejected intake has none.
    ended = Case.objects.filter(state__in=[CaseState.COMPLETED, CaseState.DISCONTINUED])
    assert FollowUp.objects.filter(case__in=ended).count() == 4 * ended.count()
    assert not FollowUp.objects.filter(case__state=CaseState.REJECTED).exists()
    # What the demo recorded keeps the rules of the service.
    recorded = FollowUp.objects.filter(recorded_at__isnull=False).select_related("case")
    assert recorded.exists()
    for f in recorded:
        assert f.case.closed_on is not None and f.checked_on is not None
        assert f.case.closed_on <= f.checked_on <= timezone.localdate()
        assert f.reoffended != "yes" or f.reoffending_source
        assert f.recorded_by_id is not None

    before = FollowUp.objects.count(), Case.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (FollowUp.objects.count(), Case.objects.count()) == before


def test_demo_caseworker_has_tasks_and_notifications(demo, client):
    from notifications.models import Notification
    from reminders.models import Task

    worker = User.objects.get(username="cw.stockholm")
    open_tasks = Task.objects.filter(assigned_to=worker, done_at__isnull=True)
    assert open_tasks.count() >= 3
    assert open_tasks.filter(due_on__lt=timezone.localdate()).exists()  # one overdue
    assert Task.objects.filter(assigned_to=worker, done_at__isnull=False).exists()
    assert Notification.objects.filter(recipient=worker, read_at__isnull=True).count() >= 2
    client.force_login(worker)
    text = client.get(reverse("home")).content.decode()
    assert open_tasks[0].title in text and "count-badge" in text
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Task.objects.filter(assigned_to=worker).count() == open_tasks.count() + 1


def test_demo_has_young_clients_with_guardians_in_every_city(demo):
    from accounts.models import YouthRules
    from cases.age import turns_adult_on
    from cases.guardians import Guardian

    today = timezone.localdate()
    for muni in Municipality.objects.filter(runs_program=True):
        young = Case.objects.filter(municipality=muni, client__young=True)
        assert young.count() >= 2, muni
        guardians = Guardian.objects.filter(client__cases__in=young).distinct()
        assert guardians.filter(safe_to_contact=False).exists(), muni
        assert young.filter(youth_path=True).exists(), muni
        assert YouthRules.objects.get(municipality=muni).child_unit_name, muni
    # One client turns 18 in the demo's first week, with a caseworker who hears of it.
    turning = [
        c
        for c in Case.objects.filter(client__young=True, state=CaseState.ACTIVE)
        if (day := turns_adult_on(c.client)) and today < day <= today + datetime.timedelta(days=7)
    ]
    assert turning and policy.case_caseworkers(turning[0])
    # A reserve identity known by an age band only.
    assert Case.objects.filter(client__birth_date__isnull=True, client__age_band="15_17").exists()
