"""Demo data: three big cities' programs and one small municipality, a user for every role,
and about 200 synthetic clients and cases across all states. Safe to run again.

Every name is invented; identity numbers are synthetic, valid by checksum, with birth numbers
980-999 like the Tax Agency's series of test numbers.
"""

import datetime
import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from access import policy
from accounts import services as role_services
from accounts.models import Municipality, PoliceRegion, Role, User
from accounts.services import municipalities_load
from cases import services
from cases.identity import identity_pseudonym, luhn_check_digit
from cases.models import Case, CaseState, Client
from demo import cases as demo
from demo.referrals import referrals_demo
from demo.tasks import tasks_demo
from demo.youth import youth_demo

DEMO_PASSWORD = "demo-exitprog-2026"  # noqa: S105 (synthetic demo accounts only)

# code -> (number of cases, caseworkers, team visibility)
PROGRAMS: dict[str, tuple[int, int, bool]] = {
    "0180": (80, 3, True),  # Stockholm
    "1480": (60, 2, False),  # Göteborg: caseworkers see only their assigned cases
    "1280": (50, 2, True),  # Malmö
    "2321": (12, 1, True),  # Åre
}
SLUGS = {"0180": "stockholm", "1480": "goteborg", "1280": "malmo", "2321": "are"}

FIRST_NAMES = [
    "Adam",
    "Ali",
    "Amir",
    "Anton",
    "Axel",
    "Dani",
    "David",
    "Elias",
    "Emil",
    "Erik",
    "Filip",
    "Hassan",
    "Hugo",
    "Isak",
    "Jonas",
    "Kevin",
    "Leo",
    "Liam",
    "Lucas",
    "Milo",
    "Noah",
    "Omar",
    "Oskar",
    "Rami",
    "Samir",
    "Theo",
    "Viktor",
    "William",
    "Yusuf",
    "Zakaria",
    "Alva",
    "Amina",
    "Elin",
    "Hanna",
    "Ida",
    "Lina",
    "Maja",
    "Nora",
    "Sara",
    "Wilma",
]
LAST_NAMES = [
    "Andersson",
    "Berg",
    "Dahl",
    "Ekström",
    "Falk",
    "Gustafsson",
    "Hassan",
    "Holm",
    "Ibrahim",
    "Jansson",
    "Karlsson",
    "Lind",
    "Lundqvist",
    "Mohammed",
    "Nilsson",
    "Nyberg",
    "Olsson",
    "Persson",
    "Sandberg",
    "Strand",
    "Svensson",
    "Sjöberg",
    "Wallin",
    "Yilmaz",
    "Åberg",
]
STAFF_FIRST = ["Karin", "Johan", "Petra", "Mikael", "Sofia", "Anders", "Lena", "Tobias", "Eva"]
STAFF_LAST = ["Lindgren", "Bergström", "Axelsson", "Håkansson", "Månsson", "Forsberg", "Öberg"]

# Share of cases in each state, for a realistic mix.
STATE_WEIGHTS = [
    (CaseState.INQUIRY, 12),
    (CaseState.ASSESSMENT, 12),
    (CaseState.ACCEPTED, 8),
    (CaseState.ACTIVE, 39),
    (CaseState.COMPLETED, 15),
    (CaseState.DISCONTINUED, 8),
    (CaseState.REJECTED, 6),
]
# A case that moved to another municipality is an accepted transfer (demo.cases), not a state.


def synthetic_identity_number(rng: random.Random, birth: datetime.date) -> str:
    nine = f"{birth:%y%m%d}{rng.randint(980, 999)}"
    return f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}"


class Command(BaseCommand):
    help = "Create demo municipalities' staff, users for every role and synthetic cases."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow running with DEBUG off (never in production).",
        )
        parser.add_argument(
            "--print-logins", action="store_true", help="Only print the demo logins."
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["print_logins"]:
            self.print_logins()
            return
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development; use --force to load it anyway.")
        if not Municipality.objects.exists():
            municipalities_load()
        with transaction.atomic():
            created = self.seed(random.Random(2026))
        self.stdout.write(f"Demo data ready ({created} cases created).")
        self.print_logins()

    def user(self, username: str, first: str, last: str) -> User:
        # A made-up work phone and e-mail address (printed on the referral letters).
        self.users_made = getattr(self, "users_made", 0) + 1
        phone = f"08-123 456 {self.users_made:02d}"
        email = f"{username}@exempel.invalid"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "work_phone": phone, "email": email},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def seed(self, rng: random.Random) -> int:
        today = timezone.localdate()
        staff_names = iter([(f, la) for la in STAFF_LAST for f in STAFF_FIRST])
        admin = self.user("admin", "Alex", "Administratör")
        role_services.role_grant(user=admin, role=Role.ADMINISTRATOR)
        analyst = self.user("analyst", "Ana", "Analytiker")
        role_services.role_grant(user=analyst, role=Role.ANALYST)
        stockholm_police = self.user("police.stockholm", "Per", "Polis")
        role_services.role_grant(
            user=stockholm_police,
            role=Role.POLICE_LIAISON,
            police_region=PoliceRegion.objects.get(code="stockholm"),
        )
        syd = PoliceRegion.objects.get(code="syd")
        syd_police = self.user("police.syd", "Siv", "Polis")
        role_services.role_grant(user=syd_police, role=Role.POLICE_LIAISON, police_region=syd)

        created = 0
        managers: dict[str, User] = {}
        for code in PROGRAMS:
            Municipality.objects.filter(code=code).update(runs_program=True)
        ref = demo.reference_records()
        for code, (n_cases, n_workers, team_visibility) in PROGRAMS.items():
            muni = Municipality.objects.get(code=code)
            muni.runs_program = True
            muni.team_visibility = team_visibility
            muni.save(update_fields=["runs_program", "team_visibility"])
            slug = SLUGS[code]
            first, last = next(staff_names)
            manager = self.user(f"mgr.{slug}", first, last)
            role_services.role_grant(user=manager, role=Role.MANAGER, municipality=muni)
            managers[code] = manager
            workers = []
            for i in range(n_workers):
                first, last = next(staff_names)
                worker = self.user(f"cw.{slug}" + (f"{i + 1}" if i else ""), first, last)
                role_services.role_grant(user=worker, role=Role.CASEWORKER, municipality=muni)
                workers.append(worker)
            if Case.objects.filter(municipality=muni).exists():
                continue
            for n in range(1, n_cases + 1):
                case = self.make_case(rng, muni, manager, n, today)
                demo.case_records(
                    rng=rng, case=case, staff=[manager, *workers], ref=ref, today=today
                )
                referrals_demo(
                    rng=rng,
                    case=case,
                    staff=[manager, *workers],
                    agencies=ref.agencies,
                    today=today,
                )
                created += 1
                if case.state != CaseState.INQUIRY or rng.random() < 0.5:
                    policy.case_grant_assignment(case=case, user=rng.choice(workers))
                    if rng.random() < 0.2 and len(workers) > 1:
                        policy.case_grant_assignment(case=case, user=rng.choice(workers))
                consent = case.consents.first()
                if case.state == CaseState.ACTIVE and consent and rng.random() < 0.25:
                    if code == "0180":
                        services.case_share_with_police(
                            case=case, by=manager, liaison=stockholm_police, consent=consent
                        )
                    elif code == "1280":
                        services.case_share_with_police(
                            case=case, by=manager, region=syd, consent=consent
                        )
        if created:
            demo.sharing_and_transfers(rng=rng, managers=managers)
            youth_demo(rng=rng, managers=managers, today=today)
        tasks_demo(
            caseworker=User.objects.get(username="cw.stockholm"),
            manager=managers["0180"],
            today=today,
        )
        return created

    def make_case(
        self, rng: random.Random, muni: Municipality, manager: User, n: int, today: datetime.date
    ) -> Case:
        states, weights = zip(*STATE_WEIGHTS, strict=True)
        state = rng.choices(states, weights)[0]
        birth = datetime.date(rng.randint(1978, 2008), rng.randint(1, 12), rng.randint(1, 28))
        known = rng.random() > 0.05
        client = Client.objects.create(
            municipality=muni,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            identity_number=synthetic_identity_number(rng, birth) if known else "",
            reserve_identity="" if known else f"RES-{muni.code}-{n:04d}",
            birth_date=birth,
            protected_identity=rng.random() < 0.06,
        )
        if client.identity_number:
            client.pseudonym = identity_pseudonym(client.identity_number)
            client.save(update_fields=["pseudonym"])
        opened = today - datetime.timedelta(days=rng.randint(5, 900))
        closed = None
        if state in {CaseState.COMPLETED, CaseState.DISCONTINUED, CaseState.REJECTED}:
            closed = min(today, opened + datetime.timedelta(days=rng.randint(20, 500)))
        review = None
        if closed is None:
            review = today + datetime.timedelta(days=rng.randint(-20, 60))
        return Case.objects.create(
            reference=f"{muni.code}-{opened.year}-{n:04d}",
            client=client,
            municipality=muni,
            state=state,
            opened_on=opened,
            closed_on=closed,
            next_review_on=review,
            created_by=manager,
        )

    def print_logins(self) -> None:
        rows = [
            ("caseworker", "cw.stockholm", "Stockholm"),
            ("manager", "mgr.stockholm", "Stockholm"),
            ("police liaison", "police.stockholm", "Polisregion Stockholm"),
            ("analyst", "analyst", "national"),
            ("administrator", "admin", "installation"),
        ]
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, username, scope in rows:
            self.stdout.write(f"  {role:<15} {username:<18} {scope}")
        self.stdout.write(
            "  Also: cw.goteborg, mgr.goteborg, cw.malmo, mgr.malmo, cw.are, mgr.are, police.syd"
        )
