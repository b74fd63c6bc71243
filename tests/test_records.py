"""The pages that record things in a case: who may use them, what they save, what they refuse.

Pages are Swedish by default, so the tests look at saved rows, posted values and the
messages the code itself produces (translated the same way) rather than at English labels.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.forms import Field
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from agencies.models import Agency, AgencyKind
from audit.models import AccessAction, AccessLogEntry
from cases import services
from cases.models import (
    CaseNeed,
    Consent,
    CriminalGroup,
    GroupAffiliation,
    Instrument,
    Intervention,
    InterventionType,
    JournalEntry,
    MotivationAssessment,
    Need,
    ThreatAssessment,
)
from cases.tabs import case_section_url
from exitprog.concurrency import StaleEditError
from tests.conftest import Cast
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

DENIED = ["teammate", "outsider", "police", "police_unshared", "analyst", "administrator"]
EDITORS = ["caseworker", "manager"]


# --- Helpers ----------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def iso(day: datetime.date) -> str:
    return day.isoformat()


def make_agency(name: str = "Kriminalvården Stockholm", **fields) -> Agency:
    fields.setdefault("kind", AgencyKind.PRISON_PROBATION)
    return Agency.objects.get_or_create(name=name, defaults=fields)[0]


def make_group(name: str = "Norrligan", **fields) -> CriminalGroup:
    fields.setdefault("kind", CriminalGroup.Kind.GANG)
    return CriminalGroup.objects.create(name=name, **fields)


def intervention_type(code: str = "mentor") -> InterventionType:
    return InterventionType.objects.get(code=code)


def make_intervention(case, by, **fields) -> Intervention:
    fields.setdefault("type", intervention_type())
    return Intervention.objects.create(case=case, created_by=by, **fields)


def make_consent(case, by, **fields) -> Consent:
    fields.setdefault("information", ["identity"])
    fields.setdefault("valid_from", today())
    return Consent.objects.create(case=case, recorded_by=by, **fields)


def detail_url(case, section: str) -> str:
    return case_section_url(case.pk, section)


def instrument() -> Instrument:
    return Instrument.objects.prefetch_related("items", "criteria").get(
        code="motivation", is_current=True
    )


def assessment_data(**overrides: str) -> dict[str, str]:
    current = instrument()
    data = {
        "assessed_on": iso(today()),
        "stage": "preparation",
        "recommendation": "accept",
        "notes": "Tydligt motiverad.",
    }
    data |= {f"item_{item.pk}": "3" for item in current.items.all()}
    data |= {f"criterion_{c.pk}": "met" for c in current.criteria.all()}
    return data | overrides


def intervention_data(**overrides: str) -> dict[str, str]:
    data = {
        "type": str(intervention_type().pk),
        "provider": "",
        "planned_start": iso(today() - datetime.timedelta(days=10)),
        "planned_end": iso(today() + datetime.timedelta(days=80)),
        "actual_start": "",
        "actual_end": "",
        "status": "planned",
        "cost_sek": "1200",
        "outcome": "",
        "outcome_note": "",
    }
    return data | overrides


def translated(message: str, **params: object) -> str:
    """A message as a Swedish page shows it, HTML-escaped."""
    with translation.override("sv"):
        text = gettext(message)
    return escape(text % params if params else text)


def required_message() -> str:
    with translation.override("sv"):
        return escape(str(Field.default_error_messages["required"]))


def is_checked(html: str, name: str, value: str) -> bool:
    """Whether the radio button or checkbox `name`=`value` is checked on the page."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no input {name}={value}")


def change_log(cast: Cast):
    return AccessLogEntry.objects.filter(
        case=cast.case, action__in=[AccessAction.CREATE, AccessAction.CHANGE]
    )


# --- The views, described once for the permission and happy-path tests -----------------------


@dataclass(frozen=True)
class RecordView:
    name: str
    section: str
    action: AccessAction
    object_type: str
    # Makes what the view needs; returns its URL and a valid POST.
    setup: Callable[[Cast], tuple[str, dict]]
    # What the view changes, to compare before and after.
    state: Callable[[Cast], object]
    has_form_page: bool = True

    def __str__(self) -> str:
        return self.name


def _url(name: str, cast: Cast, *ids: int) -> str:
    return reverse(f"cases:{name}", args=[cast.case.pk, *ids])


def _need_resolve_setup(cast: Cast) -> tuple[str, dict]:
    need = CaseNeed.objects.create(
        case=cast.case,
        need=Need.objects.get(code="debt"),
        identified_on=today() - datetime.timedelta(days=30),
    )
    return _url("need_resolve", cast, need.pk), {"resolved_on": iso(today()), "confirm": "yes"}


def _intervention_edit_setup(cast: Cast) -> tuple[str, dict]:
    intervention = make_intervention(cast.case, cast.caseworker, cost_sek=Decimal(500))
    return _url("intervention_edit", cast, intervention.pk), intervention_data(
        status="ongoing", actual_start=iso(today()), cost_sek="900"
    )


def _consent_setup(cast: Cast) -> tuple[str, dict]:
    agency = make_agency()
    return _url("consent_new", cast), {
        "agencies": [str(agency.pk)],
        "information": ["identity", "threat"],
        "valid_from": iso(today()),
        "valid_until": "",
        "note": "Muntligt samtycke.",
    }


def _consent_revoke_setup(cast: Cast) -> tuple[str, dict]:
    consent = make_consent(cast.case, cast.caseworker)
    return _url("consent_revoke", cast, consent.pk), {"confirm": "yes"}


def _affiliation_setup(cast: Cast) -> tuple[str, dict]:
    group = make_group()
    return _url("affiliation_new", cast), {
        "group": str(group.pk),
        "role": "member",
        "started_on": "2019-05-01",
        "ended_on": "",
        "source": "Polisen",
    }


VIEWS = [
    RecordView(
        "assessment_new",
        "assessments",
        AccessAction.CREATE,
        "motivationassessment",
        lambda cast: (_url("assessment_new", cast), assessment_data()),
        lambda cast: MotivationAssessment.objects.count(),
    ),
    RecordView(
        "threat_new",
        "threat",
        AccessAction.CREATE,
        "threatassessment",
        lambda cast: (
            _url("threat_new", cast),
            {"level": "3", "source": "police", "assessed_on": iso(today()), "note": "Hot."},
        ),
        lambda cast: ThreatAssessment.objects.count(),
    ),
    RecordView(
        "need_new",
        "needs",
        AccessAction.CREATE,
        "caseneed",
        lambda cast: (
            _url("need_new", cast),
            {
                "need": str(Need.objects.get(code="housing").pk),
                "identified_on": iso(today()),
                "note": "Bor hos en vän.",
            },
        ),
        lambda cast: CaseNeed.objects.count(),
    ),
    RecordView(
        "need_resolve",
        "needs",
        AccessAction.CHANGE,
        "caseneed",
        _need_resolve_setup,
        lambda cast: list(CaseNeed.objects.values_list("resolved_on", flat=True)),
        has_form_page=False,
    ),
    RecordView(
        "intervention_new",
        "interventions",
        AccessAction.CREATE,
        "intervention",
        lambda cast: (_url("intervention_new", cast), intervention_data()),
        lambda cast: Intervention.objects.count(),
    ),
    RecordView(
        "intervention_edit",
        "interventions",
        AccessAction.CHANGE,
        "intervention",
        _intervention_edit_setup,
        lambda cast: list(Intervention.objects.values_list("status", "cost_sek", "actual_start")),
    ),
    RecordView(
        "journal_new",
        "journal",
        AccessAction.CREATE,
        "journalentry",
        lambda cast: (
            _url("journal_new", cast),
            {"occurred_on": iso(today()), "category": "contact", "text": "Samtal med klienten."},
        ),
        lambda cast: JournalEntry.objects.count(),
    ),
    RecordView(
        "consent_new",
        "consent",
        AccessAction.CREATE,
        "consent",
        _consent_setup,
        lambda cast: Consent.objects.count(),
    ),
    RecordView(
        "consent_revoke",
        "consent",
        AccessAction.CHANGE,
        "consent",
        _consent_revoke_setup,
        lambda cast: list(Consent.objects.values_list("revoked_at", flat=True)),
        has_form_page=False,
    ),
    RecordView(
        "affiliation_new",
        "groups",
        AccessAction.CREATE,
        "groupaffiliation",
        _affiliation_setup,
        lambda cast: GroupAffiliation.objects.count(),
    ),
]
FORM_VIEWS = [v for v in VIEWS if v.has_form_page]


# --- Who may use them -------------------------------------------------------------------------


@pytest.mark.parametrize("who", EDITORS)
@pytest.mark.parametrize("view", FORM_VIEWS, ids=str)
def test_editor_gets_the_form(client, cast, view, who):
    url, _data = view.setup(cast)
    client.force_login(getattr(cast, who))

    response = client.get(url)

    assert response.status_code == 200
    text = response.content.decode()
    assert cast.case.reference in text
    assert '<form method="post"' in text
    assert f'href="{escape(detail_url(cast.case, view.section))}"' in text  # cancel
    assert not change_log(cast).exists()


@pytest.mark.parametrize("who", EDITORS)
@pytest.mark.parametrize("view", VIEWS, ids=str)
def test_editor_saves_and_the_change_is_logged(client, cast, view, who):
    user = getattr(cast, who)
    url, data = view.setup(cast)
    before = view.state(cast)
    client.force_login(user)

    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == detail_url(cast.case, view.section)
    assert view.state(cast) != before
    entry = change_log(cast).get()
    assert entry.user == user
    assert entry.action == view.action
    assert entry.object_type == view.object_type
    assert entry.detail
    assert entry.path == url
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


@pytest.mark.parametrize("view", VIEWS, ids=str)
def test_others_get_404_and_nothing_is_saved(client, cast, view):
    url, data = view.setup(cast)
    before = view.state(cast)

    for who in DENIED:
        client.force_login(getattr(cast, who))
        # The POST-only views refuse a GET before anything else, for everybody.
        assert client.get(url).status_code == (404 if view.has_form_page else 405), who
        assert client.post(url, data).status_code == 404, who

    assert view.state(cast) == before
    assert not change_log(cast).exists()


@pytest.mark.parametrize("view", VIEWS, ids=str)
def test_anonymous_is_sent_to_login(client, cast, view):
    url, data = view.setup(cast)
    before = view.state(cast)

    for response in (client.get(url), client.post(url, data)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    assert view.state(cast) == before


def test_unknown_case_gets_404(client, cast):
    client.force_login(cast.manager)
    url = reverse("cases:journal_new", args=[cast.case.pk + 1000])
    assert client.get(url).status_code == 404


def test_pages_never_name_a_protected_client(client, cast):
    cast.case.client.first_name, cast.case.client.last_name = "Zlatanina", "Hemligsson"
    cast.case.client.protected_identity = True
    cast.case.client.save()
    client.force_login(cast.caseworker)
    for view in FORM_VIEWS:
        url, _data = view.setup(cast)
        text = client.get(url).content.decode()
        assert cast.case.reference in text
        assert "Hemligsson" not in text
        assert "Zlatanina" not in text


# --- Sub-objects of another case --------------------------------------------------------------


def test_intervention_of_another_case_gets_404(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    intervention = make_intervention(other, cast.manager, status="planned")
    url = reverse("cases:intervention_edit", args=[cast.case.pk, intervention.pk])
    client.force_login(cast.manager)  # the manager may edit both cases

    assert client.get(url).status_code == 404
    assert client.post(url, intervention_data(status="cancelled")).status_code == 404

    intervention.refresh_from_db()
    assert intervention.status == "planned"


def test_need_of_another_case_gets_404(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    need = CaseNeed.objects.create(
        case=other, need=Need.objects.get(code="debt"), identified_on=today()
    )
    client.force_login(cast.manager)

    response = client.post(reverse("cases:need_resolve", args=[cast.case.pk, need.pk]))

    assert response.status_code == 404
    need.refresh_from_db()
    assert need.resolved_on is None


def test_consent_of_another_case_gets_404(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    consent = make_consent(other, cast.manager)
    client.force_login(cast.manager)

    response = client.post(reverse("cases:consent_revoke", args=[cast.case.pk, consent.pk]))

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


# --- Assessments ------------------------------------------------------------------------------


def test_assessment_saves_every_score_and_criterion(client, cast):
    current = instrument()
    items = list(current.items.all())
    criteria = list(current.criteria.all())
    data = assessment_data(
        **{f"item_{items[0].pk}": "0", f"criterion_{criteria[-1].pk}": "not_met"}
    )
    client.force_login(cast.caseworker)

    client.post(reverse("cases:assessment_new", args=[cast.case.pk]), data)

    assessment = MotivationAssessment.objects.get()
    assert assessment.case == cast.case
    assert assessment.assessor == cast.caseworker
    assert assessment.instrument == current
    assert assessment.stage == "preparation"
    assert assessment.recommendation == "accept"
    assert assessment.total_score == 3 * (len(items) - 1)
    assert assessment.criteria_met is False
    assert {s.item_id: s.score for s in assessment.scores.all()}[items[0].pk] == 0
    checks = {c.criterion_id: c.met for c in assessment.criterion_checks.all()}
    assert checks == {c.pk: c != criteria[-1] for c in criteria}


def test_assessment_form_groups_each_question_in_a_fieldset(client, cast):
    current = instrument()
    client.force_login(cast.caseworker)

    text = client.get(reverse("cases:assessment_new", args=[cast.case.pk])).content.decode()

    questions = current.items.count() + current.criteria.count() + 2  # stage, recommendation
    assert text.count("<fieldset") == questions
    assert text.count("<legend>") == questions
    for item in current.items.all():
        assert escape(item.text_sv) in text
        for score in range(item.max_score + 1):
            assert f'name="item_{item.pk}" value="{score}"' in text
    assert f'value="{iso(today())}"' in text  # the date defaults to today


def test_assessment_with_an_unanswered_item_keeps_the_answers(client, cast):
    item = instrument().items.all()[0]
    data = assessment_data(notes="Behöver mer tid.")
    del data[f"item_{item.pk}"]
    client.force_login(cast.caseworker)

    response = client.post(reverse("cases:assessment_new", args=[cast.case.pk]), data)

    assert response.status_code == 200
    text = response.content.decode()
    assert required_message() in text
    assert is_checked(text, "stage", "preparation")
    assert is_checked(text, "recommendation", "accept")
    assert "Behöver mer tid." in text
    assert not MotivationAssessment.objects.exists()
    assert not change_log(cast).exists()


@pytest.mark.parametrize("score", ["5", "-1", "x"])
def test_assessment_refuses_a_score_outside_the_scale(client, cast, score):
    item = instrument().items.all()[0]
    client.force_login(cast.caseworker)

    response = client.post(
        reverse("cases:assessment_new", args=[cast.case.pk]),
        assessment_data(**{f"item_{item.pk}": score}),
    )

    assert response.status_code == 200
    assert not MotivationAssessment.objects.exists()


def test_assessment_in_the_future_is_refused(client, cast):
    tomorrow = iso(today() + datetime.timedelta(days=1))
    client.force_login(cast.caseworker)

    response = client.post(
        reverse("cases:assessment_new", args=[cast.case.pk]), assessment_data(assessed_on=tomorrow)
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert translated("An assessment cannot be dated in the future.") in text
    assert f'value="{tomorrow}"' in text
    assert not MotivationAssessment.objects.exists()
    assert not change_log(cast).exists()


# --- Threats and needs ------------------------------------------------------------------------


def test_threat_is_saved_with_its_level_and_source(client, cast):
    client.force_login(cast.caseworker)
    client.post(
        reverse("cases:threat_new", args=[cast.case.pk]),
        {"level": "4", "source": "client", "assessed_on": "2026-01-15", "note": " Hot. "},
    )
    threat = ThreatAssessment.objects.get()
    assert (threat.case, threat.level, threat.source) == (cast.case, 4, "client")
    assert threat.assessed_on == datetime.date(2026, 1, 15)
    assert threat.recorded_by == cast.caseworker


def test_threat_in_the_future_is_refused(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:threat_new", args=[cast.case.pk]),
        {"level": "2", "source": "own", "assessed_on": iso(today() + datetime.timedelta(days=3))},
    )
    assert response.status_code == 200
    assert translated("A threat assessment cannot be dated in the future.") in (
        response.content.decode()
    )
    assert not ThreatAssessment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"level": "9", "source": "police", "assessed_on": "2026-01-01"},
        {"level": "2", "source": "rumour", "assessed_on": "2026-01-01"},
        {"level": "2", "source": "police", "assessed_on": "2026-02-30"},
        {"level": "2", "source": "police", "assessed_on": ""},
        {},
    ],
)
def test_threat_with_bad_input_saves_nothing(client, cast, data):
    client.force_login(cast.caseworker)
    response = client.post(reverse("cases:threat_new", args=[cast.case.pk]), data)
    assert response.status_code == 200
    assert not ThreatAssessment.objects.exists()


@pytest.mark.parametrize("need", ["999999", "9" * 30, "abc", ""])
def test_need_with_an_unknown_id_saves_nothing(client, cast, need):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:need_new", args=[cast.case.pk]),
        {"need": need, "identified_on": iso(today()), "note": "Okänd."},
    )
    assert response.status_code == 200
    assert "Okänd." in response.content.decode()
    assert not CaseNeed.objects.exists()


def test_retired_need_cannot_be_chosen(client, cast):
    retired = Need.objects.get(code="legal")
    retired.active = False
    retired.save()
    client.force_login(cast.caseworker)
    text = client.get(reverse("cases:need_new", args=[cast.case.pk])).content.decode()
    assert f'value="{retired.pk}"' not in text
    response = client.post(
        reverse("cases:need_new", args=[cast.case.pk]),
        {"need": str(retired.pk), "identified_on": iso(today())},
    )
    assert response.status_code == 200
    assert not CaseNeed.objects.exists()


def test_a_need_already_open_is_not_added_twice(client, cast):
    housing = Need.objects.get(code="housing")
    CaseNeed.objects.create(case=cast.case, need=housing, identified_on=today())
    client.force_login(cast.caseworker)

    response = client.post(
        reverse("cases:need_new", args=[cast.case.pk]),
        {"need": str(housing.pk), "identified_on": iso(today())},
    )

    assert response.status_code == 200
    with translation.override("sv"):
        label = housing.label
    assert translated("The need “%(need)s” is already open in this case.", need=label) in (
        response.content.decode()
    )
    assert CaseNeed.objects.count() == 1


def test_need_resolved_without_a_date_is_resolved_today(client, cast):
    need = CaseNeed.objects.create(
        case=cast.case, need=Need.objects.get(code="debt"), identified_on=today()
    )
    client.force_login(cast.caseworker)
    client.post(reverse("cases:need_resolve", args=[cast.case.pk, need.pk]), {"confirm": "yes"})
    need.refresh_from_db()
    assert need.resolved_on == today()


@pytest.mark.parametrize("resolved_on", ["2000-01-01", "not a date"])
def test_need_resolve_refusal_goes_back_with_a_message(client, cast, resolved_on):
    need = CaseNeed.objects.create(
        case=cast.case,
        need=Need.objects.get(code="debt"),
        identified_on=today() - datetime.timedelta(days=3),
    )
    client.force_login(cast.caseworker)

    response = client.post(
        reverse("cases:need_resolve", args=[cast.case.pk, need.pk]),
        {"resolved_on": resolved_on, "confirm": "yes"},
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(cast.case, "needs")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    need.refresh_from_db()
    assert need.resolved_on is None
    assert not change_log(cast).exists()


# --- Interventions ----------------------------------------------------------------------------


def test_intervention_is_saved_with_every_field(client, cast):
    provider = make_agency("Mentorstiftelsen", kind=AgencyKind.NGO)
    client.force_login(cast.caseworker)

    client.post(
        reverse("cases:intervention_new", args=[cast.case.pk]),
        intervention_data(
            provider=str(provider.pk),
            actual_start="2026-01-05",
            status="ongoing",
            outcome="partly",
            outcome_note="Träffas varje vecka.",
        ),
    )

    intervention = Intervention.objects.get()
    assert intervention.case == cast.case
    assert intervention.type == intervention_type()
    assert intervention.provider == provider
    assert intervention.actual_start == datetime.date(2026, 1, 5)
    assert intervention.status == "ongoing"
    assert intervention.cost_sek == Decimal("1200.00")
    assert intervention.outcome == "partly"
    assert intervention.created_by == cast.caseworker


def test_intervention_without_provider_is_the_programs_own(client, cast):
    client.force_login(cast.caseworker)
    client.post(
        reverse("cases:intervention_new", args=[cast.case.pk]), intervention_data(cost_sek="")
    )
    intervention = Intervention.objects.get()
    assert intervention.provider is None
    assert intervention.cost_sek is None


@pytest.mark.parametrize("typed", ["1500,50", "1 500,50", "1\xa0500,50", "1500.50", " 1500,5 "])
def test_swedish_cost_is_understood(client, cast, typed):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:intervention_new", args=[cast.case.pk]), intervention_data(cost_sek=typed)
    )
    assert response.status_code == 302
    assert Intervention.objects.get().cost_sek == Decimal("1500.50")


def test_english_cost_is_understood_in_english(client, cast):
    client.cookies["django_language"] = "en"
    client.force_login(cast.caseworker)
    url = reverse("cases:intervention_new", args=[cast.case.pk])

    assert client.post(url, intervention_data(cost_sek="1,500.50")).status_code == 302
    # a comma that does not group thousands is not silently read as one
    assert client.post(url, intervention_data(cost_sek="1,5")).status_code == 200

    assert list(Intervention.objects.values_list("cost_sek", flat=True)) == [Decimal("1500.50")]


@pytest.mark.parametrize(
    ("cost", "kept"),
    [("-1", "-1"), ("-0,01", "-0,01"), ("12345678901234", "12345678901234"), ("mycket", "mycket")],
)
def test_bad_cost_keeps_the_input_and_saves_nothing(client, cast, cost, kept):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:intervention_new", args=[cast.case.pk]),
        intervention_data(cost_sek=cost, outcome_note="Behålls."),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert f'value="{kept}"' in text
    assert "Behålls." in text
    assert not Intervention.objects.exists()
    assert not change_log(cast).exists()


@pytest.mark.parametrize(
    ("start", "end"), [("planned_start", "planned_end"), ("actual_start", "actual_end")]
)
def test_intervention_ending_before_it_starts_is_refused(client, cast, start, end):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:intervention_new", args=[cast.case.pk]),
        intervention_data(**{start: "2026-01-10", end: "2026-01-01"}),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert translated("An end date cannot come before its start date.") in text
    assert 'value="2026-01-10"' in text
    assert 'value="2026-01-01"' in text
    assert not Intervention.objects.exists()
    assert not change_log(cast).exists()


def test_intervention_with_unknown_type_or_provider_saves_nothing(client, cast):
    client.force_login(cast.caseworker)
    url = reverse("cases:intervention_new", args=[cast.case.pk])
    assert client.post(url, intervention_data(type="999999")).status_code == 200
    assert client.post(url, intervention_data(provider="999999")).status_code == 200
    assert client.post(url, intervention_data(type="")).status_code == 200
    assert client.post(url, intervention_data(status="forgotten")).status_code == 200
    assert not Intervention.objects.exists()


def test_intervention_edit_is_prefilled(client, cast):
    provider = make_agency("Bostadsbolaget", kind=AgencyKind.HOUSING)
    intervention = make_intervention(
        cast.case,
        cast.caseworker,
        type=intervention_type("protected_housing"),
        provider=provider,
        planned_start=datetime.date(2026, 2, 1),
        cost_sek=Decimal("1500.50"),
        outcome_note="Första veckan gick bra.",
    )
    client.force_login(cast.caseworker)

    text = client.get(
        reverse("cases:intervention_edit", args=[cast.case.pk, intervention.pk])
    ).content.decode()

    assert re.search(rf'<option value="{intervention.type_id}" selected>', text)
    assert re.search(rf'<option value="{provider.pk}" selected>', text)
    assert 'value="2026-02-01"' in text
    assert 'value="1500,50"' in text  # Swedish decimal comma
    assert "Första veckan gick bra." in text


def test_intervention_edit_changes_the_row(client, cast):
    intervention = make_intervention(cast.case, cast.caseworker, cost_sek=Decimal(100))
    client.force_login(cast.manager)

    client.post(
        reverse("cases:intervention_edit", args=[cast.case.pk, intervention.pk]),
        intervention_data(
            status="completed",
            actual_start="2026-01-01",
            actual_end="2026-01-31",
            cost_sek="2 000",
            outcome="achieved",
        ),
    )

    intervention.refresh_from_db()
    assert intervention.status == "completed"
    assert intervention.actual_end == datetime.date(2026, 1, 31)
    assert intervention.cost_sek == Decimal(2000)
    assert intervention.outcome == "achieved"
    assert intervention.created_by == cast.caseworker  # the author stays


def test_intervention_keeps_a_type_retired_since(client, cast):
    retired = intervention_type("studies")
    intervention = make_intervention(cast.case, cast.caseworker, type=retired)
    retired.active = False
    retired.save()
    client.force_login(cast.caseworker)
    url = reverse("cases:intervention_edit", args=[cast.case.pk, intervention.pk])

    response = client.post(url, intervention_data(type=str(retired.pk), status="ongoing"))

    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.status == "ongoing"
    # ...but a new intervention cannot use it
    new = client.post(
        reverse("cases:intervention_new", args=[cast.case.pk]),
        intervention_data(type=str(retired.pk)),
    )
    assert new.status_code == 200
    assert Intervention.objects.count() == 1


def test_bad_edit_leaves_the_intervention_unchanged(client, cast):
    intervention = make_intervention(cast.case, cast.caseworker, cost_sek=Decimal(100))
    client.force_login(cast.caseworker)

    response = client.post(
        reverse("cases:intervention_edit", args=[cast.case.pk, intervention.pk]),
        intervention_data(actual_start="2026-03-01", actual_end="2026-02-01", cost_sek="300"),
    )

    assert response.status_code == 200
    intervention.refresh_from_db()
    assert intervention.cost_sek == Decimal(100)
    assert intervention.actual_start is None
    assert not change_log(cast).exists()


# --- Journal ----------------------------------------------------------------------------------


def test_journal_entry_is_saved(client, cast):
    client.force_login(cast.caseworker)
    client.post(
        reverse("cases:journal_new", args=[cast.case.pk]),
        {"occurred_on": "2026-01-20", "category": "meeting", "text": "  Möte på Kriminalvården. "},
    )
    entry = JournalEntry.objects.get()
    assert entry.case == cast.case
    assert entry.author == cast.caseworker
    assert entry.occurred_on == datetime.date(2026, 1, 20)
    assert entry.category == "meeting"
    assert entry.text == "Möte på Kriminalvården."
    assert entry.corrects is None
    assert change_log(cast).get().detail == "journal entry"


@pytest.mark.parametrize("text", ["", "   "])
def test_journal_entry_without_text_keeps_the_input(client, cast, text):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:journal_new", args=[cast.case.pk]),
        {"occurred_on": "2026-01-20", "category": "safety", "text": text},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert required_message() in body
    assert 'value="2026-01-20"' in body
    assert re.search(r'<option value="safety" selected>', body)
    assert not JournalEntry.objects.exists()


def test_journal_entry_about_a_future_day_is_refused(client, cast):
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:journal_new", args=[cast.case.pk]),
        {
            "occurred_on": iso(today() + datetime.timedelta(days=1)),
            "category": "contact",
            "text": "Imorgon.",
        },
    )
    assert response.status_code == 200
    assert translated("A journal entry cannot describe a future day.") in response.content.decode()
    assert "Imorgon." in response.content.decode()
    assert not JournalEntry.objects.exists()


def test_correction_points_at_the_original_which_stays_as_written(client, cast):
    original = JournalEntry.objects.create(
        case=cast.case,
        author=cast.caseworker,
        occurred_on=datetime.date(2026, 1, 10),
        category="contact",
        text="Klienten ringde från Malmö.",
    )
    url = reverse("cases:journal_new", args=[cast.case.pk]) + f"?corrects={original.pk}"
    client.force_login(cast.manager)

    page = client.get(url).content.decode()
    assert "Klienten ringde från Malmö." in page  # shown read-only above the form
    assert 'value="2026-01-10"' in page  # starts from the original's date
    assert "<textarea" in page and "Klienten ringde" not in page.split("<textarea")[1]

    response = client.post(
        url, {"occurred_on": "2026-01-10", "category": "contact", "text": "Ringde från Lund."}
    )

    assert response.status_code == 302
    correction = JournalEntry.objects.exclude(pk=original.pk).get()
    assert correction.corrects == original
    assert correction.author == cast.manager
    assert correction.text == "Ringde från Lund."
    original.refresh_from_db()
    assert original.text == "Klienten ringde från Malmö."
    assert original.corrects is None
    assert change_log(cast).get().detail == "journal correction"


@pytest.mark.parametrize("corrects", ["other-case", "999999", "abc", "", "-1", "\u00b2", "9" * 30])
def test_correction_of_an_entry_not_in_the_case_gets_404(client, cast, corrects):
    if corrects == "other-case":
        other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
        corrects = str(
            JournalEntry.objects.create(
                case=other,
                author=cast.manager,
                occurred_on=today(),
                category="other",
                text="Annat ärende.",
            ).pk
        )
    url = reverse("cases:journal_new", args=[cast.case.pk]) + f"?corrects={corrects}"
    client.force_login(cast.manager)
    data = {"occurred_on": iso(today()), "category": "other", "text": "Rättelse."}

    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert not JournalEntry.objects.filter(case=cast.case).exists()


# --- Consent ----------------------------------------------------------------------------------


def test_consent_is_saved_with_agencies_and_information(client, cast):
    police = make_agency("Polisregion Stockholm", kind=AgencyKind.POLICE)
    housing = make_agency("Bostadsbolaget", kind=AgencyKind.HOUSING)
    make_agency("Nedlagd myndighet", active=False)
    client.force_login(cast.caseworker)

    client.post(
        reverse("cases:consent_new", args=[cast.case.pk]),
        {
            "agencies": [str(police.pk), str(housing.pk)],
            "information": ["identity", "placement"],
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
    )

    consent = Consent.objects.exclude(pk=cast.consent.pk).get()
    assert consent.case == cast.case
    assert set(consent.agencies.all()) == {police, housing}
    assert sorted(consent.information) == ["identity", "placement"]
    assert consent.valid_until == datetime.date(2026, 12, 31)
    assert consent.recorded_by == cast.caseworker


def test_consent_without_agency_keeps_the_input(client, cast):
    make_agency()
    client.force_login(cast.caseworker)
    response = client.post(
        reverse("cases:consent_new", args=[cast.case.pk]),
        {"information": ["threat"], "valid_from": "2026-01-01", "note": "Muntligt."},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert required_message() in text
    assert is_checked(text, "information", "threat")
    assert not is_checked(text, "information", "identity")
    assert "Muntligt." in text
    assert not Consent.objects.exclude(pk=cast.consent.pk).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"valid_from": "2026-02-01", "valid_until": "2026-01-01"},  # ends before it begins
        {"agencies": ["999999"]},
        {"information": ["diary"]},
        {"information": []},
    ],
)
def test_bad_consent_saves_nothing(client, cast, overrides):
    agency = make_agency()
    data = {
        "agencies": [str(agency.pk)],
        "information": ["identity"],
        "valid_from": "2026-01-01",
    } | overrides
    client.force_login(cast.caseworker)
    response = client.post(reverse("cases:consent_new", args=[cast.case.pk]), data)
    assert response.status_code == 200
    assert not Consent.objects.exclude(pk=cast.consent.pk).exists()


def test_inactive_agency_is_not_offered(client, cast):
    gone = make_agency("Nedlagd myndighet", active=False)
    make_agency()
    client.force_login(cast.caseworker)
    text = client.get(reverse("cases:consent_new", args=[cast.case.pk])).content.decode()
    assert "Kriminalvården Stockholm" in text
    assert gone.name not in text


def test_consent_revoked_twice_is_refused_the_second_time(client, cast):
    consent = make_consent(cast.case, cast.caseworker)
    url = reverse("cases:consent_revoke", args=[cast.case.pk, consent.pk])
    client.force_login(cast.caseworker)

    client.post(url, {"confirm": "yes"})
    consent.refresh_from_db()
    first = consent.revoked_at
    assert first is not None
    assert consent.revoked_by == cast.caseworker

    response = client.post(url, {"confirm": "yes"})

    assert response.status_code == 302
    assert response["Location"] == detail_url(cast.case, "consent")
    # the first success message is still waiting: the case page was never shown
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"
    consent.refresh_from_db()
    assert consent.revoked_at == first
    assert change_log(cast).count() == 1


# --- Group affiliations -----------------------------------------------------------------------


def test_affiliation_is_recorded_on_the_client(client, cast):
    group = make_group()
    client.force_login(cast.caseworker)
    client.post(
        reverse("cases:affiliation_new", args=[cast.case.pk]),
        {"group": str(group.pk), "role": "leader", "started_on": "2018-01-01", "source": "Polisen"},
    )
    affiliation = GroupAffiliation.objects.get()
    assert affiliation.client == cast.case.client
    assert (affiliation.group, affiliation.role) == (group, "leader")
    assert affiliation.started_on == datetime.date(2018, 1, 1)
    assert affiliation.ended_on is None
    assert affiliation.recorded_by == cast.caseworker


@pytest.mark.parametrize(
    "overrides",
    [
        {"started_on": "2020-01-01", "ended_on": "2019-01-01"},
        {"role": "boss"},
        {"group": "999999"},
        {"group": "inactive"},
    ],
)
def test_bad_affiliation_saves_nothing(client, cast, overrides):
    group = make_group()
    if overrides.get("group") == "inactive":
        overrides["group"] = str(make_group("Upplöst gäng", active=False).pk)
    data = {"group": str(group.pk), "role": "member", "started_on": "", "ended_on": ""}
    client.force_login(cast.caseworker)
    response = client.post(reverse("cases:affiliation_new", args=[cast.case.pk]), data | overrides)
    assert response.status_code == 200
    assert not GroupAffiliation.objects.exists()


# --- Optimistic locking (issue 10, first form) ------------------------------------------------


def _seen(response) -> str:
    """The edit form's record of when the intervention was last saved, as it was opened."""
    return str(response.context["form"]["seen"].value())


def test_a_stale_edit_form_is_refused_and_the_first_change_kept(client, cast):
    intervention = make_intervention(cast.case, cast.manager, status="planned", cost_sek=1000)
    url = reverse("cases:intervention_edit", args=[cast.case.pk, intervention.pk])
    first, second = client, HttpClient()
    first.force_login(cast.caseworker)
    second.force_login(cast.manager)
    opened_first = _seen(first.get(url))
    opened_second = _seen(second.get(url))

    data = intervention_data(cost_sek="2500", outcome_note="Kanarie8w1n först")
    response = first.post(url, data | {"seen": opened_first})
    assert response.status_code == 302

    stale = intervention_data(cost_sek="1000", outcome_note="Kanarie8w1n sedan")
    response = second.post(url, stale | {"seen": opened_second})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        translated(
            "Someone else changed this intervention after you opened the form. Nothing was "
            "saved: the current values are shown above, and what you typed is kept below. Check "
            "it and save again."
        )
        in page
    )
    assert 'id="current-values"' in page and "Kanarie8w1n först" in page  # as it is now
    assert "Kanarie8w1n sedan" in page  # the second user's input is kept
    intervention.refresh_from_db()
    assert intervention.cost_sek == Decimal("2500.00")
    assert intervention.outcome_note == "Kanarie8w1n först"

    # Saving again from the refused form is a deliberate choice over the current values.
    again = response.context["form"]["seen"].value()
    response = second.post(url, stale | {"seen": again})
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.outcome_note == "Kanarie8w1n sedan"


def test_the_service_refuses_a_save_based_on_an_old_read(cast):
    intervention = make_intervention(cast.case, cast.manager, status="planned")
    seen = intervention.updated_at
    services.intervention_update(intervention=intervention, by=cast.manager, status="ongoing")
    with pytest.raises(StaleEditError) as refused:
        services.intervention_update(
            intervention=intervention, by=cast.caseworker, seen=seen, status="cancelled"
        )
    assert refused.value.current.status == "ongoing"
    intervention.refresh_from_db()
    assert intervention.status == "ongoing"
