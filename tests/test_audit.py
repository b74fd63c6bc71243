"""The append-only access log and the managers' page that shows it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts import services as role_services
from accounts.models import Role
from audit.models import AccessAction, AccessLogEntry
from audit.services import access_log_record
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def log_url(case) -> str:
    return reverse("audit:case_access_log", args=[case.pk])


def page_text(client, user, case, query: str = "") -> str:
    client.force_login(user)
    response = client.get(log_url(case) + query)
    assert response.status_code == 200
    return response.content.decode()


def fill_log(cast, n: int) -> None:
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=cast.caseworker,
            action=AccessAction.VIEW,
            case=cast.case,
            object_type="case",
            object_id=str(cast.case.pk),
            detail=f"case file {i}",
        )
        for i in range(n)
    )


# --- The page --------------------------------------------------------------------------------


def test_manager_sees_who_did_what(client, cast):
    access_log_record(
        user=cast.caseworker, action=AccessAction.VIEW, case=cast.case, detail="case file"
    )
    access_log_record(
        user=cast.caseworker,
        action=AccessAction.CHANGE,
        case=cast.case,
        obj=cast.case,
        detail="next review",
    )
    access_log_record(
        user=cast.police, action=AccessAction.DOWNLOAD, case=cast.case, detail="shared summary"
    )
    other_case = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    access_log_record(
        user=cast.teammate, action=AccessAction.VIEW, case=other_case, detail="other file"
    )

    text = page_text(client, cast.manager, cast.case)

    assert cast.case.reference in text
    assert cast.caseworker.get_full_name() in text
    assert "(kim)" in text
    assert "(polis)" in text
    for detail in ("case file", "next review", "shared summary"):
        assert detail in text
    assert f"case #{cast.case.pk}" in text
    # the other case's log is not mixed in
    assert "other file" not in text
    assert "(tove)" not in text


def test_action_labels_and_headings_are_translated(client, cast):
    access_log_record(user=cast.caseworker, action=AccessAction.DOWNLOAD, case=cast.case)
    client.cookies["django_language"] = "en"
    text = page_text(client, cast.manager, cast.case)
    assert f"Access log of case {cast.case.reference}" in text
    assert "Downloaded" in text
    assert '<th scope="col">From where</th>' in text


def test_viewing_the_log_is_itself_logged(client, cast):
    text = page_text(client, cast.manager, cast.case)
    entry = AccessLogEntry.objects.get()
    assert entry.user == cast.manager
    assert entry.action == AccessAction.VIEW
    assert entry.case == cast.case
    assert entry.detail == "access log"
    assert entry.path == log_url(cast.case)
    assert entry.ip_address == "127.0.0.1"
    assert "access log" in text
    assert "(maria)" in text


@pytest.mark.parametrize(
    "name",
    ["caseworker", "teammate", "outsider", "police", "police_unshared", "analyst", "administrator"],
)
def test_everyone_but_the_manager_gets_404(client, cast, name):
    user = getattr(cast, name)
    access_log_record(
        user=cast.caseworker, action=AccessAction.VIEW, case=cast.case, detail="case file"
    )
    client.force_login(user)
    response = client.get(log_url(cast.case))
    assert response.status_code == 404
    assert "case file" not in response.content.decode()
    # the refusal is a security event on the case, for its managers (the 404 tells nothing)
    denied = AccessLogEntry.objects.get(action=AccessAction.DENIED)
    assert denied.user == user
    assert denied.case == cast.case
    assert denied.detail == "refused: access log"


def test_manager_of_another_municipality_gets_404(client, cast):
    malmo_manager = UserFactory(username="mats")
    role_services.role_grant(user=malmo_manager, role=Role.MANAGER, municipality=cast.malmo)
    client.force_login(malmo_manager)
    assert client.get(log_url(cast.case)).status_code == 404


def test_unknown_case_gets_404(client, cast):
    client.force_login(cast.manager)
    response = client.get(reverse("audit:case_access_log", args=[cast.case.pk + 1000]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(log_url(cast.case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AccessLogEntry.objects.exists()


def test_log_is_paged_newest_first(client, cast):
    fill_log(cast, 250)
    client.cookies["django_language"] = "en"
    text = page_text(client, cast.manager, cast.case)
    assert '<nav class="pagination" aria-label="Pages of the access log">' in text
    assert "Page 1 of 3" in text
    assert 'href="?page=2" rel="next"' in text
    # 251 entries with the page's own view; the newest come first
    assert "case file 249<" in text
    assert "case file 0<" not in text
    last = page_text(client, cast.manager, cast.case, "?page=3")
    assert "Page 3 of 3" in last
    assert "case file 0<" in last


@pytest.mark.parametrize(
    ("page", "shown"),
    [("abc", 1), ("", 1), ("0", 2), ("-1", 2), ("9999", 2), ("2", 2)],
)
def test_bad_page_numbers_give_the_first_or_last_page(client, cast, page, shown):
    fill_log(cast, 150)
    client.cookies["django_language"] = "en"
    text = page_text(client, cast.manager, cast.case, f"?page={page}")
    assert f"Page {shown} of 2" in text


@pytest.mark.parametrize("entries", [3, 300])
def test_page_takes_a_fixed_number_of_queries(client, cast, entries, django_assert_num_queries):
    fill_log(cast, entries)
    client.force_login(cast.manager)
    # session, user, case, grants (1), assignment, log insert, count, page, the header's
    # unread notifications, session save (3)
    with django_assert_num_queries(12):
        response = client.get(log_url(cast.case))
    assert response.status_code == 200


def test_empty_log_explains_itself(rf, cast):
    # Opening the page logs a view first, so only the template can show an empty log.
    request = rf.get(log_url(cast.case))
    request.user = cast.manager
    with translation.override("en"):
        text = render_to_string(
            "audit/case_access_log.html",
            {"case": cast.case, "page": Paginator([], 100).get_page(1)},
            request=request,
        )
    assert "Nobody has opened or changed this case since the access log was started." in text
    assert "<table" not in text


# --- The service ---------------------------------------------------------------------------


def test_service_takes_address_agent_and_path_from_the_request(rf, cast):
    request = rf.get(
        "/cases/1/journal/?q=Svensson",
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400,
    )
    entry = access_log_record(
        user=cast.caseworker,
        action=AccessAction.EXPORT,
        case=cast.case,
        obj=cast.case,
        detail="case file as PDF",
        request=request,
    )
    entry.refresh_from_db()
    assert entry.ip_address == "10.1.2.3"
    assert entry.user_agent.startswith("Mozilla/5.0 ")
    assert len(entry.user_agent) == 300
    # the query string may hold search terms (a client's name): it is not logged
    assert entry.path == "/cases/1/journal/"
    assert entry.object_type == "case"
    assert entry.object_id == str(cast.case.pk)
    assert entry.user == cast.caseworker
    assert entry.detail == "case file as PDF"


def test_service_records_anonymous_and_system_work_without_user(rf, cast):
    anonymous = access_log_record(
        user=AnonymousUser(), action=AccessAction.DENIED, request=rf.get("/")
    )
    system = access_log_record(user=None, action=AccessAction.EXPORT, case=cast.case)
    assert anonymous.user is None
    assert system.user is None
    assert system.ip_address is None
    assert system.path == ""


def test_service_ignores_an_address_that_is_not_one(rf, cast):
    request = rf.get("/", REMOTE_ADDR="not-an-address")
    entry = access_log_record(user=cast.manager, action=AccessAction.VIEW, request=request)
    assert entry.ip_address is None


# --- Append-only in the database -----------------------------------------------------------


@pytest.fixture
def entry(cast) -> AccessLogEntry:
    return access_log_record(
        user=cast.caseworker, action=AccessAction.VIEW, case=cast.case, detail="case file"
    )


def assert_unchanged(entry: AccessLogEntry) -> None:
    stored = AccessLogEntry.objects.get(pk=entry.pk)
    assert stored.detail == "case file"
    assert stored.action == AccessAction.VIEW


def test_orm_update_is_refused(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    assert_unchanged(entry)


def test_orm_save_of_an_existing_entry_is_refused(entry):
    entry.detail = "rewritten"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    assert_unchanged(entry)


def test_orm_delete_is_refused(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()
    assert_unchanged(entry)


def test_raw_sql_update_is_refused(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_accesslogentry SET detail = %s WHERE id = %s", ["rewritten", entry.pk]
        )
    assert_unchanged(entry)


def test_raw_sql_delete_is_refused(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [entry.pk])
    assert_unchanged(entry)


def test_a_logged_case_cannot_be_deleted(entry, cast):
    with pytest.raises(ProtectedError):
        cast.case.delete()
