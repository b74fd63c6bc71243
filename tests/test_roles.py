"""Separation of duties: the administrator never holds a case role, and roles change through one
service that records who granted what (issue 9, finding 3)."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts import services as role_services
from accounts.models import Role, RoleGrant
from accounts.roles import role_group_get_or_create
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


# --- The admin offers no way round the role service --------------------------------------


def test_admin_user_change_page_offers_no_groups_or_password(client, cast):
    client.force_login(cast.administrator)
    url = reverse("admin:accounts_user_change", args=[cast.manager.pk])
    page = client.get(url).content.decode()
    assert 'name="username"' in page  # the page is the real form
    for field in ('name="groups"', 'name="user_permissions"', 'name="is_superuser"', "password/"):
        assert field not in page


def test_admin_password_url_is_gone(client, cast):
    client.force_login(cast.administrator)
    response = client.get(f"/admin/accounts/user/{cast.manager.pk}/password/")
    assert response.status_code == 404
    response = client.post(
        f"/admin/accounts/user/{cast.manager.pk}/password/",
        {"password1": "Kanarie7f3q-Lösen", "password2": "Kanarie7f3q-Lösen"},
    )
    assert response.status_code == 404
    cast.manager.refresh_from_db()
    assert not cast.manager.check_password("Kanarie7f3q-Lösen")


def test_posting_groups_to_the_user_admin_changes_nothing(client, cast):
    manager_group = role_group_get_or_create(role=Role.MANAGER, municipality=cast.stockholm)
    admin = cast.administrator
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[admin.pk]),
        {
            "username": admin.username,
            "first_name": "Kanarie7f3q",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [manager_group.pk],
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302  # saved: the name changed, nothing else
    admin.refresh_from_db()
    assert admin.first_name == "Kanarie7f3q"
    assert not admin.groups.filter(pk=manager_group.pk).exists()
    assert not admin.is_superuser


def test_bare_groups_are_not_in_the_admin(client, cast):
    client.force_login(cast.administrator)
    assert client.get("/admin/auth/group/").status_code == 404


def test_administrator_cannot_grant_itself_a_role_in_the_admin(client, cast):
    group = role_group_get_or_create(role=Role.MANAGER, municipality=cast.stockholm)
    client.force_login(cast.administrator)
    add = reverse("admin:accounts_rolegrant_add")
    page = client.get(add).content.decode()
    assert f'value="{cast.administrator.pk}"' not in page  # not offered
    response = client.post(add, {"user": cast.administrator.pk, "role_group": group.role_group.pk})
    assert response.status_code == 200  # the form again, with an error
    assert not cast.administrator.groups.filter(pk=group.pk).exists()
    assert not RoleGrant.objects.filter(user=cast.administrator, role_group__role="manager")


def test_administrator_grants_and_revokes_a_role_in_the_admin(client, cast):
    newcomer = UserFactory(username="nykomling7f3q")
    group = role_group_get_or_create(role=Role.CASEWORKER, municipality=cast.stockholm)
    client.force_login(cast.administrator)
    response = client.post(
        reverse("admin:accounts_rolegrant_add"),
        {"user": newcomer.pk, "role_group": group.role_group.pk},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=newcomer, role_group=group.role_group)
    assert grant.granted_by == cast.administrator and grant.revoked_at is None
    assert newcomer.groups.filter(pk=group.pk).exists()

    response = client.post(
        reverse("admin:accounts_rolegrant_changelist"),
        {"action": "revoke", "_selected_action": [grant.pk]},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == cast.administrator and grant.revoked_at is not None
    assert not newcomer.groups.filter(pk=group.pk).exists()


def test_administrator_cannot_grant_a_case_role_to_another_administrator(client, cast):
    other_admin = UserFactory(username="admin2-7f3q")
    role_services.role_grant(user=other_admin, role=Role.ADMINISTRATOR)
    group = role_group_get_or_create(role=Role.MANAGER, municipality=cast.stockholm)
    client.force_login(cast.administrator)
    response = client.post(
        reverse("admin:accounts_rolegrant_add"),
        {"user": other_admin.pk, "role_group": group.role_group.pk},
    )
    assert response.status_code == 200
    with translation.override("sv"):
        message = gettext("An administrator cannot also hold the role %(role)s.") % {
            "role": Role.MANAGER.label
        }
    assert escape(message) in response.content.decode()
    assert not other_admin.groups.filter(pk=group.pk).exists()


# --- The role service and the database refuse it ------------------------------------------


def test_the_role_service_refuses_a_case_role_to_an_administrator(cast):
    with pytest.raises(role_services.RoleRuleError):
        role_services.role_grant(
            user=cast.administrator, role=Role.MANAGER, municipality=cast.stockholm
        )
    with pytest.raises(role_services.RoleRuleError):
        role_services.role_grant(
            user=cast.police_unshared, role=Role.ADMINISTRATOR, by=cast.administrator
        )
    assert not cast.police_unshared.groups.filter(role_group__role=Role.ADMINISTRATOR)


def test_nobody_changes_their_own_roles(cast):
    with pytest.raises(role_services.RoleRuleError):
        role_services.role_grant(
            user=cast.manager, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.manager
        )


def test_the_database_refuses_a_case_role_to_an_administrator(cast):
    """A membership written around the service (a shell, raw SQL) is refused too."""
    group = role_group_get_or_create(role=Role.MANAGER, municipality=cast.stockholm)
    with pytest.raises(IntegrityError, match="separation of duties"), transaction.atomic():
        cast.administrator.groups.add(group)
    admin_group = role_group_get_or_create(role=Role.ADMINISTRATOR)
    with (
        pytest.raises(IntegrityError, match="separation of duties"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO accounts_user_groups (user_id, group_id) VALUES (%s, %s)",
            [cast.caseworker.pk, admin_group.pk],
        )


def test_a_grant_records_who_gave_it_and_granting_twice_changes_nothing(cast):
    newcomer = UserFactory(username="nykomling8f3q")
    first = role_services.role_grant(
        user=newcomer, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    again = role_services.role_grant(
        user=newcomer, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    assert first.pk == again.pk and first.granted_by == cast.administrator
    role_services.role_revoke(
        user=newcomer, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    role_services.role_grant(
        user=newcomer, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    grants = RoleGrant.objects.filter(user=newcomer).order_by("granted_at")
    assert [g.revoked_at is None for g in grants] == [False, True]


# --- Passwords: reset by e-mail or required change, never set by the admin -----------------


def test_admin_sends_a_password_reset_that_the_user_follows(client, cast):
    cast.manager.email = "chef7f3q@example.invalid"
    cast.manager.save(update_fields=["email"])
    client.force_login(cast.administrator)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_reset", "_selected_action": [cast.manager.pk]},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chef7f3q@example.invalid"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]

    client.logout()
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    new = "Kanarie7f3q-Nytt-Lösen"
    response = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    cast.manager.refresh_from_db()
    assert cast.manager.check_password(new)


def test_a_required_password_change_holds_until_done(client, cast):
    client.force_login(cast.administrator)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "require_new_password", "_selected_action": [cast.caseworker.pk]},
    )
    cast.caseworker.refresh_from_db()
    assert cast.caseworker.must_change_password

    client.force_login(cast.caseworker)
    response = client.get(reverse("cases:detail", args=[cast.case.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    new = "Kanarie7f3q-Eget-Lösen"
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    cast.caseworker.refresh_from_db()
    assert not cast.caseworker.must_change_password
    assert client.get(reverse("cases:detail", args=[cast.case.pk])).status_code == 200


# --- The managers' page of who holds which role ----------------------------------------------


def test_managers_see_who_holds_which_role_since_when_and_granted_by_whom(client, cast):
    newcomer = UserFactory(username="nykomling9f3q", first_name="Kanarie9f3q", last_name="Ny")
    role_services.role_grant(
        user=newcomer, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    leaver = UserFactory(username="slutat9f3q", first_name="Kanarie9f3r", last_name="Gammal")
    role_services.role_grant(
        user=leaver, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    role_services.role_revoke(
        user=leaver, role=Role.CASEWORKER, municipality=cast.stockholm, by=cast.administrator
    )
    client.force_login(cast.manager)
    response = client.get(reverse("municipality_roles", args=[cast.stockholm.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    current, ended = page.split('id="ended"')
    assert "Kanarie9f3q" in current and "Kanarie9f3r" not in current
    assert "Kanarie9f3r" in ended
    assert cast.administrator.get_full_name() in page  # granted by


@pytest.mark.parametrize(
    "who", ["caseworker", "teammate", "outsider", "police", "police_unshared", "analyst"]
)
def test_nobody_else_sees_a_municipalitys_roles(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("municipality_roles", args=[cast.stockholm.pk]))
    assert response.status_code == 404


def test_the_administrator_does_not_see_the_roles_page(client, cast):
    client.force_login(cast.administrator)
    assert client.get(reverse("municipality_roles", args=[cast.stockholm.pk])).status_code == 404


def test_a_manager_of_another_municipality_does_not_see_the_roles_page(client, cast):
    malmo_manager = UserFactory(username="malmochef9f3q")
    role_services.role_grant(user=malmo_manager, role=Role.MANAGER, municipality=cast.malmo)
    client.force_login(malmo_manager)
    assert client.get(reverse("municipality_roles", args=[cast.stockholm.pk])).status_code == 404
    assert client.get(reverse("municipality_roles", args=[cast.malmo.pk])).status_code == 200


def test_the_roles_page_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.manager)
    url = reverse("municipality_roles", args=[cast.stockholm.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_ROLES_PAGE):
        client.get(url)
    for n in range(5):
        user = UserFactory(username=f"extra{n}-9f3q")
        role_services.role_grant(user=user, role=Role.CASEWORKER, municipality=cast.stockholm)
    with django_assert_num_queries(QUERIES_ROLES_PAGE):
        client.get(url)


QUERIES_ROLES_PAGE = 9  # with the header's unread notifications


def test_the_admin_cannot_change_the_address_of_someone_holding_a_case_role(client, cast):
    """Else it could send that person's reset link to itself and take the account over."""
    cast.manager.email = "chef7f3r@example.invalid"
    cast.manager.save(update_fields=["email"])
    client.force_login(cast.administrator)
    url = reverse("admin:accounts_user_change", args=[cast.manager.pk])
    assert 'name="email"' not in client.get(url).content.decode()
    client.post(
        url,
        {
            "username": cast.manager.username,
            "first_name": cast.manager.first_name,
            "last_name": cast.manager.last_name,
            "email": "admin7f3r@example.invalid",
            "is_active": "on",
        },
    )
    cast.manager.refresh_from_db()
    assert cast.manager.email == "chef7f3r@example.invalid"
    # Someone without a case role (a new account) gets an address as usual.
    newcomer = UserFactory(username="nykomling7f3r")
    page = client.get(reverse("admin:accounts_user_change", args=[newcomer.pk]))
    assert 'name="email"' in page.content.decode()
