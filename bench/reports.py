"""Time the case follow-up report: one render in-process, and a real worker's throughput.

    source .local/env && .venv/bin/python bench/reports.py [--renders 20] [--reports 200]

Steps:
1. use a database of its own, `exitprog_bench_reports`, on the server of DATABASE_URL
   (created, migrated and loaded with the municipalities when missing);
2. build CASES Stockholm cases with a year of records each (only the missing ones, so reruns
   are quick): a case opened on 3 November 2025 and completed on 30 October 2026, with a
   motivation assessment every month, about four journal entries a week of a few paragraphs
   each (some correcting an earlier one), 10 interventions with costs, 10 referrals with every
   timestamp, threat assessments, needs, a plan and the follow-ups scheduled at its end;
3. (a) render the first case's follow-up report in this process through
   `reports.services.report_render`, on fresh report rows, 2 warm-ups first: `--renders`
   times for a month (October 2026, the periodic report's default period) and
   `--year-renders` times for the whole year; print the median and the 95th percentile in
   seconds, the PDF's pages and size;
4. (b) start a real Celery worker (one prefork process, so one core) on a queue of its own,
   send `--reports` monthly follow-up reports (the CASES cases times the 12 months of the
   year, newest month first: no two are the same report), and time until all are made:
   reports per second and seconds per report.

Target: under 1 s per report on one core.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

if TYPE_CHECKING:  # the models load only after django.setup()
    from accounts.models import User
    from cases.models import Case
    from reports.periods import Period

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "exitprog_bench_reports"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/exitprog"
REFERENCE_PREFIX = "BENCH-R-"
CASES = 20
OPENED = datetime.date(2025, 11, 3)
COMPLETED = datetime.date(2026, 10, 30)
YEAR_START = datetime.date(2025, 11, 1)
YEAR_END = datetime.date(2026, 10, 31)
TARGET_SECONDS = 1.0
STOCKHOLM = ZoneInfo("Europe/Stockholm")


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


def setup_django(report_root: Path) -> str:
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["EXITPROG_REPORT_ROOT"] = str(report_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitprog.settings")
    # The development settings: no secret key needed for a local run.
    os.environ.setdefault("DJANGO_DEBUG", "true")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_municipalities", stdout=io.StringIO())
    settings.DEBUG = False  # measure like production: no query log kept in memory
    return url


# --- The records of a year -------------------------------------------------------------------

SENTENCES = [
    "Klienten beskriver att veckan har varit lugn och att han har hållit sig borta från området.",
    "Vi gick igenom budgeten för månaden och de skulder som ligger hos Kronofogden.",
    "Klienten har varit på sin praktikplats alla dagar och handledaren är nöjd.",
    "Han berättar att en tidigare bekant från gruppen har hört av sig via sociala medier.",
    "Vi pratade om hur han kan svara om kontakten fortsätter och vem han då ringer.",
    "Kontaktpolisen har inga nya uppgifter om hot mot klienten sedan förra avstämningen.",
    "Klienten uppger att sömnen har blivit bättre sedan han började på traumabehandlingen.",
    "Mamman deltog i en del av samtalet och beskrev att relationen hemma har blivit bättre.",
    "Drogtestet som togs i förra veckan var negativt enligt provsvaret.",
    "Vi planerade nästa steg i boendet: ansökan om förstahandskontrakt skickas i månaden.",
    "Klienten var orolig inför rättegången och vi gick igenom vad som händer den dagen.",
    "Arbetsförmedlingen har bekräftat att han kan börja på det förberedande programmet.",
    "Han har själv tagit kontakt med budget- och skuldrådgivningen och fått en tid.",
    "Samtalet handlade mest om framtiden och vad han vill göra om ett år.",
    "Klienten kom tjugo minuter för sent men var väl förberedd och engagerad.",
    "Vi stämde av säkerhetsplanen; inga ändringar behövs i nuläget.",
    "Psykiatrin har skickat en sammanfattning av bedömningen med samtycke från klienten.",
    "Klienten har börjat träna på gymmet tre kvällar i veckan tillsammans med sin mentor.",
    "Han uttrycker att det är svårt att ha så lite pengar men att han inte vill tillbaka.",
    "Överenskommet att nästa möte blir ett trepartssamtal med socialtjänsten.",
    "Klienten visade brev från Försäkringskassan som vi gick igenom tillsammans.",
    "Vi diskuterade risken med att röra sig i centrum på kvällarna under helgerna.",
    "Han har fått besked om studieplats på komvux till hösten och är glad över det.",
    "Handläggaren har haft kontakt med frivården om villkoren under övervakningen.",
]
PLAN = (
    "Målet för insatsen är att klienten lämnar nätverket, lever ett liv utan brott och får "
    "ett eget boende, en sysselsättning och ordning på sin ekonomi.\n\n"
    "Första halvåret: skyddat boende utanför kommunen, säkerhetsplan tillsammans med polisen, "
    "kontakt med psykiatrin för utredning av sömnproblem och oro, samt budget- och "
    "skuldrådgivning.\n\n"
    "Andra halvåret: stöd till arbete via Arbetsförmedlingen, mentor två gånger i veckan, "
    "ansökan om eget kontrakt och planering för avslut med uppföljning efter 3, 6, 12 och "
    "24 månader."
)
AGENCIES = [
    ("Kriminalvården", "prison_probation"),
    ("Arbetsförmedlingen", "employment"),
    ("Försäkringskassan", "social_insurance"),
    ("Kronofogden", "enforcement"),
    ("Region Stockholm, Psykiatri", "psychiatry"),
    ("Region Skåne, Beroendevård", "addiction_care"),
    ("Bostadsbolaget Tallen", "housing"),
    ("Föreningen Vägen Ut (exempel)", "ngo"),
]
CATEGORIES = ["contact", "contact", "meeting", "collaboration", "safety", "decision", "other"]
STAGES = ["precontemplation", "contemplation", "preparation", "action", "maintenance"]


def paragraphs(rng: random.Random, count: int) -> str:
    return "\n\n".join(" ".join(rng.sample(SENTENCES, rng.randint(3, 5))) for _ in range(count))


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def staff() -> tuple[User, list[User]]:
    """A manager and three caseworkers of Stockholm."""
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
        user(f"bench-caseworker-{n}", "Handläggare", f"Nummer{n}", Role.CASEWORKER)
        for n in range(3)
    ]
    return manager, workers


def identity_number(n: int) -> str:
    """A made-up personal identity number, valid by checksum (birth numbers 980-999)."""
    from cases.identity import luhn_check_digit

    birth = datetime.date(1998, 1, 1) + datetime.timedelta(days=37 * n)
    nine = f"{birth:%y%m%d}{980 + n % 20}"
    return f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}"


def build_case(n: int, manager: User, workers: list[User]) -> None:
    """One case and its year of records; `n` seeds the random choices."""
    from django.db import transaction
    from django.utils import timezone

    from access import policy
    from accounts.models import Municipality
    from agencies.models import Agency
    from cases.identity import identity_pseudonym
    from cases.models import (
        AssessmentCriterionCheck,
        AssessmentScore,
        Case,
        CaseNeed,
        CaseState,
        CaseStateChange,
        Client,
        FollowUp,
        Instrument,
        Intervention,
        InterventionType,
        JournalEntry,
        MotivationAssessment,
        Need,
        ThreatAssessment,
    )
    from records.models import CasePlan, PlanGoal
    from referrals.models import Referral, ReferralEvent
    from reports.periods import add_months

    rng = random.Random(n)
    stockholm = Municipality.objects.get(code="0180")
    agencies = [
        Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in AGENCIES
    ]
    instrument = Instrument.objects.prefetch_related("items", "criteria").get(
        code="motivation", is_current=True
    )
    items = list(instrument.items.all())
    criteria = list(instrument.criteria.all())
    with transaction.atomic():
        client = Client.objects.create(
            municipality=stockholm,
            first_name=rng.choice(["Ali", "Johan", "Omar", "Elias", "Hugo", "Rami"]),
            last_name=f"Benchsson{n}",
            identity_number=identity_number(n),
            pseudonym=identity_pseudonym(identity_number(n)),
        )
        case = Case.objects.create(
            reference=f"{REFERENCE_PREFIX}{n:04d}",
            client=client,
            municipality=stockholm,
            state=CaseState.COMPLETED,
            opened_on=OPENED,
            closed_on=COMPLETED,
            source="police",
            created_by=manager,
        )
        plan = CasePlan.objects.create(
            case=case,
            version=1,
            written_by=manager,
            written_at=timezone.make_aware(datetime.datetime.combine(OPENED, datetime.time(9))),
            next_review_on=COMPLETED,
        )
        PlanGoal.objects.create(plan=plan, order=1, goal=PLAN, responsible=manager)
        for worker in workers[:2]:
            policy.case_grant_assignment(case=case, user=worker)
        path = [
            ("", CaseState.INQUIRY, OPENED, "Kontakt via polisen; förhandsbedömning inleds."),
            (CaseState.INQUIRY, CaseState.ASSESSMENT, datetime.date(2025, 11, 5), "Utredning."),
            (
                CaseState.ASSESSMENT,
                CaseState.ACCEPTED,
                datetime.date(2025, 11, 20),
                "Kriterierna är uppfyllda.",
            ),
            (CaseState.ACCEPTED, CaseState.ACTIVE, datetime.date(2025, 12, 1), "Insatser börjar."),
            (CaseState.ACTIVE, CaseState.COMPLETED, COMPLETED, "Målen i planen är uppnådda."),
        ]
        CaseStateChange.objects.bulk_create(
            CaseStateChange(
                case=case, from_state=a, to_state=b, at=at(day, 10), by=manager, reason=why
            )
            for a, b, day, why in path
        )
        # A motivation assessment every month, motivation growing over the year.
        level = 0.5
        for month in range(12):
            day = add_months(datetime.date(2025, 11, 10), month)
            level = min(4.0, level + rng.uniform(0.1, 0.5))
            scores = {
                item.pk: max(0, min(item.max_score, round(level + rng.uniform(-1, 1))))
                for item in items
            }
            met = level >= 2
            assessment = MotivationAssessment.objects.create(
                case=case,
                instrument=instrument,
                assessed_on=day,
                assessor=rng.choice(workers),
                stage=STAGES[min(4, int(level))],
                total_score=sum(scores.values()),
                criteria_met=met,
                recommendation="continue" if met else "reassess",
                notes=paragraphs(rng, 1),
            )
            AssessmentScore.objects.bulk_create(
                AssessmentScore(assessment=assessment, item_id=pk, score=score)
                for pk, score in scores.items()
            )
            AssessmentCriterionCheck.objects.bulk_create(
                AssessmentCriterionCheck(
                    assessment=assessment, criterion=c, met=met or rng.random() < 0.7
                )
                for c in criteria
            )
        ThreatAssessment.objects.bulk_create(
            ThreatAssessment(
                case=case,
                level=threat,
                source=source,
                assessed_on=day,
                note=paragraphs(rng, 1),
                recorded_by=manager,
            )
            for threat, source, day in [
                (3, "police", datetime.date(2025, 11, 4)),
                (3, "own", datetime.date(2026, 1, 15)),
                (2, "police", datetime.date(2026, 3, 20)),
                (2, "own", datetime.date(2026, 6, 1)),
                (1, "police", datetime.date(2026, 8, 25)),
                (1, "own", datetime.date(2026, 10, 20)),
            ]
        )
        needs = list(Need.objects.filter(active=True).order_by("order"))
        CaseNeed.objects.bulk_create(
            CaseNeed(
                case=case,
                need=need,
                identified_on=datetime.date(2025, 11, 20),
                resolved_on=add_months(datetime.date(2026, 2, 1), i) if i % 2 else None,
                note=rng.choice(SENTENCES)[:300],
            )
            for i, need in enumerate(rng.sample(needs, 6))
        )
        types = list(InterventionType.objects.filter(active=True))
        statuses = ["completed"] * 6 + ["ongoing"] * 2 + ["cancelled", "planned"]
        interventions = []
        for i, (kind, status) in enumerate(zip(rng.sample(types, 10), statuses, strict=True)):
            start = datetime.date(2025, 11, 24) + datetime.timedelta(days=30 * i)
            end = start + datetime.timedelta(days=rng.randint(30, 150))
            started = status in ("completed", "ongoing")
            interventions.append(
                Intervention(
                    case=case,
                    type=kind,
                    provider=rng.choice([None, *agencies]),
                    planned_start=start,
                    planned_end=end,
                    actual_start=start + datetime.timedelta(days=rng.randint(0, 7))
                    if started
                    else None,
                    actual_end=end if status == "completed" else None,
                    status=status,
                    cost_sek=Decimal(rng.randrange(2_000, 400_000, 500)),
                    outcome=rng.choice(["achieved", "partly", "not_achieved"])
                    if status == "completed"
                    else "",
                    outcome_note=paragraphs(rng, 1) if status == "completed" else "",
                    created_by=rng.choice(workers),
                )
            )
        Intervention.objects.bulk_create(interventions)
        # Referrals: four completed, two started, one accepted, one declined, one
        # acknowledged and one sent without an answer; every step an event.
        flows = [
            ["sent", "acknowledged", "accepted", "started", "completed"],
        ] * 4 + [
            ["sent", "acknowledged", "accepted", "started"],
            ["sent", "acknowledged", "accepted", "started"],
            ["sent", "acknowledged", "accepted"],
            ["sent", "acknowledged", "declined"],
            ["sent", "acknowledged"],
            ["sent"],
        ]
        for i, flow in enumerate(flows):
            created = at(datetime.date(2025, 11, 17) + datetime.timedelta(days=33 * i), 9)
            moments = {}
            moment = created
            for state in flow:
                moment += datetime.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 6))
                moments[state] = moment
            referral = Referral.objects.create(
                case=case,
                agency=agencies[i % len(agencies)],
                state=flow[-1],
                purpose=paragraphs(rng, 1),
                answer_note=rng.choice(SENTENCES) if len(flow) > 2 else "",
                created_by=rng.choice(workers),
                **{f"{state}_at": moment for state, moment in moments.items()},
            )
            Referral.objects.filter(pk=referral.pk).update(created_at=created)
            previous = "draft"
            events = []
            for state, moment in moments.items():
                events.append(
                    ReferralEvent(
                        referral=referral,
                        from_state=previous,
                        to_state=state,
                        at=moment,
                        by=manager,
                    )
                )
                previous = state
            ReferralEvent.objects.bulk_create(events)
        # About four journal entries a week, on weekdays; a few correct an earlier entry.
        entries = []
        week = OPENED
        while week <= COMPLETED:
            for weekday in sorted(rng.sample(range(5), 4)):
                day = week + datetime.timedelta(days=weekday)
                if day > COMPLETED:
                    continue
                entries.append(
                    JournalEntry(
                        case=case,
                        author=rng.choice(workers),
                        occurred_on=day,
                        written_at=at(day, rng.randint(9, 16), rng.randint(0, 59)),
                        category=rng.choice(CATEGORIES),
                        text=paragraphs(rng, rng.randint(2, 4)),
                    )
                )
            week += datetime.timedelta(days=7)
        JournalEntry.objects.bulk_create(entries)
        corrections = []
        for entry in rng.sample(entries, len(entries) // 40):
            corrections.append(
                JournalEntry(
                    case=case,
                    author=entry.author,
                    occurred_on=entry.occurred_on,
                    written_at=entry.written_at + datetime.timedelta(days=1),
                    category=entry.category,
                    text="Rättelse: " + paragraphs(rng, 1),
                    corrects=entry,
                )
            )
        JournalEntry.objects.bulk_create(corrections)
        FollowUp.objects.bulk_create(
            FollowUp(case=case, months=months, due_on=add_months(COMPLETED, months))
            for months in (3, 6, 12, 24)
        )


def bench_cases() -> list[Case]:
    """The CASES bench cases, those missing built first."""
    from cases.models import Case

    have = set(
        Case.objects.filter(reference__startswith=REFERENCE_PREFIX).values_list(
            "reference", flat=True
        )
    )
    missing = [n for n in range(CASES) if f"{REFERENCE_PREFIX}{n:04d}" not in have]
    if missing:
        manager, workers = staff()
        started = time.perf_counter()
        for n in missing:
            build_case(n, manager, workers)
        print(f"built {len(missing)} cases in {time.perf_counter() - started:.1f} s")
    return list(
        Case.objects.filter(reference__startswith=REFERENCE_PREFIX)
        .select_related("municipality")
        .order_by("reference")
    )


# --- Measuring -------------------------------------------------------------------------------


def new_reports(pairs: list[tuple[Case, Period]], *, by: User | None) -> list[int]:
    """Report rows (pending, no task sent) for each (case, period); their ids."""
    from django.conf import settings

    from reports.models import AUDIENCE_OF_KIND, Report, ReportKind

    kind = ReportKind.CASE_FOLLOW_UP
    rows = Report.objects.bulk_create(
        Report(
            kind=kind,
            audience=AUDIENCE_OF_KIND[kind],
            case=case,
            municipality=case.municipality,
            period_start=period.start,
            period_end=period.end,
            requested_by=by,
            language=settings.LANGUAGE_CODE,
        )
        for case, period in pairs
    )
    return [row.pk for row in rows]


def pdf_pages(path: Path) -> str:
    try:
        result = subprocess.run(  # noqa: S603
            ["/usr/bin/pdfinfo", str(path)], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    for line in result.stdout.splitlines():
        if line.startswith("Pages:"):
            return line.split()[1]
    return "?"


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]


def measure_in_process(case: Case, period: Period, renders: int, by: User) -> None:
    from reports.models import report_storage
    from reports.services import report_render

    times, cpu = [], []
    report = None
    for i, report_id in enumerate(new_reports([(case, period)] * (renders + 2), by=by)):
        started, started_cpu = time.perf_counter(), time.process_time()
        report = report_render(report_id=report_id)
        if i >= 2:  # two warm-ups: templates, fonts and the first queries
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    assert report is not None and report.size is not None
    pages = pdf_pages(Path(report_storage.path(str(report.file.name))))
    median = statistics.median(times)
    print(
        f"{period!s:<24} {renders:>7} {median:>9.2f} {p95(times):>7.2f} "
        f"{statistics.median(cpu):>7.2f} {pages:>6} {report.size / 1024:>8.0f} kB  "
        f"{'ok' if median < TARGET_SECONDS else 'OVER'} (target: under {TARGET_SECONDS:.0f} s)"
    )


def measure_worker(
    cases: list[Case], reports: int, database_url: str, report_root: Path, log: Path
) -> None:
    from django.conf import settings
    from django.db import transaction

    from exitprog.celery import app
    from outbox.services import outbox_put
    from reports.models import Report, ReportState
    from reports.periods import Period, add_months
    from reports.services import RENDER_TASK
    from tests.worker import CeleryWorker, child_pids, worker_environment

    months = [Period.month(d.year, d.month) for d in (add_months(YEAR_END, -k) for k in range(12))]
    pairs = [(case, month) for month in months for case in cases][:reports]
    if len(pairs) < reports:
        raise SystemExit(f"--reports: at most {len(cases) * len(months)}")
    queue = f"bench-{uuid.uuid4().hex[:12]}"
    worker = CeleryWorker(
        queue=queue,
        report_root=report_root,
        log_path=log,
        env=worker_environment(database_url=database_url, report_root=report_root, queue=queue),
    )
    worker.start()
    app.conf.task_default_queue = queue
    try:
        ids = new_reports(pairs, by=None)
        started = time.perf_counter()
        with transaction.atomic():  # one outbox job per report, sent after the commit
            for report_id in ids:
                outbox_put(RENDER_TASK, report_id)
        peak_kb = 0
        cpu_ticks: dict[int, int] = {}  # the CPU time of each pool process, last seen
        unfinished = Report.objects.filter(pk__in=ids).exclude(
            state__in=(ReportState.READY, ReportState.FAILED)
        )
        while unfinished.exists():
            for pid in child_pids(worker.pid):
                peak_kb = max(peak_kb, vm_hwm_kb(pid))
                cpu_ticks[pid] = max(cpu_ticks.get(pid, 0), cpu_ticks_of(pid))
            if time.perf_counter() - started > 60 * 60:
                raise SystemExit("gave up after an hour")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        worker.stop()
    done = Report.objects.filter(pk__in=ids)
    failed = done.filter(state=ReportState.FAILED).count()
    renders = [
        (r.finished_at - r.started_at).total_seconds()
        for r in done.filter(state=ReportState.READY)
        if r.finished_at and r.started_at
    ]
    per_report = elapsed / len(ids)
    print(
        f"{len(ids)} reports in {elapsed:.1f} s: {len(ids) / elapsed:.2f} reports/s, "
        f"{per_report:.2f} s per report ({'ok' if per_report < TARGET_SECONDS else 'OVER'} "
        f"the target of {TARGET_SECONDS:.0f} s); {failed} failed"
    )
    cpu_per_report = sum(cpu_ticks.values()) / os.sysconf("SC_CLK_TCK") / len(ids)
    print(
        f"render inside the task: median {statistics.median(renders):.2f} s, "
        f"p95 {p95(renders):.2f} s; pool process CPU {cpu_per_report:.2f} s per report, "
        f"peak memory {peak_kb / 1024:.0f} MB (the process is replaced every "
        f"{settings.CELERY_WORKER_MAX_TASKS_PER_CHILD} tasks)"
    )


def cpu_ticks_of(pid: int) -> int:
    """User and system CPU time of `pid` so far, in clock ticks."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--year-renders", type=int, default=5)
    parser.add_argument("--reports", type=int, default=200)
    args = parser.parse_args()
    report_root = Path(tempfile.mkdtemp(prefix="exitprog-bench-reports-"))
    try:
        database_url = setup_django(report_root)
        from reports.models import Report
        from reports.periods import Period

        cases = bench_cases()
        Report.objects.filter(case__in=cases).delete()  # the rows of an earlier run
        manager, _workers = staff()
        counts = cases[0].journal.count(), cases[0].interventions.count()
        print(
            f"case {cases[0].reference}: {counts[0]} journal entries in the year, "
            f"{counts[1]} interventions; rendered in this process after 2 warm-ups"
        )
        print(
            f"{'period':<24} {'renders':>7} {'median s':>9} {'p95 s':>7} {'CPU s':>7} "
            f"{'pages':>6} {'size':>11}"
        )
        measure_in_process(cases[0], Period.month(2026, 10), args.renders, manager)
        measure_in_process(cases[0], Period(YEAR_START, YEAR_END), args.year_renders, manager)
        print(f"a real worker, one process (--concurrency=1), {args.reports} monthly reports")
        measure_worker(cases, args.reports, database_url, report_root, report_root / "worker.log")
    finally:
        shutil.rmtree(report_root, ignore_errors=True)


if __name__ == "__main__":
    main()
