"""A young client's guardians (issue 12): who may record them, who sees them, their history,
whose consent a consent is, and that an unsafe guardian's contact never reaches a document."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from audit.models import AccessLogEntry
from audit.sentences import describe
from cases import guardian_services
from cases import services as case_services
from cases.guardians import (
    ConsentGiver,
    ConsentGiverKind,
    Guardian,
    GuardianRelation,
    consent_givers_meet_rules,
    consent_givers_ok,
)
from cases.models import Client, Consent
from cases.services import CaseRuleError
from cases.tabs import case_section_url
from exitprog.concurrency import seen_value
from exitprog.triggers import history_of
from referrals import services as referral_services
from reports.models import ReportKind
from reports.services import report_render
from tests.factories import ReportFactory
from tests.test_rendering import pdf_text

TODAY = timezone.localdate
SAFE_NAME = "Vårdnadshavare-Safe-q7k2"
SAFE_PHONE = "070-111 72 72"
UNSAFE_NAME = "Vårdnadshavare-Unsafe-z9m4"
UNSAFE_PHONE = "070-999 31 31"
UNSAFE_CONTACT = "unsafe-guardian-p3x8@example.org"
UNSAFE_NOTE = "Hotar klienten-w5r1"


def _years_ago(years: int, days: int = 0) -> datetime.date:
    today = TODAY()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def _young(cast, *, age: int = 16, protected: bool = False) -> Client:
    client = cast.case.client
    client.birth_date = _years_ago(age, days=10)
    client.protected_identity = protected
    client.save(update_fields=["birth_date", "protected_identity"])
    cast.case.client = client
    return client


def _add(cast, *, name: str = SAFE_NAME, safe: bool = True, **extra) -> Guardian:
    values = {
        "phone": SAFE_PHONE if safe else UNSAFE_PHONE,
        "contact": "" if safe else UNSAFE_CONTACT,
        "safety_note": "" if safe else UNSAFE_NOTE,
    } | extra
    return guardian_services.guardian_add(
        case=cast.case,
        by=cast.caseworker,
        name=name,
        relation=GuardianRelation.MOTHER if safe else GuardianRelation.FATHER,
        safe_to_contact=safe,
        **values,
    )


def _form(**overrides) -> dict[str, str]:
    return {
        "name": SAFE_NAME,
        "relation": "mother",
        "phone": SAFE_PHONE,
        "contact": "",
        "safe_to_contact": "yes",
        "safety_note": "",
    } | overrides


def _contact_url(cast) -> str:
    return case_section_url(cast.case.pk, "contact")


# --- Recording guardians ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_editors_add_a_guardian_and_it_shows_on_the_contact_card(client, cast, who):
    _young(cast)
    client.force_login(getattr(cast, who))
    url = reverse("cases:guardian_new", args=[cast.case.pk])
    assert client.get(url).status_code == 200
    assert AccessLogEntry.objects.filter(detail="guardian form", action="view").exists()
    response = client.post(url, _form())
    assert response.status_code == 302 and response["Location"] == _contact_url(cast)
    guardian = Guardian.objects.get(client=cast.case.client)
    assert (guardian.name, guardian.safe_to_contact) == (SAFE_NAME, True)
    assert AccessLogEntry.objects.filter(detail="guardian", action="create").exists()
    text = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert SAFE_NAME in text and SAFE_PHONE in text
    assert reverse("cases:guardian_edit", args=[cast.case.pk, guardian.pk]) in text


def test_a_young_client_without_guardians_is_asked_for_them(client, cast):
    _young(cast)
    client.force_login(cast.caseworker)
    text = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert reverse("cases:guardian_new", args=[cast.case.pk]) in text


def test_an_adult_client_is_not_asked_for_guardians(client, cast):
    client.force_login(cast.caseworker)
    text = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert reverse("cases:guardian_new", args=[cast.case.pk]) not in text


def test_safe_to_contact_must_be_decided_and_a_no_explained(client, cast):
    _young(cast)
    client.force_login(cast.caseworker)
    url = reverse("cases:guardian_new", args=[cast.case.pk])
    undecided = client.post(url, _form(safe_to_contact=""))
    assert undecided.status_code == 200 and SAFE_NAME in undecided.content.decode()
    unexplained = client.post(url, _form(safe_to_contact="no"))
    assert unexplained.status_code == 200
    assert not Guardian.objects.exists()
    with pytest.raises(CaseRuleError):
        _add(cast, safe=False, safety_note="")
    assert client.post(url, _form(safe_to_contact="no", safety_note=UNSAFE_NOTE)).status_code == 302
    assert Guardian.objects.get().safe_to_contact is False


@pytest.mark.parametrize(
    "who", ["teammate", "outsider", "police", "police_unshared", "analyst", "administrator"]
)
def test_others_get_404_on_every_guardian_view(client, cast, who):
    _young(cast)
    guardian = _add(cast)
    client.force_login(getattr(cast, who))
    urls = [
        reverse("cases:guardian_new", args=[cast.case.pk]),
        reverse("cases:guardian_edit", args=[cast.case.pk, guardian.pk]),
        reverse("cases:guardian_remove", args=[cast.case.pk, guardian.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, _form() | {"reason": "x"}).status_code == 404
    guardian.refresh_from_db()
    assert guardian.removed_at is None and Guardian.objects.count() == 1


def test_a_guardian_of_another_client_is_404(client, cast):
    from tests.factories import CaseFactory

    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    foreign = Guardian.objects.create(
        client=other.client, name="Annan-vh-k1", relation="mother", created_by=cast.manager
    )
    client.force_login(cast.manager)
    url = reverse("cases:guardian_edit", args=[cast.case.pk, foreign.pk])
    assert client.get(url).status_code == 404


# --- Protected identity -------------------------------------------------------------------------


def test_protected_identity_hides_the_guardians_where_the_client_is_hidden(client, cast):
    _young(cast, protected=True)
    _add(cast)
    _add(cast, name=UNSAFE_NAME, safe=False)
    page = reverse("cases:detail", args=[cast.case.pk])
    shared = reverse("cases:shared", args=[cast.case.pk])
    for who, url in (("teammate", page), ("police", shared)):
        client.force_login(getattr(cast, who))
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        for secret in (SAFE_NAME, SAFE_PHONE, UNSAFE_NAME, UNSAFE_PHONE, UNSAFE_CONTACT):
            assert secret not in text, (who, secret)
    for who in ("caseworker", "manager"):
        client.force_login(getattr(cast, who))
        text = client.get(page).content.decode()
        assert SAFE_NAME in text and UNSAFE_NAME in text and UNSAFE_NOTE in text


def test_a_police_liaison_never_sees_the_guardians(client, cast):
    _young(cast)
    _add(cast)
    client.force_login(cast.police)
    assert client.get(reverse("cases:detail", args=[cast.case.pk])).status_code == 404
    response = client.get(reverse("cases:shared", args=[cast.case.pk]))
    assert response.status_code == 200
    assert cast.case.reference in response.content.decode()
    assert SAFE_NAME not in response.content.decode()


def test_the_history_of_a_protected_guardian_is_masked_for_the_teammate(client, cast):
    _young(cast, protected=True)
    guardian = _add(cast)
    url = reverse("cases:record_history", args=[cast.case.pk, "guardian", guardian.pk])
    client.force_login(cast.caseworker)
    assert SAFE_NAME in client.get(url).content.decode()
    client.force_login(cast.teammate)
    response = client.get(url)
    assert SAFE_NAME not in response.content.decode() and SAFE_PHONE not in (
        response.content.decode()
    )


# --- Changing and removing ----------------------------------------------------------------------


def test_a_change_is_kept_in_the_history(client, cast):
    _young(cast)
    guardian = _add(cast)
    client.force_login(cast.caseworker)
    url = reverse("cases:guardian_edit", args=[cast.case.pk, guardian.pk])
    form = client.get(url)
    assert form.status_code == 200 and SAFE_NAME in form.content.decode()
    assert AccessLogEntry.objects.filter(detail="guardian edit form").exists()
    data = _form(phone="070-222 00 22", seen=seen_value(guardian))
    assert client.post(url, data).status_code == 302
    versions = (
        history_of(Guardian)
        ._default_manager.filter(pgh_obj_id=guardian.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", "phone")
    )
    assert list(versions) == [
        ("insert", SAFE_PHONE),
        ("update", "070-222 00 22"),
    ]
    assert AccessLogEntry.objects.filter(detail="guardian", action="change").exists()
    history = client.get(
        reverse("cases:record_history", args=[cast.case.pk, "guardian", guardian.pk])
    )
    assert "070-222 00 22" in history.content.decode()


def test_a_stale_edit_is_refused_and_the_input_kept(client, cast):
    _young(cast)
    guardian = _add(cast)
    opened = seen_value(guardian)
    guardian_services.guardian_update(
        case=cast.case,
        guardian=guardian,
        by=cast.manager,
        name=SAFE_NAME,
        relation=GuardianRelation.MOTHER,
        phone="070-333 44 55",
        contact="",
        safe_to_contact=True,
        safety_note="",
    )
    client.force_login(cast.caseworker)
    url = reverse("cases:guardian_edit", args=[cast.case.pk, guardian.pk])
    response = client.post(url, _form(phone="070-typed-k8", seen=opened))
    assert response.status_code == 200
    text = response.content.decode()
    assert "070-typed-k8" in text  # the input, kept
    assert "070-333 44 55" in text  # the guardian as it is now
    guardian.refresh_from_db()
    assert guardian.phone == "070-333 44 55"
    # Saving again over the values now shown is a choice made: it goes through.
    again = client.post(url, _form(phone="070-typed-k8", seen=seen_value(guardian)))
    assert again.status_code == 302
    guardian.refresh_from_db()
    assert guardian.phone == "070-typed-k8"


def test_removing_a_guardian_asks_why_and_keeps_the_record(client, cast):
    _young(cast)
    guardian = _add(cast)
    client.force_login(cast.caseworker)
    url = reverse("cases:guardian_remove", args=[cast.case.pk, guardian.pk])
    assert client.get(url).status_code == 200
    assert AccessLogEntry.objects.filter(detail="guardian removal form").exists()
    refused = client.post(url, {"reason": "", "seen": seen_value(guardian)})
    assert refused.status_code == 200
    done = client.post(url, {"reason": "Inte längre vårdnadshavare", "seen": seen_value(guardian)})
    assert done.status_code == 302 and done["Location"] == _contact_url(cast)
    guardian.refresh_from_db()
    assert guardian.removed_at is not None and guardian.removed_by == cast.caseworker
    assert AccessLogEntry.objects.filter(detail="guardian removed", action="change").exists()
    text = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()
    assert SAFE_NAME not in text
    assert client.get(url).status_code == 404


def test_every_guardian_log_entry_has_a_sentence(client, cast):
    _young(cast)
    client.force_login(cast.caseworker)
    client.post(reverse("cases:guardian_new", args=[cast.case.pk]), _form())
    guardian = Guardian.objects.get()
    for url in (
        reverse("cases:guardian_new", args=[cast.case.pk]),
        reverse("cases:guardian_edit", args=[cast.case.pk, guardian.pk]),
        reverse("cases:guardian_remove", args=[cast.case.pk, guardian.pk]),
    ):
        client.get(url)
    entries = AccessLogEntry.objects.filter(detail__startswith="guardian")
    assert {e.detail for e in entries} == {
        "guardian",
        "guardian form",
        "guardian edit form",
        "guardian removal form",
    }
    for entry in entries:
        assert describe(entry).known, entry.detail


# --- Pinned queries -----------------------------------------------------------------------------


def test_the_contact_tab_runs_the_same_queries_for_one_and_five_guardians(
    client, cast, django_assert_num_queries
):
    """The tab's pin is tests/test_case_page.py's TAB_QUERIES; here: one guardian or five."""
    _young(cast)
    client.force_login(cast.manager)
    url = reverse("cases:detail", args=[cast.case.pk])
    _add(cast, name="Vh-en-1")
    client.get(url)  # warm the content-type cache
    with CaptureQueriesContext(connection) as one:
        assert "Vh-en-1" in client.get(url).content.decode()
    for i in range(4):
        _add(cast, name=f"Vh-fler-{i}", safe=False, safety_note=f"Skäl {i}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert "Vh-fler-3" in client.get(url).content.decode()
    guardian_queries = [q for q in one.captured_queries if "cases_guardian" in q["sql"]]
    assert len(guardian_queries) == 1


# --- Whose consent ------------------------------------------------------------------------------


def _consent(cast, *, givers: list[Guardian | None] | None = None) -> Consent:
    consent = Consent.objects.create(
        case=cast.case, information=["identity"], valid_from=TODAY(), recorded_by=cast.manager
    )
    for giver in givers or []:
        ConsentGiver.objects.create(
            consent=consent,
            giver=ConsentGiverKind.CLIENT if giver is None else ConsentGiverKind.GUARDIAN,
            guardian=giver,
        )
    return Consent.objects.select_related("case__client").get(pk=consent.pk)


def _ok(consent: Consent, *, needs_guardian: bool, own_from: int = 15) -> bool:
    return consent_givers_ok(
        consent=consent, rules_needs_guardian=needs_guardian, own_consent_from_age=own_from
    )


def test_an_adults_consent_is_their_own(cast):
    assert _ok(_consent(cast), needs_guardian=True)


def test_below_the_own_consent_age_a_guardian_must_consent_where_the_rules_say_so(cast):
    _young(cast, age=13)
    guardian = _add(cast)
    assert not _ok(_consent(cast, givers=[None]), needs_guardian=True)
    assert _ok(_consent(cast, givers=[guardian]), needs_guardian=True)
    assert _ok(_consent(cast, givers=[None, guardian]), needs_guardian=True)
    assert not _ok(_consent(cast), needs_guardian=True)
    # Where the rules need no guardian, the client's own consent or a guardian's will do.
    assert _ok(_consent(cast, givers=[None]), needs_guardian=False)
    assert _ok(_consent(cast, givers=[guardian]), needs_guardian=False)
    assert not _ok(_consent(cast), needs_guardian=False)


def test_a_removed_guardians_consent_does_not_count(cast):
    _young(cast, age=13)
    guardian = _add(cast)
    consent = _consent(cast, givers=[guardian])
    guardian_services.guardian_remove(
        case=cast.case, guardian=guardian, by=cast.manager, reason="x"
    )
    assert not _ok(consent, needs_guardian=True)


def test_from_the_own_consent_age_the_young_persons_consent_is_needed_and_suffices(cast):
    guardian_client = _young(cast, age=15)
    guardian = _add(cast)
    assert _ok(_consent(cast, givers=[None]), needs_guardian=True, own_from=15)
    assert not _ok(_consent(cast, givers=[guardian]), needs_guardian=True, own_from=15)
    # The day before the 15th birthday the guardian's consent is still needed.
    guardian_client.birth_date = _years_ago(15, days=-1)
    guardian_client.save(update_fields=["birth_date"])
    consent = _consent(cast, givers=[None])
    assert not _ok(consent, needs_guardian=True, own_from=15)


def test_the_18th_birthday_ends_the_youth_rules(cast):
    client = _young(cast)
    client.birth_date = _years_ago(18)
    client.save(update_fields=["birth_date"])
    assert _ok(_consent(cast), needs_guardian=True)
    client.birth_date = _years_ago(18, days=-1)
    client.save(update_fields=["birth_date"])
    assert not _ok(_consent(cast), needs_guardian=True)


def _consent_post(agency: Agency, **extra) -> dict[str, object]:
    return {
        "agencies": [agency.pk],
        "information": ["identity"],
        "valid_from": TODAY().isoformat(),
        "valid_until": "",
        "note": "",
    } | extra


def test_a_young_clients_consent_form_asks_whose_consent_it_is(client, cast):
    _young(cast)
    guardian = _add(cast)
    agency = Agency.objects.create(name="Skolan Vh-test", kind=AgencyKind.OTHER)
    client.force_login(cast.caseworker)
    url = reverse("cases:consent_new", args=[cast.case.pk])
    assert SAFE_NAME in client.get(url).content.decode()
    nobody = client.post(url, _consent_post(agency))
    assert nobody.status_code == 200
    done = client.post(url, _consent_post(agency, given_by=["client", str(guardian.pk)]))
    assert done.status_code == 302
    consent = Consent.objects.filter(agencies=agency).get()
    givers = {(g.giver, g.guardian_id) for g in consent.givers.all()}
    assert givers == {("client", None), ("guardian", guardian.pk)}
    assert AccessLogEntry.objects.filter(detail="consent givers", action="change").exists()


def test_an_adults_consent_form_does_not_ask_whose_consent_it_is(client, cast):
    client.force_login(cast.caseworker)
    text = client.get(reverse("cases:consent_new", args=[cast.case.pk])).content.decode()
    assert 'name="given_by"' not in text


def test_a_guardian_of_another_client_cannot_give_the_consent(cast):
    from tests.factories import CaseFactory

    _young(cast)
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    foreign = Guardian.objects.create(
        client=other.client, name="Annan-vh-k2", relation="mother", created_by=cast.manager
    )
    with pytest.raises(CaseRuleError):
        guardian_services.consent_givers_set(
            consent=cast.consent, by=cast.manager, client=False, guardians=[foreign]
        )


# --- Documents: an unsafe guardian's contact never in a letter or a PDF -------------------------


def test_the_letter_names_the_safe_guardian_only(client, cast):
    _young(cast)
    _add(cast)
    _add(cast, name=UNSAFE_NAME, safe=False)
    agency = Agency.objects.create(name="Socialtjänsten Vh-test", kind=AgencyKind.OTHER)
    consent = case_services.consent_record(
        case=cast.case,
        by=cast.manager,
        agencies=[agency],
        information=["identity"],
        valid_from=TODAY(),
        valid_until=None,
    )
    # The client is 16: from 15 their own consent counts for sharing (the default rules).
    guardian_services.consent_givers_set(
        consent=consent, by=cast.caseworker, client=True, guardians=[]
    )
    referral = referral_services.referral_create(
        case=cast.case, by=cast.manager, agency=agency, purpose="Stöd"
    )
    client.force_login(cast.caseworker)
    response = client.get(reverse("referrals:letter", args=[referral.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert SAFE_NAME in text and SAFE_PHONE in text
    for secret in (UNSAFE_NAME, UNSAFE_PHONE, UNSAFE_CONTACT, UNSAFE_NOTE):
        assert secret not in text


def test_a_letter_to_the_police_names_no_guardian(client, cast):
    _young(cast)
    _add(cast)
    guardian_services.consent_givers_set(
        consent=cast.consent, by=cast.caseworker, client=True, guardians=[]
    )
    referral = referral_services.referral_create(
        case=cast.case, by=cast.manager, agency=cast.police_agency, purpose="Hot"
    )
    client.force_login(cast.caseworker)
    text = pdf_text(client.get(reverse("referrals:letter", args=[referral.pk])).content)
    assert cast.case.client.last_name in text  # identity is consented for the police
    assert SAFE_NAME not in text and SAFE_PHONE not in text


@pytest.mark.parametrize("kind", [ReportKind.CASE_FOLLOW_UP, ReportKind.POLICE_SUMMARY])
def test_no_report_pdf_holds_the_unsafe_guardians_contact(client, cast, kind):
    _young(cast)
    _add(cast, name=UNSAFE_NAME, safe=False)
    report = ReportFactory(kind=kind, case=cast.case, requested_by=cast.manager)
    report_render(report_id=report.pk)
    client.force_login(cast.manager)
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200
    text = pdf_text(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert cast.case.reference in text
    for secret in (UNSAFE_NAME, UNSAFE_PHONE, UNSAFE_CONTACT, UNSAFE_NOTE):
        assert secret not in text


def test_correcting_a_young_clients_consent_changes_whose_consent_it_is(client, cast):
    _young(cast)
    guardian = _add(cast)
    consent = _consent(cast, givers=[None])
    client.force_login(cast.caseworker)
    url = reverse("cases:consent_edit", args=[cast.case.pk, consent.pk])
    form = client.get(url).content.decode()
    assert SAFE_NAME in form
    checked = re.search(r'<input[^>]*name="given_by"[^>]*value="client"[^>]*>', form)
    assert checked is not None and "checked" in checked.group(0)
    data = {
        "information": ["identity"],
        "valid_from": TODAY().isoformat(),
        "valid_until": "",
        "note": "",
        "given_by": [str(guardian.pk)],
        "seen": seen_value(consent),
    }
    assert client.post(url, data).status_code == 302
    assert [(g.giver, g.guardian_id) for g in consent.givers.all()] == [("guardian", guardian.pk)]


def test_a_transferred_case_takes_the_guardians_to_the_receiving_municipality(client, cast):
    from accounts.models import Role
    from cases.models import Case
    from tests.conftest import make_user

    sending = _young(cast).pk
    _add(cast)
    removed = _add(cast, name="Borttagen-vh-j6")
    consent = _consent(cast, givers=[removed])
    guardian_services.guardian_remove(case=cast.case, guardian=removed, by=cast.manager, reason="x")
    malmo_manager = make_user("mats-vh", Role.MANAGER, municipality=cast.malmo)
    type(cast.malmo).objects.filter(pk=cast.malmo.pk).update(runs_program=True)
    cast.malmo.refresh_from_db()
    transfer = case_services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Flytt"
    )
    case_services.transfer_accept(transfer=transfer, by=malmo_manager, note="")
    moved = Case.objects.select_related("client").get(pk=cast.case.pk)
    assert moved.client_id != sending
    assert [g.name for g in moved.client.guardians.filter(removed_at__isnull=True)] == [SAFE_NAME]
    # The case's consents name the copies (the sending row, of no other case, is gone).
    named = ConsentGiver.objects.filter(consent=consent).values_list("guardian__client", flat=True)
    assert set(named) == {moved.client_id}
    client.force_login(malmo_manager)
    assert SAFE_NAME in client.get(reverse("cases:detail", args=[moved.pk])).content.decode()
    assert not Guardian.objects.filter(client_id=sending).exists()


def test_the_municipalitys_youth_rules_decide_whose_consent_is_needed(cast):
    from accounts.models import YouthRules

    _young(cast, age=13)
    guardian = _add(cast)
    own = _consent(cast, givers=[None])
    rules = YouthRules.of(cast.stockholm)  # the defaults: guardians needed, own from 15
    assert not consent_givers_meet_rules(consent=own, rules=rules, for_sharing=True)
    assert consent_givers_meet_rules(
        consent=_consent(cast, givers=[guardian]), rules=rules, for_sharing=True
    )
    rules.guardian_consent_for_interventions = False
    assert consent_givers_meet_rules(consent=own, rules=rules, for_sharing=False)
    assert not consent_givers_meet_rules(consent=own, rules=rules, for_sharing=True)
    rules.own_consent_age = 13
    assert consent_givers_meet_rules(consent=own, rules=rules, for_sharing=True)
