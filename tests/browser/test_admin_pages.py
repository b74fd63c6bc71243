"""The administrator's admin pages in a real browser: every changelist, add and change form the
administrator uses is axe clean, at 1280 and at 375 px."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import PoliceRegion, RoleGrant, RoleGroup
from cases.models import CriminalGroup, InterventionType, Need

WIDTHS = {"wide": (1280, 900), "phone": (375, 812)}

CHANGELISTS = (
    "accounts_user",
    "accounts_rolegrant",
    "accounts_municipality",
    "accounts_policeregion",
    "accounts_rolegroup",
    "agencies_agency",
    "cases_need",
    "cases_interventiontype",
    "cases_criminalgroup",
    "cases_groupconflict",
)
ADD_FORMS = (
    "accounts_user",
    "accounts_rolegrant",
    "agencies_agency",
    "cases_need",
    "cases_interventiontype",
    "cases_criminalgroup",
    "cases_groupconflict",
)


def admin_pages(cast) -> list[tuple[str, str]]:
    """(name, path) of the pages the administrator works in."""
    changes = {
        "accounts_user": cast.caseworker.pk,
        "accounts_municipality": cast.stockholm.pk,
        "accounts_policeregion": PoliceRegion.objects.get(code="stockholm").pk,
        "accounts_rolegroup": RoleGroup.objects.order_by("pk")[0].pk,
        "agencies_agency": cast.police_agency.pk,
        "cases_need": Need.objects.order_by("pk")[0].pk,
        "cases_interventiontype": InterventionType.objects.order_by("pk")[0].pk,
    }
    group = CriminalGroup.objects.order_by("pk").first()
    if group is not None:
        changes["cases_criminalgroup"] = group.pk
    pages = [("index", reverse("admin:index"))]
    pages += [(f"{m}-list", reverse(f"admin:{m}_changelist")) for m in CHANGELISTS]
    pages += [(f"{m}-add", reverse(f"admin:{m}_add")) for m in ADD_FORMS]
    pages += [(f"{m}-change", reverse(f"admin:{m}_change", args=[pk])) for m, pk in changes.items()]
    grant = RoleGrant.objects.order_by("pk")[0]
    pages.append(
        ("accounts_rolegrant-view", reverse("admin:accounts_rolegrant_change", args=[grant.pk]))
    )
    return pages


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_administrators_admin_pages_are_axe_clean(
    page: Page, live_server, cast, log_in, axe_check, width
):
    wide, high = WIDTHS[width]
    page.set_viewport_size({"width": wide, "height": high})
    log_in(page, cast.administrator)
    for name, path in admin_pages(cast):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, f"{name}: {path}"
        expect(page.locator("#content h1, #content h2").first).to_be_visible()
        axe_check(page, name=f"admin-{name}-{width}")


def test_the_editable_cells_of_a_codebook_name_their_column_and_row(
    page: Page, live_server, cast, log_in
):
    log_in(page, cast.administrator)
    for model in ("cases_need", "cases_interventiontype"):
        page.goto(f"{live_server.url}{reverse(f'admin:{model}_changelist')}")
        expect(page.locator("#id_form-0-active")).to_have_accessible_name(re.compile(r"^Aktiv: \w"))
        expect(page.locator("#id_form-0-order")).to_have_accessible_name(re.compile(r"^\w+: \w"))
