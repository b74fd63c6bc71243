"""The session's time-out: the times the page is given, and "Stay signed in"
(exitprog/session.py). The warning and the kept text in a browser: tests/browser/
test_session_timeout.py."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_carries_the_session_times(client, cast, settings):
    settings.SESSION_COOKIE_AGE = 1800
    client.force_login(cast.caseworker)
    page = client.get(reverse("home")).content.decode()
    assert 'data-session-age="1800"' in page
    assert 'data-session-warning="300"' in page
    assert f'data-session-user="{cast.caseworker.pk}"' in page
    assert 'src="/static/js/session.js"' in page


def test_a_short_session_warns_at_half_its_length(client, cast, settings):
    settings.SESSION_COOKIE_AGE = 40
    client.force_login(cast.manager)
    page = client.get(reverse("home")).content.decode()
    assert 'data-session-age="40"' in page and 'data-session-warning="20"' in page


def test_the_login_page_has_the_script_but_no_session_times(client):
    page = client.get(reverse("login")).content.decode()
    assert 'src="/static/js/session.js"' in page
    assert "data-session-timeout" not in page


def test_stay_signed_in_moves_the_expiry_on(client, cast, settings):
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(cast.caseworker)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30)
    )
    response = client.post(reverse("session_refresh"), headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"expires_in": 600}
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + datetime.timedelta(seconds=590)


def test_stay_signed_in_without_a_script_goes_back_to_the_page(client, cast):
    client.force_login(cast.caseworker)
    page = reverse("cases:detail", args=[cast.case.pk])
    response = client.post(reverse("session_refresh"), {"next": page})
    assert response.status_code == 302 and response["Location"] == page


def test_stay_signed_in_never_sends_to_another_site(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(reverse("session_refresh"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_stay_signed_in_is_a_post(client, cast):
    client.force_login(cast.caseworker)
    assert client.get(reverse("session_refresh")).status_code == 405


def test_an_ended_session_is_not_brought_back(client):
    response = client.post(reverse("session_refresh"), headers={"Accept": "application/json"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
