"""Amounts on the pages carry the reader's digit groups: "1 234 567,50" in Swedish (with
no-break spaces), "1,234,567.50" in English; the case page and a record's history alike."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases import services
from cases.models import InterventionType

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture
def intervention(cast):
    made = services.intervention_create(
        case=cast.case,
        by=cast.caseworker,
        type=InterventionType.objects.get(code="debt_counselling"),
        cost_sek=Decimal("1234567.50"),
    )
    return services.intervention_update(
        intervention=made, by=cast.caseworker, cost_sek=Decimal("2345678")
    )


def test_the_case_page_groups_the_digits_of_a_cost(client, cast, intervention):
    client.force_login(cast.caseworker)
    page = client.get(reverse("cases:detail_tab", args=[cast.case.pk, "support"]))
    text = page.content.decode()
    assert f"2{NBSP}345{NBSP}678" in text
    assert "2345678" not in text


def test_a_records_history_groups_the_digits_of_a_cost(client, cast, intervention):
    client.force_login(cast.caseworker)
    url = reverse("cases:record_history", args=[cast.case.pk, "intervention", intervention.pk])
    text = client.get(url).content.decode()
    assert f"1{NBSP}234{NBSP}567,50" in text
    assert f"2{NBSP}345{NBSP}678" in text
    assert "1234567,50" not in text


def test_an_english_reader_gets_english_digit_groups(client, cast, intervention):
    client.force_login(cast.caseworker)
    client.cookies["django_language"] = "en"
    url = reverse("cases:record_history", args=[cast.case.pk, "intervention", intervention.pk])
    text = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    assert "1,234,567.50" in text
