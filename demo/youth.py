"""Young clients in the demo (issue 12): each program's youth rules with its child unit, young
clients with guardians (one not safe to contact in every city), consents that say whose they
are, a case on the youth path, a client known only by an age band, and one client in
Stockholm who turns 18 during the demo's first week. Every name and number is invented."""

import datetime
import random

from access import policy
from accounts.models import Municipality, User, YouthRules
from cases.guardians import ConsentGiver, ConsentGiverKind, Guardian, GuardianRelation
from cases.identity import identity_pseudonym, luhn_check_digit
from cases.models import Case, CaseState, CaseStateChange, Client, Consent

# Per program: the child unit of the social services (invented contact details).
CHILD_UNITS = {
    "0180": ("Socialtjänsten Stockholm, barn och unga, mottagningen", "08-508 000 10"),
    "1480": ("Socialtjänsten Göteborg, barn och unga, mottagningen", "031-365 000 10"),
    "1280": ("Socialtjänsten Malmö, barn och unga, mottagningen", "040-34 000 10"),
    "2321": ("Socialtjänsten Åre, individ- och familjeomsorgen, barn och unga", "0647-161 00"),
}
SLUGS = {"0180": "stockholm", "1480": "goteborg", "1280": "malmo", "2321": "are"}

SAFE_GUARDIANS = [("Maria Lindqvist", "070-000 11 21"), ("Leila Haddad", "070-000 11 22")]
UNSAFE_GUARDIANS = [
    ("Goran Lindqvist", "Fadern står gruppen nära och har hotat klienten."),
    ("Samir Haddad", "Fadern är själv aktiv i gruppen: kontakt kan röja var klienten bor."),
]


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return datetime.date(day.year - years, 2, 28)


def _identity(rng: random.Random, birth: datetime.date) -> str:
    nine = f"{birth:%y%m%d}{rng.randint(980, 999)}"
    return f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}"


def guardians_for(
    rng: random.Random, *, case: Case, by: User, unsafe: bool | None = None
) -> list[Guardian]:
    """Two guardians of a young case's client: a mother safe to contact and a father who, in
    about one case of three (or where `unsafe`), must not be contacted."""
    safe_name, phone = rng.choice(SAFE_GUARDIANS)
    unsafe_name, note = rng.choice(UNSAFE_GUARDIANS)
    father_unsafe = rng.random() < 0.35 if unsafe is None else unsafe
    mother = Guardian.objects.create(
        client=case.client,
        name=safe_name,
        relation=GuardianRelation.MOTHER,
        phone=phone,
        safe_to_contact=True,
        created_by=by,
    )
    father = Guardian.objects.create(
        client=case.client,
        name=unsafe_name,
        relation=GuardianRelation.FATHER,
        phone="070-000 99 " + f"{rng.randint(10, 99)}",
        safe_to_contact=not father_unsafe,
        safety_note=note if father_unsafe else "",
        created_by=by,
    )
    return [mother, father]


def consent_of_young_client(
    rng: random.Random, *, case: Case, consent: Consent, by: User, today: datetime.date
) -> None:
    """For a young client's consent: guardians, and whose consent it is (the client and the
    mother), as the youth rules want it."""
    if not case.client.young:
        return
    mother, _father = guardians_for(rng, case=case, by=by)
    ConsentGiver.objects.bulk_create(
        [
            ConsentGiver(consent=consent, giver=ConsentGiverKind.CLIENT),
            ConsentGiver(consent=consent, giver=ConsentGiverKind.GUARDIAN, guardian=mother),
        ]
    )


def _young_case(
    rng: random.Random,
    *,
    muni: Municipality,
    manager: User,
    worker: User,
    first: str,
    last: str,
    birth: datetime.date | None,
    state: CaseState,
    opened: datetime.date,
    today: datetime.date,
    youth_path: bool = False,
    age_band: str = "",
) -> Case:
    number = _identity(rng, birth) if birth is not None and not age_band else ""
    client = Client.objects.create(
        municipality=muni,
        first_name=first,
        last_name=last,
        identity_number=number,
        pseudonym=identity_pseudonym(number),
        reserve_identity="" if number else f"RES-{muni.code}-U{rng.randint(100, 999)}",
        birth_date=None if age_band else birth,
        age_band=age_band,
        age_band_on=opened if age_band else None,
    )
    prefix = f"{muni.code}-{opened.year}-"
    last_reference = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    sequence = int(last_reference.removeprefix(prefix)) + 1 if last_reference else 1
    case = Case.objects.create(
        reference=f"{prefix}{sequence:04d}",
        client=client,
        municipality=muni,
        state=state,
        opened_on=opened,
        next_review_on=today + datetime.timedelta(days=rng.randint(3, 30)),
        youth_path=youth_path,
        created_by=manager,
    )
    path = [CaseState.INQUIRY]
    if state != CaseState.INQUIRY:
        path.append(CaseState.ASSESSMENT)
    if state in {CaseState.ACCEPTED, CaseState.ACTIVE}:
        path.append(CaseState.ACCEPTED)
    if state == CaseState.ACTIVE:
        path.append(CaseState.ACTIVE)
    CaseStateChange.objects.bulk_create(
        CaseStateChange(
            case=case,
            from_state=path[i - 1] if i else "",
            to_state=s,
            by=manager,
            reason=(
                "Tas emot på ungdomsspåret tillsammans med barnenheten."
                if youth_path and s == CaseState.ACCEPTED
                else "Enligt bedömningen."
            ),
            at=datetime.datetime.combine(
                opened + datetime.timedelta(days=7 * i), datetime.time(10), tzinfo=datetime.UTC
            ),
        )
        for i, s in enumerate(path)
    )
    policy.case_grant_assignment(case=case, user=worker)
    return case


def youth_demo(
    *, rng: random.Random, managers: dict[str, User], today: datetime.date
) -> list[Case]:
    """Each program's youth rules and its young showcase cases; the cases made."""
    made = []
    for code, manager in managers.items():
        muni = Municipality.objects.get(code=code)
        name, phone = CHILD_UNITS[code]
        YouthRules.objects.update_or_create(
            municipality=muni,
            defaults={
                "minimum_age": 15,
                "guardian_consent_for_interventions": True,
                "guardian_consent_for_sharing": True,
                "own_consent_age": 15,
                "child_unit_name": name,
                "child_unit_phone": phone,
                "child_unit_email": f"barnochunga.{SLUGS[code]}@exempel.invalid",
            },
        )
        worker = User.objects.get(username=f"cw.{SLUGS[code]}")
        sixteen = _young_case(
            rng,
            muni=muni,
            manager=manager,
            worker=worker,
            first="Elias",
            last=f"Ungström-{SLUGS[code].capitalize()}",
            birth=years_before(today, 16) - datetime.timedelta(days=rng.randint(20, 300)),
            state=CaseState.ASSESSMENT,
            opened=today - datetime.timedelta(days=rng.randint(8, 20)),
            today=today,
        )
        # One guardian not safe to contact in every city.
        guardians_for(rng, case=sixteen, by=worker, unsafe=True)
        thirteen = _young_case(
            rng,
            muni=muni,
            manager=manager,
            worker=worker,
            first="Noor",
            last=f"Barnsdotter-{SLUGS[code].capitalize()}",
            birth=years_before(today, 13) - datetime.timedelta(days=rng.randint(20, 300)),
            state=CaseState.ACCEPTED,
            opened=today - datetime.timedelta(days=rng.randint(30, 60)),
            today=today,
            youth_path=True,
        )
        guardians_for(rng, case=thirteen, by=worker, unsafe=False)
        made += [sixteen, thirteen]
    stockholm = Municipality.objects.get(code="0180")
    cw = User.objects.get(username="cw.stockholm")
    # Turns 18 five days after the demo is loaded: the daily job clears the flag and
    # notifies cw.stockholm.
    turning = _young_case(
        rng,
        muni=stockholm,
        manager=managers["0180"],
        worker=cw,
        first="Vera",
        last="Snartarton",
        birth=years_before(today + datetime.timedelta(days=5), 18),
        state=CaseState.ACTIVE,
        opened=today - datetime.timedelta(days=200),
        today=today,
    )
    guardians_for(rng, case=turning, by=cw, unsafe=False)
    # Known only by a reserve identity and an age band (15-17 when the inquiry came).
    banded = _young_case(
        rng,
        muni=Municipality.objects.get(code="1480"),
        manager=managers["1480"],
        worker=User.objects.get(username="cw.goteborg"),
        first="Okänd",
        last="Reservsson",
        birth=None,
        state=CaseState.INQUIRY,
        opened=today - datetime.timedelta(days=4),
        today=today,
        age_band="15_17",
    )
    return [*made, turning, banded]
