"""Time the caseload list against a large municipality, beside what it could cost at least.

    source .local/env && .venv/bin/python bench/caseload.py [--cases 50000] [--requests 200]

Steps:
1. use a database of its own, `exitprog_bench`, on the server of DATABASE_URL (created, migrated
   and loaded with the municipalities when missing);
2. seed Stockholm with N cases, their clients (realistic Swedish names: the common surnames as
   often as they are in Sweden, and a long tail), threat assessments, open needs and
   assignments (bulk INSERTs in batches; only the cases missing to reach N are added);
3. for the first page, page 200 and a name search ("nilson"), time in one run:
   - the caseload (`GET /cases/` in-process with Django's test client, the manager);
   - the raw SQL of the same page (the count, the page and its caseworkers, the statements
     the caseload sends, run on a cursor);
   - that SQL rendered through the same template (the statements, then the caseload's
     template rendered with the page's context);
   - a plain Django ListView over the same visible queryset (`caseload_for`, OFFSET pages of
     50, the same columns in a table extending the same base template);
   printing the median and the 95th percentile in milliseconds and the number of queries;
4. print the plans: the name search's use of the trigram indexes, page 200's keyset index,
   and what PostgreSQL's JIT would cost these statements (it is off for the app's
   connections, `exitprog/settings.py`).
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

if TYPE_CHECKING:  # the models load only after django.setup()
    from django.test import Client as HttpClient

    from accounts.models import User

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "exitprog_bench"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/exitprog"
BATCH = 5_000
CASEWORKERS = 20
REFERENCE_PREFIX = "BENCH-"


def bench_database_url() -> str:
    """DATABASE_URL with the bench database's name, the database created when missing."""
    parts = urlsplit(os.environ.get("DATABASE_URL", DEFAULT_URL))
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, connect_timeout=5, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def setup_django() -> None:
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitprog.settings")
    # The development settings: no HTTPS redirect, no secret key needed for a local run.
    os.environ.setdefault("DJANGO_DEBUG", "true")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_municipalities", stdout=io.StringIO())
    # Measure like production: no query log kept in memory; the test client's host allowed.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The project's URLs and the plain ListView the caseload is compared with.
    settings.ROOT_URLCONF = "bench.caseload_urls"


@dataclass
class Staff:
    manager: User
    caseworker: User
    caseworkers: list[User]


def staff() -> Staff:
    """A manager and CASEWORKERS caseworkers of Stockholm; the first caseworker is timed."""
    from accounts import services as role_services
    from accounts.models import Municipality, Role, User

    stockholm = Municipality.objects.get(code="0180")

    def user(username: str, first: str, last: str, role: Role) -> User:
        found, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            found.set_unusable_password()
            found.save(update_fields=["password"])
            role_services.role_grant(user=found, role=role, municipality=stockholm)
        return found

    manager = user("bench-manager", "Maja", "Chefsdotter", Role.MANAGER)
    workers = [
        user(f"bench-caseworker-{n:02d}", "Handläggare", f"Nummer{n:02d}", Role.CASEWORKER)
        for n in range(CASEWORKERS)
    ]
    return Staff(manager=manager, caseworker=workers[0], caseworkers=workers)


def identity_number(n: int) -> str:
    from cases.identity import luhn_check_digit

    birth = 19_700_101 + (n % 28) + 100 * (n // 28 % 12) + 10_000 * (n // 336 % 35)
    nine = f"{birth % 1_000_000:06d}{n % 1000:03d}"
    return f"{birth}{nine[6:]}{luhn_check_digit(nine)}"


# The most common Swedish surnames, with about how many thousand carry each (SCB), so that a
# search meets the skew of real data: a few names are very common, most are rare.
SURNAMES = {
    "Andersson": 228, "Johansson": 226, "Karlsson": 204, "Nilsson": 155, "Eriksson": 135,
    "Larsson": 115, "Olsson": 105, "Persson": 98, "Svensson": 90, "Gustafsson": 88,
    "Pettersson": 86, "Jonsson": 64, "Jansson": 45, "Hansson": 38, "Bengtsson": 31,
    "Jönsson": 30, "Lindberg": 26, "Jakobsson": 25, "Magnusson": 25, "Olofsson": 24,
    "Lindström": 24, "Lindqvist": 23, "Lindgren": 22, "Berg": 21, "Axelsson": 21,
    "Bergström": 20, "Lundberg": 20, "Lind": 19, "Lundgren": 19, "Lundqvist": 19,
    "Mattsson": 18, "Berglund": 18, "Fredriksson": 17, "Sandberg": 17, "Henriksson": 17,
    "Forsberg": 16, "Sjöberg": 16, "Ali": 16, "Wallin": 16, "Mohamed": 15, "Engström": 15,
    "Eklund": 15, "Danielsson": 15, "Lundin": 14, "Håkansson": 14, "Björk": 14,
    "Bergman": 14, "Gunnarsson": 14, "Holm": 14, "Wikström": 14, "Samuelsson": 13,
    "Isaksson": 13, "Fransson": 13, "Bergqvist": 13, "Nyström": 13, "Holmberg": 13,
    "Arvidsson": 12, "Löfgren": 12, "Söderberg": 12, "Nyberg": 12, "Blomqvist": 12,
    "Claesson": 12, "Nordström": 11, "Ahmed": 11, "Mårtensson": 11, "Lundström": 11,
    "Hassan": 10, "Viklund": 10, "Björklund": 10, "Eliasson": 10, "Pålsson": 10,
    "Berggren": 10, "Sandström": 9, "Lund": 9, "Nordin": 9, "Ström": 9, "Åberg": 9,
    "Falk": 9, "Ekström": 9, "Hermansson": 9, "Holmgren": 9, "Hellström": 8,
    "Dahlberg": 8, "Hedlund": 8, "Sundberg": 8, "Sjögren": 8, "Ek": 8, "Blom": 8,
    "Abrahamsson": 8, "Martinsson": 8, "Öberg": 8, "Andreasson": 8, "Strömberg": 7,
    "Månsson": 7, "Hansen": 7, "Åkesson": 7, "Dahl": 7, "Lindholm": 7, "Norberg": 7,
}  # fmt: skip
# The long tail: surnames made of the usual parts (Lind-blad, Ek-holm, Berg-kvist...).
SURNAME_HEADS = [
    "Lind",
    "Ek",
    "Berg",
    "Sjö",
    "Ny",
    "Holm",
    "Alm",
    "Björk",
    "Dahl",
    "Fors",
    "Hag",
    "Lund",
    "Ros",
    "Sten",
    "Strand",
    "Wall",
]
SURNAME_TAILS = [
    "blad",
    "holm",
    "kvist",
    "gren",
    "ström",
    "berg",
    "lund",
    "man",
    "stedt",
    "by",
    "dal",
    "fors",
    "näs",
    "vall",
    "mark",
]
FIRST_NAMES = [
    "Lars", "Mikael", "Anders", "Johan", "Erik", "Per", "Karl", "Peter", "Thomas", "Daniel",
    "Fredrik", "Andreas", "Stefan", "Mohamed", "Marcus", "Jonas", "Oskar", "Alexander",
    "Niklas", "Ali", "Ahmed", "Emil", "Simon", "Viktor", "Hugo", "Liam", "Adam", "Elias",
    "Omar", "Yusuf", "Isak", "Leo", "Anna", "Eva", "Maria", "Karin", "Sara", "Lena",
    "Emma", "Malin", "Linnea", "Elin", "Hanna", "Amanda", "Sofia", "Fatima", "Amina",
    "Julia", "Ida", "Maja", "Elsa", "Ebba",
]  # fmt: skip
_SURNAME_LIST = list(SURNAMES)
_SURNAME_WEIGHTS = list(SURNAMES.values())


def surname(rnd: random.Random) -> str:
    """A surname as they come in Sweden: the common ones two times in three, else the tail."""
    if rnd.random() < 2 / 3:
        return rnd.choices(_SURNAME_LIST, weights=_SURNAME_WEIGHTS)[0]
    return rnd.choice(SURNAME_HEADS) + rnd.choice(SURNAME_TAILS)


def batches(start: int, stop: int) -> Iterator[range]:
    for low in range(start, stop, BATCH):
        yield range(low, min(low + BATCH, stop))


def seed(n_cases: int, people: Staff) -> None:
    """Add the Stockholm cases missing to reach n_cases, in batches of BATCH."""
    import datetime

    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Municipality
    from cases.models import (
        OPEN_STATES,
        Case,
        CaseNeed,
        CaseState,
        CaseUserObjectPermission,
        Client,
        Need,
        ThreatAssessment,
    )

    stockholm = Municipality.objects.get(code="0180")
    have = Case.objects.filter(reference__startswith=REFERENCE_PREFIX).count()
    if have >= n_cases:
        print(f"{have} cases already seeded")
        return
    today = timezone.localdate()
    work = Permission.objects.get(content_type__app_label="cases", codename="work_case")
    needs = list(Need.objects.filter(active=True))
    states = [s.value for s in CaseState]
    open_states = [s.value for s in CaseState if s in OPEN_STATES]
    started = time.perf_counter()
    for numbers in batches(have, n_cases):
        rnd = random.Random(numbers.start)
        with transaction.atomic():
            clients = Client.objects.bulk_create(
                Client(
                    municipality=stockholm,
                    first_name=rnd.choice(FIRST_NAMES),
                    last_name=surname(rnd),
                    identity_number=identity_number(i),
                    protected_identity=i % 50 == 0,
                )
                for i in numbers
            )
            cases = Case.objects.bulk_create(
                Case(
                    reference=f"{REFERENCE_PREFIX}{i:07d}",
                    client=client,
                    municipality=stockholm,
                    # Most cases of a long-running program are closed.
                    state=rnd.choice(open_states) if rnd.random() < 0.4 else rnd.choice(states),
                    opened_on=today - datetime.timedelta(days=rnd.randrange(3650)),
                    next_review_on=(
                        today + datetime.timedelta(days=rnd.randrange(-60, 120))
                        if rnd.random() < 0.8
                        else None
                    ),
                    created_by=people.manager,
                )
                for i, client in zip(numbers, clients, strict=True)
            )
            CaseUserObjectPermission.objects.bulk_create(
                CaseUserObjectPermission(
                    content_object=case,
                    user=rnd.choice(people.caseworkers),
                    permission=work,
                )
                for case in cases
                if rnd.random() < 0.7
            )
            ThreatAssessment.objects.bulk_create(
                ThreatAssessment(
                    case=case,
                    level=rnd.randrange(5),
                    source="own",
                    assessed_on=today - datetime.timedelta(days=rnd.randrange(1000)),
                    recorded_by=people.manager,
                )
                for case in cases
                for _ in range(rnd.choice([0, 0, 1, 1, 2]))
            )
            CaseNeed.objects.bulk_create(
                CaseNeed(
                    case=case,
                    need=need,
                    identified_on=today - datetime.timedelta(days=rnd.randrange(400)),
                )
                for case in cases
                for need in rnd.sample(needs, rnd.choice([0, 1, 1, 2, 3]))
            )
        print(f"seeded {numbers.stop} cases", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would, before the planner sees the new rows
    print(f"seeded {n_cases - have} cases in {time.perf_counter() - started:.1f} s")


PAGE_SIZE = 50
DEEP_PAGE = 200
SEARCH = "nilson"  # a misspelt Nilsson, the fourth most common surname


@dataclass
class Scenario:
    title: str
    app_url: str  # the caseload's page
    list_url: str  # the ListView's page of the same rows
    search: str = ""  # posted first: the caseload shows it at ?search=<token> of the session

    def url_for(self, client: HttpClient) -> str:
        if not self.search:
            return self.app_url
        return str(client.post("/cases/", {"q": self.search, "scope": "all"})["Location"])


@dataclass
class Figures:
    median: float
    p95: float
    queries: int


def percentiles(times: list[float]) -> tuple[float, float]:
    p95 = statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]
    return statistics.median(times), p95


def timed(run: Callable[[], object], requests: int) -> tuple[float, float, int]:
    """Median and p95 in ms of `run` after 5 warm-ups, and the queries of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm up caches, connections and the template loader
        run()
    with CaptureQueriesContext(connection) as captured:
        run()
    queries = len(captured)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    median, p95 = percentiles(times)
    return median, p95, queries


def page_statements(client: HttpClient, url: str) -> tuple[list[str], dict[str, Any]]:
    """The data statements one caseload request sends (the count, the page, its caseworkers),
    with their values in place, and the context the view rendered its template with."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import cases.views.caseload as view

    captured: dict[str, Any] = {}
    original = view.render

    def capture(request: Any, template_name: str, context: dict[str, Any]) -> Any:
        captured.update(request=request, template_name=template_name, context=context)
        return original(request, template_name, context)

    view.render = capture  # type: ignore[assignment]
    try:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
    finally:
        view.render = original
    wanted = ('SELECT COUNT(*) AS "__count" FROM "cases_case"', 'SELECT "cases_case"."id"')
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(wanted)
        or (
            q["sql"].startswith('SELECT "cases_caseuserobjectpermission".')
            and '"content_object_id" IN (' in q["sql"]
        )
    ]
    assert len(statements) == 3, statements
    return statements, captured


def run_statements(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def explain(sql: str, *, jit: bool = False) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {'on' if jit else 'off'}")
        try:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("RESET jit")


def jit_ms(plan: list[str]) -> float:
    """The time PostgreSQL's JIT took for a statement (0 when it did not compile)."""
    for line in plan:
        if "Timing:" in line and "Total" in line:
            return float(line.rsplit("Total", 1)[1].split()[0])
    return 0.0


def scenarios(people: Staff) -> list[Scenario]:
    """The first page, page 200 and the name search, each as the caseload and as a ListView."""
    from django.utils import timezone

    from cases.selectors import CaseloadFilters, caseload_for

    ordered = caseload_for(
        user=people.manager,
        filters=CaseloadFilters(),
        today=timezone.localdate(),
        due_within_days=14,
    )
    # The case the 200th page starts after (found once with OFFSET; the page itself has none).
    after = ordered.values_list("pk", flat=True)[(DEEP_PAGE - 1) * PAGE_SIZE - 1]
    return [
        Scenario("first page", "/cases/?scope=all", "/bench/plain/"),
        Scenario(
            f"page {DEEP_PAGE}",
            f"/cases/?scope=all&after={after}",
            f"/bench/plain/?page={DEEP_PAGE}",
        ),
        Scenario(f'name search "{SEARCH}"', "", f"/bench/plain/?q={SEARCH}", search=SEARCH),
    ]


def measure(people: Staff, requests: int) -> list[tuple[str, str, Figures]]:
    from django.template.loader import render_to_string
    from django.test import Client as HttpClient

    results: list[tuple[str, str, Figures]] = []
    for scenario in scenarios(people):
        client = HttpClient()
        client.force_login(people.manager)
        url = scenario.url_for(client)
        app = client.get(url)
        assert app.status_code == 200 and app.content.count(b'<th scope="row">') == PAGE_SIZE
        figures = timed(functools.partial(client.get, url), requests)
        results.append((scenario.title, "caseload", Figures(*figures)))

        statements, view = page_statements(client, url)
        figures = timed(functools.partial(run_statements, statements), requests)
        results.append((scenario.title, "raw SQL of the page", Figures(*figures)))

        def sql_and_template(statements: list[str] = statements, view: dict = view) -> None:
            run_statements(statements)
            render_to_string(view["template_name"], view["context"], request=view["request"])

        figures = timed(sql_and_template, requests)
        results.append((scenario.title, "that SQL + the template", Figures(*figures)))

        listing = HttpClient()
        listing.force_login(people.manager)
        plain = listing.get(scenario.list_url)
        assert plain.status_code == 200 and plain.content.count(b'<th scope="row">') == PAGE_SIZE
        figures = timed(functools.partial(listing.get, scenario.list_url), requests)
        results.append((scenario.title, "plain ListView", Figures(*figures)))

        caseworker = HttpClient()
        caseworker.force_login(people.caseworker)
        if scenario.title == "first page":
            figures = timed(functools.partial(caseworker.get, "/cases/?scope=mine"), requests)
            results.append(
                (scenario.title, "caseload, a caseworker's own cases", Figures(*figures))
            )
    return results


def plans(people: Staff) -> None:
    """What PostgreSQL does with the search and page 200, and what JIT would add to them."""
    from django.db import connection
    from django.test import Client as HttpClient

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        print(f"\nJIT for the app's connections: {cursor.fetchone()[0]}")
    for scenario in scenarios(people):
        client = HttpClient()
        client.force_login(people.manager)
        statements, _view = page_statements(client, scenario.url_for(client))
        count_sql, page_sql = statements[0], statements[1]
        plan = explain(page_sql)
        indexes = sorted(
            {
                word
                for line in plan
                for word in line.replace("(", " ").split()
                if word.endswith(("_idx", "_trgm", "_pkey")) or word.startswith("cases_case_")
            }
        )
        seq = [line.strip() for line in plan if "Seq Scan" in line]
        print(f"\n{scenario.title}: indexes used by the page: {', '.join(indexes) or 'none'}")
        for line in seq:
            print(f"  sequential: {line}")
        if "search" in scenario.title:
            print("  the search's plan (page statement):")
            for line in plan:
                if any(k in line for k in ("trgm", "Bitmap", "Recheck", "Index Cond")):
                    print(f"    {line.rstrip()}")
        on = [jit_ms(explain(sql, jit=True)) for sql in (count_sql, page_sql)]
        print(f"  with jit=on PostgreSQL would spend {sum(on):.1f} ms compiling (count, page)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    people = staff()
    seed(args.cases, people)
    from cases.models import Case, Client

    nilssons = Client.objects.filter(last_name="Nilsson").count()
    print(
        f"{Case.objects.count()} cases in the database ({nilssons} clients named Nilsson), "
        f"{args.requests} requests each"
    )
    results = measure(people, args.requests)
    print(f"\n{'page':<24} {'measured':<36} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for title, what, f in results:
        print(f"{title:<24} {what:<36} {f.median:>10.1f} {f.p95:>8.1f} {f.queries:>8}")
    by = {(title, what): f for title, what, f in results}
    first = by[("first page", "caseload")]
    floor = by[("first page", "that SQL + the template")]
    plain = by[("first page", "plain ListView")]
    deep = by[(f"page {DEEP_PAGE}", "caseload")]
    print(
        f"\nfirst page / (SQL + template): {first.median / floor.median:.2f}x (goal: at most 2x); "
        f"/ ListView: {first.median / plain.median:.2f}x (goal: under 1); "
        f"page {DEEP_PAGE} / first page: {deep.median / first.median:.2f}x (goal: about 1)"
    )
    plans(people)


if __name__ == "__main__":
    main()
