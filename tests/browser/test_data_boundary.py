"""The data boundary in a real browser (issue 9).

A caseworker of Åre types a Göteborg client's identity number into a new inquiry: no warning,
none of that client's data, and the case opens for Åre's own new client. The administrator
cannot give itself a municipality role in the admin. Values looked for (or looked for the
absence of) carry the suffix "Kanarie4b7w".
"""

import re

from playwright.sync_api import Page, expect

from access import policy
from accounts.models import Municipality, Role, RoleGrant
from cases import services
from cases.models import AffiliationRole, Case, CriminalGroup
from tests.conftest import make_user
from tests.factories import CaseFactory, ClientFactory, synthetic_identity_number

CANARY = "Kanarie4b7w"


def test_are_caseworker_learns_nothing_of_a_goteborg_client(
    page: Page, live_server, municipalities, log_in, axe_check
):
    Municipality.objects.filter(code__in=["1480", "2321"]).update(runs_program=True)
    goteborg = Municipality.objects.get(code="1480")
    are = Municipality.objects.get(code="2321")
    gbg_manager = make_user("b9gbgchef", Role.MANAGER, municipality=goteborg)
    number = synthetic_identity_number(4242)
    gbg_client = ClientFactory(
        municipality=goteborg,
        first_name=f"{CANARY}Fornamn",
        last_name=f"{CANARY}Efternamn",
        address=f"{CANARY}gatan 7",
        protected_identity=True,
        identity_number=number,
    )
    gbg_case = CaseFactory(municipality=goteborg, client=gbg_client, created_by=gbg_manager)
    group = CriminalGroup.objects.create(name=f"{CANARY}Gruppen", kind=CriminalGroup.Kind.GANG)
    services.affiliation_add(
        case=gbg_case,
        by=gbg_manager,
        group=group,
        role=AffiliationRole.MEMBER,
        started_on=None,
        ended_on=None,
    )
    are_caseworker = make_user("b9arehandl", Role.CASEWORKER, municipality=are)

    log_in(page, are_caseworker)
    page.get_by_role("link", name="Nytt ärende").click()
    page.locator("[name=first_name]").fill("Ny")
    page.locator("[name=last_name]").fill("Åreklient")
    page.locator("[name=identity_number]").fill(f"{number[2:8]}-{number[8:]}")
    page.locator("[name=source]").select_option("police")
    page.locator("[name=reason]").fill("Socialtjänsten i Åre fick ett samtal.")
    page.locator("main form.form button[type=submit]").last.click()

    # Straight to Åre's new case: no warning, no "same person" box, nothing of Göteborg's.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ärende")
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    axe_check(page, name="boundary-are-case")
    html = page.content()
    assert CANARY not in html
    assert "Göteborg" not in html
    assert page.locator("#duplicate-warning").count() == 0
    expect(page.locator("main")).to_contain_text("Åreklient")

    case = Case.objects.select_related("client").get(client__last_name="Åreklient")
    assert case.municipality == are and case.client.municipality == are
    assert case.client.pk != gbg_client.pk
    assert not case.client.affiliations.exists()
    # Göteborg's client is as it was, and its access log shows no visit from Åre.
    gbg_client.refresh_from_db()
    assert gbg_client.first_name == f"{CANARY}Fornamn"
    assert not policy.cases_visible_to(are_caseworker).filter(pk=gbg_case.pk).exists()


def test_administrator_cannot_give_itself_a_municipality_role(
    page: Page, live_server, cast, log_in, axe_check
):
    manager_group_name = f"Chef, {cast.stockholm.name}"
    log_in(page, cast.administrator)
    page.goto(f"{live_server.url}/admin/accounts/rolegrant/add/")
    axe_check(page, name="boundary-admin-grant")
    users = page.locator("select[name=user] option").all_inner_texts()
    assert str(cast.administrator) not in users  # not offered

    # The user form offers no groups, permissions or password either.
    page.goto(f"{live_server.url}/admin/accounts/user/{cast.administrator.pk}/change/")
    expect(page.locator("input[name=username]")).to_be_visible()
    for name in ("groups", "user_permissions", "is_superuser", "password"):
        assert page.locator(f"[name={name}]").count() == 0
    assert page.locator(f"a[href*='/user/{cast.administrator.pk}/password']").count() == 0

    # A forged POST with the administrator's own id is refused with a message.
    page.goto(f"{live_server.url}/admin/accounts/rolegrant/add/")
    option = page.locator("select[name=role_group] option", has_text=manager_group_name)
    role_group_value = option.first.get_attribute("value") if option.count() else None
    if role_group_value is None:  # the group is made on first grant; make it through the service
        from accounts.roles import role_group_get_or_create

        role_group_value = str(
            role_group_get_or_create(role=Role.MANAGER, municipality=cast.stockholm).role_group.pk
        )
    with page.expect_navigation():
        page.evaluate(
            """([userId, roleGroup]) => {
            const form = document.querySelector("#rolegrant_form");
            const user = form.querySelector("select[name=user]");
            user.add(new Option("forged", userId));
            user.value = userId;
            form.querySelector("select[name=role_group]").value = roleGroup;
            form.submit();
        }""",
            [str(cast.administrator.pk), role_group_value],
        )
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    assert not RoleGrant.objects.filter(user=cast.administrator, role_group__role=Role.MANAGER)
    assert not cast.administrator.groups.filter(role_group__role=Role.MANAGER).exists()


def test_managers_pages_for_roles_and_the_access_log_pass_axe(
    page: Page, live_server, cast, log_in, axe_check
):
    """The pages this issue added for managers, at desktop and phone widths, and the
    caseload after a search (the term never in the address bar)."""
    log_in(page, cast.manager)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/municipalities/{cast.stockholm.pk}/roles/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Stockholm")
        axe_check(page, name=f"boundary-roles-{width}")
        page.goto(f"{live_server.url}/municipalities/{cast.stockholm.pk}/access-log/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Stockholm")
        axe_check(page, name=f"boundary-municipality-log-{width}")
        page.goto(f"{live_server.url}/cases/")
        number = cast.case.client.identity_number
        page.locator("[name=q]").fill(number)
        with page.expect_navigation():
            page.locator("[name=q]").press("Enter")
        assert number not in page.url and number[2:] not in page.url
        expect(page.locator("main")).to_contain_text(cast.case.reference)
        axe_check(page, name=f"boundary-caseload-search-{width}")
