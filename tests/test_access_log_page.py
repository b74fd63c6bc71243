"""The access log pages read as sentences, filter, link back to the cases, and a
municipality's managers see the whole municipality's log, refused attempts among them."""

import ast
import datetime
import html
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from access.policy import CaseAction
from accounts.models import Role
from audit import sentences
from audit.models import AccessAction, AccessLogEntry
from audit.services import access_log_record
from cases import services
from cases.models import PoliceShareEnd
from tests.conftest import make_user
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STOCKHOLM_TZ = timezone.get_default_timezone


def muni_url(municipality) -> str:
    return reverse("audit:municipality_access_log", args=[municipality.pk])


def case_log_url(case) -> str:
    return reverse("audit:case_access_log", args=[case.pk])


def page(client, user, url: str, params: dict | None = None, *, lang: str = "") -> str:
    if lang:
        client.cookies["django_language"] = lang
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def rename(user, first: str, last: str = "Lind") -> None:
    user.first_name, user.last_name = first, last
    user.save()


def at(day: str, clock: str = "12:00") -> datetime.datetime:
    naive = datetime.datetime.fromisoformat(f"{day}T{clock}")
    return timezone.make_aware(naive, STOCKHOLM_TZ())


def add(
    cast, user, detail: str, *, when=None, action=AccessAction.CHANGE, case=None, municipality=None
):
    case = case or cast.case
    return AccessLogEntry.objects.create(
        user=user,
        action=action,
        case=case,
        municipality=municipality or case.municipality,
        detail=detail,
        at=when or timezone.now(),
    )


# --- Who may read the municipality's log ---------------------------------------------------------


def test_manager_sees_every_entry_of_the_municipality(client, cast):
    rename(cast.caseworker, "Kanarie4m1v")
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    add(cast, cast.caseworker, "Kanarie4m1v-first", case=cast.case)
    add(cast, cast.caseworker, "Kanarie4m1v-second", case=other)
    malmo_case = CaseFactory(municipality=cast.malmo, created_by=cast.manager)
    add(cast, cast.outsider, "Kanarie4m1v-malmo", case=malmo_case)

    text = page(client, cast.manager, muni_url(cast.stockholm), lang="en")

    assert f"Access log of {cast.stockholm.name}" in text
    assert "Kanarie4m1v Lind changed: Kanarie4m1v-first" in text
    assert "Kanarie4m1v Lind changed: Kanarie4m1v-second" in text
    assert cast.case.reference in text and other.reference in text
    assert "Kanarie4m1v-malmo" not in text


def test_viewing_the_municipality_log_is_itself_logged(client, cast):
    text = page(client, cast.manager, muni_url(cast.stockholm), lang="en")
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.case) == (cast.manager, AccessAction.VIEW, None)
    assert entry.municipality == cast.stockholm
    assert entry.detail == "municipality access log"
    assert entry.path == muni_url(cast.stockholm)
    assert f"{cast.manager.get_full_name()} opened the municipality's access log" in text


@pytest.mark.parametrize(
    "name",
    ["caseworker", "teammate", "outsider", "police", "police_unshared", "analyst", "administrator"],
)
def test_everyone_but_the_manager_gets_404_and_is_logged(client, cast, name):
    user = getattr(cast, name)
    add(cast, cast.caseworker, "Kanarie8q2d")
    client.force_login(user)
    response = client.get(muni_url(cast.stockholm))
    assert response.status_code == 404
    assert "Kanarie8q2d" not in response.content.decode()
    denied = AccessLogEntry.objects.get(action=AccessAction.DENIED)
    assert denied.user == user
    assert denied.municipality == cast.stockholm
    assert denied.detail == "refused: municipality access log"


def test_manager_of_another_municipality_gets_404(client, cast):
    malmo_manager = make_user("mats", Role.MANAGER, municipality=cast.malmo)
    client.force_login(malmo_manager)
    assert client.get(muni_url(cast.stockholm)).status_code == 404
    assert client.get(muni_url(cast.malmo)).status_code == 200


def test_unknown_municipality_gets_404(client, cast):
    client.force_login(cast.manager)
    response = client.get(reverse("audit:municipality_access_log", args=[987654321]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(muni_url(cast.stockholm))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AccessLogEntry.objects.exists()


def test_a_refused_attempt_shows_on_the_owning_municipality_only(client, cast):
    rename(cast.outsider, "Kanarie7f3q", "Berg")
    client.force_login(cast.outsider)
    assert client.get(reverse("cases:detail", args=[cast.case.pk])).status_code == 404

    stockholm = page(client, cast.manager, muni_url(cast.stockholm))
    assert "Kanarie7f3q Berg nekades åtkomst till ärendesidan" in stockholm
    assert '<tr class="access-log__security">' in stockholm
    assert "Säkerhetshändelse" in stockholm

    malmo_manager = make_user("mats", Role.MANAGER, municipality=cast.malmo)
    malmo = page(client, malmo_manager, muni_url(cast.malmo))
    assert "Kanarie7f3q" not in malmo


def test_a_refused_look_at_the_log_is_a_security_event_on_it(client, cast):
    rename(cast.teammate, "Kanarie3z8p")
    client.force_login(cast.teammate)
    client.get(muni_url(cast.stockholm))
    text = page(client, cast.manager, muni_url(cast.stockholm), lang="en")
    assert "Kanarie3z8p Lind was refused access to the municipality's access log" in text


# --- Sentences -----------------------------------------------------------------------------------


def test_sentences_are_swedish_by_default_and_english_in_english(client, cast):
    rename(cast.caseworker, "Kanarie2b8w")
    services.journal_write(
        case=cast.case,
        by=cast.caseworker,
        occurred_on=timezone.localdate(),
        category="contact",
        text="Kanarie2b8w-text",
    )
    swedish = page(client, cast.manager, muni_url(cast.stockholm))
    assert "Kanarie2b8w Lind skrev en journalanteckning" in swedish
    assert "Kanarie2b8w-text" not in swedish  # the log names what was touched, not its content
    english = page(client, cast.manager, muni_url(cast.stockholm), lang="en")
    assert "Kanarie2b8w Lind added a journal entry" in english


def test_case_log_reads_as_sentences_too(client, cast):
    rename(cast.caseworker, "Kanarie6w2e")
    client.force_login(cast.caseworker)
    client.get(reverse("cases:detail", args=[cast.case.pk]))
    text = page(client, cast.manager, case_log_url(cast.case), lang="en")
    assert "Kanarie6w2e Lind opened the case page" in text
    sv = page(client, cast.manager, case_log_url(cast.case), lang="sv")
    assert "Kanarie6w2e Lind öppnade ärendesidan" in sv


def test_values_in_a_detail_are_shown_by_their_labels(cast):
    with translation.override("en"):
        state = sentences.sentence("change", "state completed", who="Kanarie1")
        ended = sentences.sentence("change", "police share ended: consent_expired", who="X")
        report = sentences.sentence("download", "caseload report", who="Y")
    assert state.text == "Kanarie1 changed the state to Completed" and state.known
    assert ended.text == "X ended a police share: The consent expired"
    assert report.text == "Y downloaded a report: Caseload report"
    with translation.override("sv"):
        state = sentences.sentence("change", "state completed", who="Kanarie1")
    assert state.text == "Kanarie1 ändrade status till Avslutad"


def test_the_system_has_no_name(client, cast):
    access_log_record(
        user=None,
        action=AccessAction.CHANGE,
        case=cast.case,
        detail=f"police share ended: {PoliceShareEnd.CONSENT_REVOKED}",
    )
    text = page(client, cast.manager, muni_url(cast.stockholm), lang="en")
    assert "The system ended a police share: The consent was revoked" in text


def test_an_unknown_detail_reads_as_a_generic_sentence(client, cast):
    rename(cast.caseworker, "Kanarie5t6y")
    add(cast, cast.caseworker, "Kanarie5t6y-new-detail")
    add(cast, cast.caseworker, "Kanarie5t6y-odd", action=AccessAction.DENIED)
    text = page(client, cast.manager, muni_url(cast.stockholm), lang="en")
    assert "Kanarie5t6y Lind changed: Kanarie5t6y-new-detail" in text
    assert "Kanarie5t6y Lind was refused: Kanarie5t6y-odd" in text
    described = sentences.sentence("change", "Kanarie5t6y-new-detail", who="Z")
    assert not described.known


# --- Every detail the code base writes has its sentence ------------------------------------------


@dataclass(frozen=True)
class Written:
    name: str  # "detail" or "what"
    value: str  # the literal, or an f-string's shape with {} for each value
    shape: bool
    action: str | None  # the AccessAction of the same call, where it says
    where: str


# The root packages of the import-linter contracts (pyproject.toml).
PACKAGES = (
    "exitprog",
    "accounts",
    "audit",
    "access",
    "agencies",
    "cases",
    "referrals",
    "reports",
    "dashboard",
    "demo",
    "youth",
)


def _strings(node: ast.expr) -> Iterator[tuple[str, bool]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value, False
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _strings(value)
    elif isinstance(node, ast.JoinedStr):
        shape = "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
        yield shape, True


def _action_of(call: ast.Call) -> str | None:
    for arg in [*call.args, *(k.value for k in call.keywords if k.arg == "action")]:
        if (
            isinstance(arg, ast.Attribute)
            and isinstance(arg.value, ast.Name)
            and arg.value.id == "AccessAction"
        ):
            return AccessAction[arg.attr].value
    return None


def _defaults(fn: ast.FunctionDef) -> Iterator[tuple[str, ast.expr]]:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    with_default = positional[len(positional) - len(args.defaults) :]
    for arg, default in zip(with_default, args.defaults, strict=True):
        yield arg.arg, default
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if kw_default is not None:
            yield arg.arg, kw_default


def written_in_the_code() -> list[Written]:
    """Every `detail=`/`what=` the source writes: keyword arguments, assignments to a
    variable of that name, and parameter defaults."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            where = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text(), where)):
                pairs: list[tuple[str, ast.expr, str | None]] = []
                if isinstance(node, ast.Call):
                    action = _action_of(node)
                    pairs = [(k.arg, k.value, action) for k in node.keywords if k.arg]
                elif isinstance(node, ast.Assign):
                    pairs = [
                        (t.id, node.value, None) for t in node.targets if isinstance(t, ast.Name)
                    ]
                elif isinstance(node, ast.FunctionDef):
                    pairs = [(name, value, None) for name, value in _defaults(node)]
                for name, value, action in pairs:
                    if name in ("detail", "what"):
                        for text, shape in _strings(value):
                            found.append(Written(name, text, shape, action, where))
    return found


def _known(action: str, detail: str) -> bool:
    return sentences.sentence(action, detail, who="W").known


def test_the_walk_finds_the_details_of_the_code_base():
    values = {w.value for w in written_in_the_code()}
    for expected in ("journal entry", "case page", "state {}", "access log", "report page"):
        assert expected in values
    assert len(values) > 50


def test_every_detail_written_in_the_code_has_a_sentence():
    unknown = []
    for w in written_in_the_code():
        if w.name == "what":
            # A refusal's `what` ("refused: <what>"), or the page a form view names.
            if not w.value:
                continue  # the policy puts the case action's value in its place (below)
            ok = not w.shape and _known("denied", sentences.REFUSED_PREFIX + w.value)
            ok = ok and (w.value in sentences.REFUSALS or _known("view", w.value))
        elif w.shape:
            if w.value.startswith(sentences.REFUSED_PREFIX):
                continue  # written by access_log_refusal: its `what` is checked above
            ok = any(
                p.shape == w.value and w.action in (None, p.action) for p in sentences.PATTERNS
            )
        elif w.action is not None:
            ok = _known(w.action, w.value)
        else:
            ok = any(_known(action, w.value) for action in AccessAction.values)
        if not ok:
            unknown.append(w)
    assert not unknown, f"add these to audit/sentences.py: {unknown}"


def test_every_case_action_refused_has_a_sentence():
    for action in CaseAction:
        assert _known("denied", f"refused: {action.value}"), action


def test_every_value_of_a_pattern_has_its_label():
    for pattern in sentences.PATTERNS:
        if not pattern.labels:
            continue
        app_label, model_name, field_name = pattern.labels.split(".")
        from django.apps import apps

        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert field.choices, pattern
        with translation.override("en"):
            for value, label in field.flatchoices:
                detail = f"{pattern.prefix}{value}{pattern.suffix}"
                described = sentences.sentence(pattern.action, detail, who="W")
                assert described.known and str(label) in described.text


def test_every_sentence_is_translated_to_swedish():
    every = [
        *sentences.PAGES.values(),
        *sentences.REFUSALS.values(),
        *sentences.EVENTS.values(),
        *(p.sentence for p in sentences.PATTERNS),
        *sentences.PLAIN.values(),
        *sentences.FALLBACK.values(),
        sentences.OPENED,
        sentences.REFUSED_PAGE,
        sentences.SYSTEM,
        sentences.ANONYMOUS,
    ]
    with translation.override("sv"):
        swedish = [str(s) for s in every]
    with translation.override("en"):
        english = [str(s) for s in every]
    same = [e for e, s in zip(english, swedish, strict=True) if e == s and e != "Person"]
    assert not same


# --- Filters -------------------------------------------------------------------------------------


def test_filter_by_person(client, cast):
    add(cast, cast.caseworker, "Kanarie9a1s-kim")
    add(cast, cast.teammate, "Kanarie9a1s-tove")
    params = {"person": cast.teammate.pk}
    text = page(client, cast.manager, muni_url(cast.stockholm), params)
    assert "Kanarie9a1s-tove" in text
    assert "Kanarie9a1s-kim" not in text
    # The choices are the people in the log, the chosen one kept.
    assert f'<option value="{cast.teammate.pk}" selected>' in text
    assert f"{cast.caseworker.get_full_name()} (kim)" in text
    assert "(pelle)" not in text  # not in this log


def test_filter_by_action(client, cast):
    add(cast, cast.caseworker, "Kanarie1d4f-change")
    add(cast, cast.caseworker, "Kanarie1d4f-export", action=AccessAction.EXPORT)
    text = page(client, cast.manager, muni_url(cast.stockholm), {"action": "export"})
    assert "Kanarie1d4f-export" in text
    assert "Kanarie1d4f-change" not in text


def test_filter_by_dates_takes_whole_local_days(client, cast):
    add(cast, cast.caseworker, "Kanarie2e5g-before", when=at("2025-03-09", "23:59"))
    add(cast, cast.caseworker, "Kanarie2e5g-first", when=at("2025-03-10", "00:01"))
    add(cast, cast.caseworker, "Kanarie2e5g-last", when=at("2025-03-20", "23:59"))
    add(cast, cast.caseworker, "Kanarie2e5g-after", when=at("2025-03-21", "00:01"))
    params = {"date_from": "2025-03-10", "date_to": "2025-03-20"}
    text = page(client, cast.manager, muni_url(cast.stockholm), params)
    assert "Kanarie2e5g-first" in text and "Kanarie2e5g-last" in text
    assert "Kanarie2e5g-before" not in text and "Kanarie2e5g-after" not in text
    assert 'value="2025-03-10"' in text


def test_security_events_only(client, cast):
    add(cast, cast.caseworker, "Kanarie3f6h-change")
    add(cast, cast.outsider, "refused: case page", action=AccessAction.DENIED)
    rename(cast.outsider, "Kanarie3f6h")
    text = page(client, cast.manager, muni_url(cast.stockholm), {"security_only": "on"}, lang="en")
    assert "Kanarie3f6h Lind was refused access to the case page" in text
    assert "Kanarie3f6h-change" not in text
    assert "checked" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2025-13-45"}, "Enter a valid date."),
        ({"date_to": "Kanarie0x"}, "Enter a valid date."),
        (
            {"date_from": "2025-03-20", "date_to": "2025-03-10"},
            "The last date is before the first.",
        ),
        ({"date_from": "0001-01-01"}, "Ensure this value is greater than or equal to"),
        ({"date_to": "9999-12-31"}, "Ensure this value is less than or equal to"),
        ({"person": "abc"}, "Enter a whole number."),
        ({"person": "99999999999999999999999"}, "Choose a person from the list."),
        ({"action": "Kanarie0y"}, "Select a valid choice."),
    ],
)
def test_invalid_filters_give_a_message_not_an_error(client, cast, params, message):
    add(cast, cast.caseworker, "Kanarie4g7j")
    for url in (muni_url(cast.stockholm), case_log_url(cast.case)):
        text = page(client, cast.manager, url, params, lang="en")
        assert message in text
        assert "Please correct the following" in text
        # The field in error is ignored; the log is still shown.
        assert "Kanarie4g7j" in text


def test_invalid_input_is_kept_in_the_form(client, cast):
    text = page(client, cast.manager, muni_url(cast.stockholm), {"date_from": "2025-13-45"})
    assert 'value="2025-13-45"' in text


def test_a_person_not_in_the_log_is_an_error(client, cast):
    text = page(client, cast.manager, muni_url(cast.stockholm), {"person": cast.analyst.pk})
    assert "Välj en person i listan." in text


def test_case_log_filters_too(client, cast):
    add(cast, cast.caseworker, "Kanarie5h8k-kim")
    add(cast, cast.teammate, "Kanarie5h8k-tove", action=AccessAction.VIEW)
    text = page(client, cast.manager, case_log_url(cast.case), {"action": "view"})
    assert "Kanarie5h8k-tove" in text and "Kanarie5h8k-kim" not in text
    assert "security_only" not in text  # the municipality's filter only


def test_no_match_says_so(client, cast):
    text = page(client, cast.manager, muni_url(cast.stockholm), {"action": "export"}, lang="en")
    assert "No entry matches the filters." in text


def test_pages_keep_the_filters(client, cast):
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=cast.caseworker,
            action=AccessAction.CHANGE,
            case=cast.case,
            municipality=cast.stockholm,
            detail=f"Kanarie6j9l-{i}",
        )
        for i in range(150)
    )
    text = page(client, cast.manager, muni_url(cast.stockholm), {"action": "change"}, lang="en")
    assert 'href="?action=change&page=2" rel="next"' in text
    second = page(client, cast.manager, muni_url(cast.stockholm), {"action": "change", "page": "2"})
    assert "Kanarie6j9l-0<" in second


# --- Links back to the cases ---------------------------------------------------------------------


def test_entries_link_to_the_case_the_reader_may_read(client, cast):
    add(cast, cast.caseworker, "Kanarie7k1m")
    text = page(client, cast.manager, muni_url(cast.stockholm))
    case_url = reverse("cases:detail", args=[cast.case.pk])
    assert f'<a href="{case_url}">{cast.case.reference}</a>' in text
    case_page = page(client, cast.manager, case_log_url(cast.case))
    assert f'<a href="{case_url}">{cast.case.reference}</a>' in case_page


def test_a_case_the_reader_may_no_longer_read_is_not_linked(client, cast):
    # A case that has moved to Malmö since: its older entries stay Stockholm's.
    moved = CaseFactory(municipality=cast.malmo, created_by=cast.manager)
    add(cast, cast.caseworker, "Kanarie8l2n", case=moved, municipality=cast.stockholm)
    text = page(client, cast.manager, muni_url(cast.stockholm))
    assert "Kanarie8l2n" in text
    assert moved.reference in text
    assert reverse("cases:detail", args=[moved.pk]) not in text


def test_the_case_log_links_to_the_municipality_log(client, cast):
    text = page(client, cast.manager, case_log_url(cast.case), lang="en")
    assert f'href="{muni_url(cast.stockholm)}"' in text
    assert f"The access log of all of {cast.stockholm.name}" in text


def test_the_navigation_links_managers_to_their_log(client, cast):
    text = page(client, cast.manager, reverse("home"))
    assert f'href="{muni_url(cast.stockholm)}"' in text
    for name in ("caseworker", "police", "analyst", "administrator"):
        other = page(client, getattr(cast, name), reverse("home"))
        assert "/access-log/" not in other, name


def test_a_manager_of_two_municipalities_gets_a_link_to_each(client, cast):
    from accounts import services as role_services

    role_services.role_grant(user=cast.manager, role=Role.MANAGER, municipality=cast.malmo)
    text = page(client, cast.manager, reverse("home"), lang="en")
    assert f"Access log of {cast.malmo.name}" in text
    assert f'href="{muni_url(cast.malmo)}"' in text and f'href="{muni_url(cast.stockholm)}"' in text


# --- A fixed number of queries -------------------------------------------------------------------


def fill(cast, n: int) -> None:
    """`n` entries of several people, cases, actions and refusals."""
    cases = [cast.case, *(CaseFactory(municipality=cast.stockholm) for _ in range(3))]
    people = [cast.caseworker, cast.teammate, cast.outsider, cast.police, None]
    actions = list(AccessAction)
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=people[i % len(people)],
            action=actions[i % len(actions)],
            case=cases[i % len(cases)],
            municipality=cast.stockholm,
            detail=["journal entry", "state active", "refused: case page", "x"][i % 4],
        )
        for i in range(n)
    )


def queries_of(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params", [{}, {"person": "PERSON", "action": "view", "date_from": "2020-01-01"}]
)
@pytest.mark.parametrize("which", ["municipality", "case"])
def test_pages_take_a_fixed_number_of_queries(
    client, cast, django_assert_num_queries, params, which
):
    url = muni_url(cast.stockholm) if which == "municipality" else case_log_url(cast.case)
    if "person" in params:
        params = {**params, "person": cast.caseworker.pk}
    client.force_login(cast.manager)
    fill(cast, 5)
    few = queries_of(client, url, params)
    fill(cast, 45)
    assert queries_of(client, url, params) == few
    # session, user, grants (1), municipality or (case, assignment), log insert, the people and
    # the count, the page, the header's unread notifications, session save (3)
    expected = 11 if which == "municipality" else 12
    with django_assert_num_queries(expected):
        client.get(url, params)


def test_the_case_log_leads_back_to_the_case(client, cast):
    """Issue 11: the case's access log was a dead end; it links back to the case page."""
    text = page(client, cast.manager, case_log_url(cast.case))
    back = reverse("cases:detail", args=[cast.case.pk])
    assert f'<a href="{back}">Tillbaka till ärende {cast.case.reference}</a>' in text
