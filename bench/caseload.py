"""Time the caseload list against a large municipality.

    source .local/env && .venv/bin/python bench/caseload.py [--cases 50000] [--requests 200]

Steps:
1. use a database of its own, `exitprog_bench`, on the server of DATABASE_URL (created, migrated
   and loaded with the municipalities when missing);
2. seed Stockholm with N cases, their clients, threat assessments, open needs and assignments
   (bulk INSERTs in batches; only the cases missing to reach N are added, so reruns are quick);
3. time `GET /cases/` in-process with Django's test client, as a manager and as a caseworker,
   unfiltered, filtered and sorted, searched, and on page 200; print the median and the 95th
   percentile in milliseconds and the number of SQL queries of one request.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

if TYPE_CHECKING:  # the models load only after django.setup()
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
                    first_name=rnd.choice(["Ali", "Sara", "Johan", "Elin", "Omar", "Linnea"]),
                    last_name=f"Efternamn{i}",
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


SCENARIOS: list[tuple[str, str, dict[str, str | list[str]]]] = [
    ("manager, first page", "manager", {}),
    ("caseworker, first page", "caseworker", {}),
    (
        "manager, filtered and sorted",
        "manager",
        {"state": ["active", "accepted"], "need": "housing", "sort": "threat"},
    ),
    ("caseworker, own cases due", "caseworker", {"caseworker": "{me}", "due": "on"}),
    ("manager, search by name", "manager", {"q": "efternamn4711"}),
    ("manager, page 200", "manager", {"page": "200"}),
]


def measure(people: Staff, requests: int) -> list[tuple[str, float, float, int]]:
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    results = []
    for title, who, raw_params in SCENARIOS:
        user = getattr(people, who)
        params = {
            key: value.format(me=people.caseworker.pk) if isinstance(value, str) else value
            for key, value in raw_params.items()
        }
        client = HttpClient()
        client.force_login(user)
        for _ in range(5):  # warm up caches, connections and the template loader
            assert client.get("/cases/", params).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get("/cases/", params)
        queries = len(captured)  # now: the next request's start empties the query log
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/cases/", params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        p95 = statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]
        results.append((title, statistics.median(times), p95, queries))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    people = staff()
    seed(args.cases, people)
    from cases.models import Case

    print(f"{Case.objects.count()} cases in the database, {args.requests} requests each")
    print(f"{'scenario':<32} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for title, median, p95, queries in measure(people, args.requests):
        print(f"{title:<32} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
