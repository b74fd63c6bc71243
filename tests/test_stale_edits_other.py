"""Optimistic locking outside the cases app (issue 10): a referral's move, the follow-up report
cadence and the revocation of a role, chosen before someone else's save, are refused with the
record as it is now, and what the user typed is kept (exitprog.concurrency).

Pages are Swedish by default, so the tests look for the messages translated the same way.
"""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts import services as role_services
from accounts.models import Role, RoleGrant
from accounts.roles import role_group_get_or_create
from agencies.models import Agency, AgencyKind
from cases.tabs import case_tab_url
from exitprog.concurrency import StaleEditError
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent, ReferralState
from tests.conftest import Cast, make_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = ReferralState


def sv(text: object) -> str:
    with translation.override("sv"):
        return str(gettext(str(text)))


def translated(message: str, **params: object) -> str:
    """A message as a Swedish page shows it, HTML-escaped."""
    text = sv(message)
    return escape(text % params if params else text)


def follow(client, response) -> str:
    """The page a refusal redirects to, as the user's browser gets it next."""
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def checked_radios(html: str, name: str) -> list[str]:
    return [
        re.search(r'value="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        for tag in re.findall(r"<input[^>]*>", html)
        if 'type="radio"' in tag and f'name="{name}"' in tag and re.search(r"\schecked", tag)
    ]


def textarea(html: str, element_id: str) -> str:
    match = re.search(rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {element_id} on the page"
    return match.group(1).strip()


# --- A referral's move on the case page -------------------------------------------------------


STALE_MOVE = (
    "Someone else changed the referral to %(agency)s after you opened the page: it is now "
    "“%(state)s”. Nothing was saved. Your choice and note are kept below; check them against "
    "the current state and save again."
)


@pytest.fixture
def referral(cast: Cast) -> Referral:
    agency = Agency.objects.create(name="Bostadsbolaget Kanarie4r7d", kind=AgencyKind.HOUSING)
    made = referral_services.referral_create(
        case=cast.case, by=cast.manager, agency=agency, purpose="Boende"
    )
    return referral_services.referral_transition(
        referral=made, to_state=S.SENT, by=cast.manager, without_consent=True
    )


def move_seen(page: str, referral: Referral) -> str:
    """The hidden `seen` of the referral's move form, as the case page rendered it."""
    action = reverse("referrals:transition", args=[referral.pk])
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    match = re.search(r'<input type="hidden" name="seen" value="([^"]+)">', form)
    assert match, "the move form carries no seen"
    return match.group(1)


def case_page(client, cast: Cast) -> str:
    """The case page's tab with the referrals."""
    response = client.get(case_tab_url(cast.case.pk, "support"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_stale_referral_move_is_refused_with_its_state_now(client, cast, referral):
    url = reverse("referrals:transition", args=[referral.pk])
    first, second = client, HttpClient()
    first.force_login(cast.manager)
    second.force_login(cast.caseworker)
    opened_first = move_seen(case_page(first, cast), referral)
    opened_second = move_seen(case_page(second, cast), referral)

    response = first.post(
        url, {"to_state": "accepted", "note": "Kanarie6t2m först", "seen": opened_first}
    )
    assert response.status_code == 302

    stale = {"to_state": "declined", "note": "Kanarie6t2m sedan"}
    page = follow(second, second.post(url, stale | {"seen": opened_second}))
    message = translated(STALE_MOVE, agency=referral.agency, state=sv(S.ACCEPTED.label))
    assert message in page
    assert textarea(page, f"ref-{referral.pk}-note") == "Kanarie6t2m sedan"  # kept
    referral.refresh_from_db()
    assert (referral.state, referral.answer_note) == (S.ACCEPTED, "Kanarie6t2m först")
    assert ReferralEvent.objects.filter(referral=referral, to_state=S.DECLINED).count() == 0

    # The page came back with the referral as it is now: a move from there is a fresh one.
    fresh = move_seen(page, referral)
    assert fresh != opened_second
    response = second.post(url, {"to_state": "started", "note": "", "seen": fresh})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == S.STARTED


def test_a_stale_move_that_is_still_legal_is_refused_too(client, cast, referral):
    """Someone acknowledged the referral meanwhile; "accepted" is still a legal move, but it was
    chosen over a state the user never saw."""
    client.force_login(cast.caseworker)
    opened = move_seen(case_page(client, cast), referral)
    referral_services.referral_transition(
        referral=referral, to_state=S.ACKNOWLEDGED, by=cast.manager
    )

    url = reverse("referrals:transition", args=[referral.pk])
    page = follow(
        client, client.post(url, {"to_state": "accepted", "note": "Kanarie2p8q", "seen": opened})
    )
    assert translated(STALE_MOVE, agency=referral.agency, state=sv(S.ACKNOWLEDGED.label)) in page
    assert checked_radios(page, "to_state") == ["accepted"]  # kept, and still offered
    assert textarea(page, f"ref-{referral.pk}-note") == "Kanarie2p8q"
    referral.refresh_from_db()
    assert referral.state == S.ACKNOWLEDGED


def test_a_fresh_referral_move_is_saved(client, cast, referral):
    client.force_login(cast.caseworker)
    opened = move_seen(case_page(client, cast), referral)
    url = reverse("referrals:transition", args=[referral.pk])
    response = client.post(url, {"to_state": "declined", "note": "Kanarie9d3s", "seen": opened})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.state, referral.answer_note) == (S.DECLINED, "Kanarie9d3s")
    assert referral.updated_at.isoformat() != opened  # the move itself counts as a change


def test_a_broken_seen_on_a_move_keeps_the_note(client, cast, referral):
    client.force_login(cast.caseworker)
    url = reverse("referrals:transition", args=[referral.pk])
    data = {"to_state": "declined", "note": "Kanarie1w5e", "seen": "igår'<x>"}
    page = follow(client, client.post(url, data))
    assert textarea(page, f"ref-{referral.pk}-note") == "Kanarie1w5e"
    referral.refresh_from_db()
    assert referral.state == S.SENT


def test_the_referral_service_refuses_a_move_based_on_an_old_read(cast, referral):
    seen = referral.updated_at
    referral_services.referral_transition(referral=referral, to_state=S.ACCEPTED, by=cast.manager)
    with pytest.raises(StaleEditError) as refused:
        referral_services.referral_transition(
            referral=referral, to_state=S.WITHDRAWN, by=cast.caseworker, seen=seen
        )
    assert refused.value.current.state == S.ACCEPTED
    referral.refresh_from_db()
    assert referral.state == S.ACCEPTED


# --- The follow-up report cadence -------------------------------------------------------------


def cadence_seen(response) -> str:
    return str(response.context["form"]["seen"].value())


def current_panel(page: str) -> str:
    assert 'id="current-values"' in page
    return page.split('id="current-values"', 1)[1].split("</section>", 1)[0]


def test_a_stale_cadence_is_refused_with_the_setting_now(client, cast):
    url = reverse("reports:cadence", args=[cast.stockholm.pk])
    other_manager = make_user("mona4k2v", Role.MANAGER, municipality=cast.stockholm)
    first, second = client, HttpClient()
    first.force_login(cast.manager)
    second.force_login(other_manager)
    opened_first = cadence_seen(first.get(url))
    opened_second = cadence_seen(second.get(url))

    response = first.post(url, {"case_report_months": "3", "seen": opened_first})
    assert response.status_code == 302

    response = second.post(url, {"case_report_months": "12", "seen": opened_second})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        translated(
            "Someone else changed the municipality's settings after you opened the form. "
            "Nothing was saved: the current setting is shown above, and your choice is kept "
            "below. Check it and save again."
        )
        in page
    )
    panel = current_panel(page)
    assert escape(sv("quarter")) in panel and escape(sv("year")) not in panel  # as it is now
    assert checked_radios(page, "case_report_months") == ["12"]  # the second choice, kept
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.case_report_months == 3

    # Saving again from the refused form is a choice made over the current setting.
    again = cadence_seen(response)
    assert again != opened_second
    response = second.post(url, {"case_report_months": "12", "seen": again})
    assert response.status_code == 302
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.case_report_months == 12


def test_a_fresh_cadence_is_saved(client, cast):
    url = reverse("reports:cadence", args=[cast.stockholm.pk])
    client.force_login(cast.manager)
    opened = cadence_seen(client.get(url))
    assert f'name="seen" value="{opened}"' in client.get(url).content.decode()
    response = client.post(url, {"case_report_months": "6", "seen": opened})
    assert response.status_code == 302
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.case_report_months == 6
    assert cast.stockholm.updated_at.isoformat() != opened


def test_a_broken_seen_on_the_cadence_keeps_the_choice(client, cast):
    url = reverse("reports:cadence", args=[cast.stockholm.pk])
    client.force_login(cast.manager)
    response = client.post(url, {"case_report_months": "6", "seen": "2026-13-45T99"})
    assert response.status_code == 200
    assert checked_radios(response.content.decode(), "case_report_months") == ["6"]
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.case_report_months == 1


# --- Revoking a role --------------------------------------------------------------------------


@pytest.fixture
def newcomer(cast: Cast):
    user = UserFactory(username="nykomling3h6j", first_name="Kanarie3h6j", last_name="Ny")
    role_services.role_grant(
        user=user, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    return user


def administrator(name: str):
    user = UserFactory(username=f"admin-{name}", first_name=name, last_name="Admin")
    role_services.role_grant(user=user, role=Role.ADMINISTRATOR)
    return user


def revoke(cast: Cast, user, by, seen=None) -> None:
    role_services.role_revoke(
        user=user, role=Role.CASEWORKER, municipality=cast.stockholm, by=by, seen=seen
    )


def test_revoking_a_role_someone_else_revoked_is_refused_with_who_did(cast, newcomer):
    other_admin = administrator("Kanarie8u4a")
    grant = RoleGrant.objects.get(user=newcomer)
    seen = grant.updated_at
    revoke(cast, newcomer, by=other_admin, seen=seen)

    with pytest.raises(StaleEditError) as refused:
        revoke(cast, newcomer, by=cast.administrator, seen=seen)
    current = refused.value.current
    assert current.pk == grant.pk and current.revoked_by == other_admin
    message = " ".join(refused.value.messages)
    assert "Kanarie3h6j" in message and "Kanarie8u4a" in message  # whose role, who revoked
    grant.refresh_from_db()
    assert grant.revoked_by == other_admin  # the first revocation stands


def test_revoking_a_role_revoked_and_granted_again_is_refused(cast, newcomer):
    other_admin = administrator("Kanarie5n1c")
    seen = RoleGrant.objects.get(user=newcomer).updated_at
    revoke(cast, newcomer, by=other_admin)
    regranted = role_services.role_grant(
        user=newcomer, role=Role.CASEWORKER, municipality=cast.stockholm, by=other_admin
    )

    with pytest.raises(StaleEditError) as refused:
        revoke(cast, newcomer, by=cast.administrator, seen=seen)
    assert refused.value.current.pk == regranted.pk
    assert "Kanarie5n1c" in " ".join(refused.value.messages)  # granted by, now
    regranted.refresh_from_db()
    assert regranted.revoked_at is None
    assert newcomer.groups.filter(role_group__role=Role.CASEWORKER).exists()


def test_a_fresh_revocation_is_saved_and_changes_the_grant(cast, newcomer):
    grant = RoleGrant.objects.get(user=newcomer)
    seen = grant.updated_at
    revoke(cast, newcomer, by=cast.administrator, seen=seen)
    grant.refresh_from_db()
    assert grant.revoked_by == cast.administrator and grant.updated_at != seen
    assert not newcomer.groups.filter(role_group__role=Role.CASEWORKER).exists()


def test_revoking_a_role_never_held_is_refused(cast):
    stranger = UserFactory(username="främling3h6j")
    with pytest.raises(role_services.RoleRuleError):
        revoke(cast, stranger, by=cast.administrator, seen=stranger.date_joined)


def test_granting_a_role_someone_else_just_granted_keeps_the_first_grant(client, cast):
    """Two administrators add the same grant from forms opened at the same time: the role
    service hands the second the current grant (granting is idempotent), so there is one
    grant, recorded as the first one's."""
    newcomer = UserFactory(username="nykomling7b2x")
    other_admin = administrator("Kanarie7b2y")
    group = role_group_get_or_create(role=Role.CASEWORKER, municipality=cast.stockholm)
    add = reverse("admin:accounts_rolegrant_add")
    data = {"user": newcomer.pk, "role_group": group.role_group.pk}
    first, second = client, HttpClient()
    first.force_login(other_admin)
    second.force_login(cast.administrator)
    assert second.get(add).status_code == 200  # opened before the first save
    assert first.post(add, data).status_code == 302
    assert second.post(add, data).status_code == 302
    grants = RoleGrant.objects.filter(user=newcomer)
    assert [(g.granted_by, g.revoked_at) for g in grants] == [(other_admin, None)]
