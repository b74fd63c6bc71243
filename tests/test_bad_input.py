"""Headers and bad input (exitprog issue 9): what a signed-in user's browser may keep, odd
usernames, charsets, header bytes and invisible characters, and long strings in PDFs."""

import shutil
import subprocess

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from audit.services import access_log_record
from cases.models import Case, JournalEntry
from exitprog.middleware import NoStoreMiddleware
from exitprog.text import clean_text
from referrals import services as referral_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LATIN_1 = "application/x-www-form-urlencoded; charset=latin-1"
UTF_16 = "application/x-www-form-urlencoded; charset=utf-16"


def _client() -> HttpClient:
    """A client that returns a 500 page instead of raising, so a test can assert on it."""
    return HttpClient(raise_request_exception=False)


def pdf_text(pdf: bytes) -> str:
    pdftotext = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    done = subprocess.run(  # noqa: S603  (a fixed command on our own bytes)
        [pdftotext, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.fixture
def referral(cast):
    return referral_services.referral_create(
        case=cast.case, by=cast.manager, agency=cast.police_agency, purpose="Kanarie7f3q"
    )


# --- 1. Cache-Control: no-store for a signed-in user -------------------------------------------


@pytest.mark.parametrize(
    ("who", "route"),
    [
        ("caseworker", "case"),
        ("caseworker", "caseload"),
        ("manager", "access_log"),
        ("caseworker", "letter"),
        ("caseworker", "home"),
    ],
)
def test_pages_for_a_signed_in_user_are_never_stored(cast, login, referral, who, route):
    url = {
        "case": reverse("cases:detail", args=[cast.case.pk]),
        "caseload": reverse("cases:caseload"),
        "access_log": reverse("audit:case_access_log", args=[cast.case.pk]),
        "letter": reverse("referrals:letter", args=[referral.pk]),
        "home": reverse("home"),
    }[route]
    response = login(getattr(cast, who)).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    if route == "letter":
        assert response["Content-Type"] == "application/pdf"


def test_an_error_page_for_a_signed_in_user_is_never_stored(cast, login):
    response = login(cast.outsider).get(reverse("cases:detail", args=[cast.case.pk]))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def _through_middleware(user, cache_control: str | None) -> HttpResponse:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("Kanarie8k2w")
        if cache_control is not None:
            response["Cache-Control"] = cache_control
        return response

    request = RequestFactory().get("/")
    request.user = user
    return NoStoreMiddleware(view)(request)


def test_a_weaker_cache_control_is_replaced_for_a_signed_in_user(db):
    response = _through_middleware(UserFactory(), "public, max-age=86400")
    assert response["Cache-Control"] == "no-store"


def test_anonymous_responses_keep_their_cache_control(db):
    assert _through_middleware(AnonymousUser(), "public, max-age=60")["Cache-Control"] == (
        "public, max-age=60"
    )
    assert not _through_middleware(AnonymousUser(), None).has_header("Cache-Control")


def test_static_files_keep_their_own_caching(cast, login):
    response = login(cast.caseworker).get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- 2. A very long username ------------------------------------------------------------------


def test_a_very_long_username_is_a_failed_login_not_a_500(db):
    client = _client()
    username = "Kanarie3p9v" + "x" * 289
    response = client.post(reverse("login"), {"username": username, "password": "wrong"})
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Counted for the lock-out like any other failure, under the name cut to what axes keeps.
    attempt = AccessAttempt.objects.get()
    assert attempt.username == username[:255]
    assert attempt.failures_since_start == 1
    client.post(reverse("login"), {"username": username, "password": "wrong"})
    assert AccessAttempt.objects.get().failures_since_start == 2


def test_repeated_very_long_usernames_are_locked_out(db):
    client = _client()
    username = "Kanarie5t1m" + "y" * 300
    statuses = [
        client.post(reverse("login"), {"username": username, "password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert statuses[:4] == [200] * 4
    assert statuses[-1] == 429


# --- 3. Charsets other than UTF-8 -------------------------------------------------------------


@pytest.mark.parametrize("content_type", [LATIN_1, UTF_16, "text/plain; charset=Windows-1252"])
def test_a_login_post_in_another_charset_is_refused_with_400(db, content_type):
    UserFactory(username="kim")
    body = "username=kim&password=wrong".encode("utf-16" if "16" in content_type else "latin-1")
    response = _client().generic("POST", reverse("login"), body, content_type=content_type)
    assert response.status_code == 400
    assert "teckenkodning" in response.content.decode()


def test_a_case_form_post_in_latin_1_is_refused_with_400(cast, login):
    client = login(cast.caseworker)
    client.raise_request_exception = False
    body = "occurred_on=2026-01-02&category=contact&text=Kanarie1b6r%E5".encode("latin-1")
    url = reverse("cases:journal_new", args=[cast.case.pk])
    response = client.generic("POST", url, body, content_type=LATIN_1)
    assert response.status_code == 400
    assert not JournalEntry.objects.filter(text__startswith="Kanarie1b6r").exists()


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "Utf8"])
def test_utf_8_in_any_spelling_is_accepted(cast, login, charset):
    client = login(cast.caseworker)
    body = "occurred_on=2026-01-02&category=contact&text=Kanarie2c7s+%C3%A5%C3%A4%C3%B6"
    url = reverse("cases:journal_new", args=[cast.case.pk])
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    response = client.generic("POST", url, body.encode(), content_type=content_type)
    assert response.status_code == 302
    assert JournalEntry.objects.get(text__startswith="Kanarie2c7s").text == "Kanarie2c7s åäö"


def test_undecodable_bytes_in_a_utf_8_body_are_refused_with_400(cast, login):
    client = login(cast.caseworker)
    client.raise_request_exception = False
    url = reverse("cases:journal_new", args=[cast.case.pk])
    body = b"occurred_on=2026-01-02&category=contact&text=Kanarie4d8u\xff\xfe"
    response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not JournalEntry.objects.filter(text__startswith="Kanarie4d8u").exists()


def test_undecodable_percent_escapes_in_a_login_post_are_refused_with_400(db):
    body = b"username=Kanarie6e9w%FF%FE&password=wrong"
    response = _client().generic(
        "POST", reverse("login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


# --- 4. NUL and control characters in headers --------------------------------------------------


def test_a_nul_in_the_user_agent_does_not_break_the_access_log(cast, login):
    client = login(cast.caseworker)
    client.raise_request_exception = False
    url = reverse("cases:detail", args=[cast.case.pk])
    response = client.get(url, HTTP_USER_AGENT="Kanarie9g4x\x00\x1b[31mAgent")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.filter(user=cast.caseworker, case=cast.case).latest("id")
    assert entry.user_agent == "Kanarie9g4x[31mAgent"


def test_a_long_user_agent_is_cut_to_the_field(cast, login):
    login(cast.caseworker).get(
        reverse("cases:detail", args=[cast.case.pk]), HTTP_USER_AGENT="Kanarie0h5y" + "z" * 400
    )
    entry = AccessLogEntry.objects.filter(user=cast.caseworker, case=cast.case).latest("id")
    assert entry.user_agent.startswith("Kanarie0h5y")
    assert len(entry.user_agent) == AccessLogEntry._meta.get_field("user_agent").max_length


def test_a_failed_login_with_a_nul_in_the_user_agent_is_still_counted(db):
    UserFactory(username="kim")
    client = _client()
    response = client.post(
        reverse("login"),
        {"username": "kim", "password": "wrong"},
        HTTP_USER_AGENT="Kanarie7j2z\x00Agent",
        HTTP_ACCEPT="text/html\x00",
    )
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get(username="kim")
    assert attempt.failures_since_start == 1
    assert attempt.user_agent == "Kanarie7j2zAgent"


def test_access_log_rows_clean_the_path_too(cast):
    request = RequestFactory().get("/")
    request.path = "/cases/Kanarie1k8a\x00\x07/"
    request.META["HTTP_USER_AGENT"] = "Agent\x00"
    entry = access_log_record(
        user=cast.caseworker, action=AccessAction.VIEW, case=cast.case, request=request
    )
    entry.refresh_from_db()
    assert entry.path == "/cases/Kanarie1k8a/"
    assert entry.user_agent == "Agent"


# --- 5. Invisible characters in free text ------------------------------------------------------

KEPT = "Åsa Öberg 😀 Лена عمر"
# Every character the cleaning removes: NUL, other controls and the bidirectional controls.
INVISIBLE = (
    "\x00\x07\x1b\x7f\x85\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def test_clean_text_removes_controls_and_bidi_and_keeps_every_script():
    assert clean_text(f"Kanarie3m6b{INVISIBLE}") == "Kanarie3m6b"
    assert clean_text(KEPT) == KEPT
    # Line breaks and tabs are text; the zero-width joiner builds emoji such as 👩‍💻.
    assert clean_text("rad ett\r\nrad\ttvå 👩\u200d💻") == "rad ett\r\nrad\ttvå 👩\u200d💻"


def test_a_new_inquiry_is_stored_without_invisible_characters(cast, login):
    client = login(cast.caseworker)
    response = client.post(
        reverse("cases:new"),
        {
            "municipality": cast.stockholm.pk,
            "first_name": "Kan\u202earie5n2c\x00",
            "last_name": KEPT,
            "reserve_identity": "Kanarie5n2c-\u2066reserv\u2069",
            "source": "self",
            "reason": "Vill \u200flämna\x00 gänget",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(client__first_name="Kanarie5n2c")
    assert case.client.last_name == KEPT
    assert case.client.reserve_identity == "Kanarie5n2c-reserv"


def test_a_journal_entry_is_stored_without_invisible_characters(cast, login):
    client = login(cast.caseworker)
    response = client.post(
        reverse("cases:journal_new", args=[cast.case.pk]),
        {
            "occurred_on": timezone.localdate().isoformat(),
            "category": "contact",
            "text": f"Kanarie6o3d\u202e\x00 {KEPT}\nrad två",
        },
    )
    assert response.status_code == 302
    entry = JournalEntry.objects.get(text__startswith="Kanarie6o3d")
    assert entry.text == f"Kanarie6o3d {KEPT}\nrad två"


def test_a_referral_purpose_is_stored_without_invisible_characters(cast, login):
    client = login(cast.caseworker)
    response = client.post(
        reverse("referrals:new", args=[cast.case.pk]),
        {"agency": cast.police_agency.pk, "purpose": "Kanarie8q1e\u202d\u061c stöd"},
    )
    assert response.status_code == 302
    assert cast.case.referrals.get().purpose == "Kanarie8q1e stöd"


def test_a_nul_in_the_login_username_is_a_plain_failed_login(db):
    UserFactory(username="kim")
    response = _client().post(reverse("login"), {"username": "ki\x00m", "password": "wrong"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="kim").failures_since_start == 1


# --- 6. Long unbroken strings in PDFs ----------------------------------------------------------

# 305 characters without a break opportunity: a pasted link, an account number, a hash.
UNBROKEN = "Kanarie2r7f" + "".join(f"{i:03d}" for i in range(98))


def test_a_long_unbroken_string_is_wrapped_not_clipped_in_the_letter(cast, login):
    referral = referral_services.referral_create(
        case=cast.case, by=cast.manager, agency=cast.police_agency, purpose=UNBROKEN
    )
    response = login(cast.caseworker).get(reverse("referrals:letter", args=[referral.pk]))
    text = pdf_text(response.content)
    assert UNBROKEN in "".join(text.split())
