"""Login, logout, password change, lock-out and the language switch."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password_lands_on_home(client, password):
    user = UserFactory(username="kim")
    response = client.post(reverse("login"), {"username": "kim", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_shows_a_clear_message_and_keeps_the_username(client):
    UserFactory(username="kim")
    response = client.post(reverse("login"), {"username": "kim", "password": "wrong"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ange ett korrekt användarnamn och lösenord" in text
    assert 'value="kim"' in text


def test_repeated_failures_lock_the_account(client, password):
    UserFactory(username="kim")
    for _ in range(5):
        client.post(reverse("login"), {"username": "kim", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "kim", "password": password})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_rejects_a_weak_password_with_a_message(client, password):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "Det här lösenordet är för kort" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_change_works(client, password):
    user = UserFactory()
    client.force_login(user)
    new = "a-much-longer-passphrase-2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_pages_are_swedish_by_default_and_english_on_request(client):
    response = client.get(reverse("login"))
    assert '<html lang="sv">' in response.content.decode()
    assert "Logga in" in response.content.decode()
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "Log in" in text and "Logga in" not in text


def test_session_expires_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_every_page_sends_a_strict_content_security_policy(client):
    csp = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_a_browser_asking_for_english_still_gets_swedish_until_the_user_switches(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Logga in" in response.content.decode()
    assert response["Content-Language"] == "sv"
