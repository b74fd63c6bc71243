"""The Django admin is for administrators only and shows no case content."""

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import Case, Client

pytestmark = pytest.mark.django_db


def test_administrator_reaches_users_and_municipalities(client, cast):
    client.force_login(cast.administrator)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_municipality_changelist"),
        reverse("admin:accounts_municipality_change", args=[cast.stockholm.pk]),
    ):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["caseworker", "manager", "police", "analyst"])
def test_other_roles_are_kept_out_of_the_admin(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


CODEBOOKS = {"need", "interventiontype", "criminalgroup", "groupconflict", "agency"}


def test_no_case_content_is_registered_in_the_admin():
    registered = set(admin.site._registry)
    assert Case not in registered and Client not in registered
    case_side = {
        model._meta.model_name
        for model in registered
        if model._meta.app_label in {"agencies", "cases", "referrals", "reports", "audit"}
    }
    assert case_side == CODEBOOKS


def test_administrator_manages_the_codebooks(client, cast):
    client.force_login(cast.administrator)
    for name in ("need", "interventiontype", "criminalgroup"):
        assert client.get(reverse(f"admin:cases_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:agencies_agency_changelist")).status_code == 200


def test_administrator_cannot_open_case_content_by_url(client, cast):
    client.force_login(cast.administrator)
    response = client.get(f"/admin/cases/case/{cast.case.pk}/change/")
    assert response.status_code == 404
    assert cast.case.client.last_name not in response.content.decode()
