"""The youth rules of a municipality (issue 12): the page its managers set them on, the
program's minimum age at the intake decision, and the youth path with the child unit."""

import datetime
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import YOUTH_RULES_NEVER_SAVED, Role, User, YouthRules
from audit.models import AccessAction, AccessLogEntry
from cases import services
from cases.models import Case, CaseState, CaseStateChange
from cases.services import CaseRuleError
from cases.tabs import case_tab_url
from exitprog.triggers import history_of
from tests.conftest import Cast, make_user
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

REASON = "Kanarie-yr-reason-5k2p"
CHILD_UNIT = "Kanarie-yr-barnenheten-8d3q"
DENIED = ["caseworker", "teammate", "outsider", "police", "police_unshared", "analyst"]


def in_swedish(message: str, **params: object) -> str:
    with translation.override("sv"):
        text = gettext(message)
    return text % params if params else text


def logged_in(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def rules_url(cast: Cast) -> str:
    return reverse("youth_rules", args=[cast.stockholm.pk])


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: the birthday is reached on 1 March
        return day.replace(year=day.year - years, month=3, day=1)


def form_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "minimum_age": 15,
        "guardian_consent_for_interventions": "on",
        "guardian_consent_for_sharing": "on",
        "own_consent_age": 15,
        "child_unit_name": CHILD_UNIT,
        "child_unit_phone": "08-508 000 00",
        "child_unit_email": "barnenheten@example.se",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def rules_set(cast: Cast, **changes: object) -> YouthRules:
    data = form_data(**changes)
    return services.youth_rules_save(
        municipality=cast.stockholm,
        by=cast.manager,
        minimum_age=int(data["minimum_age"]),  # type: ignore[call-overload]
        guardian_consent_for_interventions="guardian_consent_for_interventions" in data,
        guardian_consent_for_sharing="guardian_consent_for_sharing" in data,
        own_consent_age=int(data["own_consent_age"]),  # type: ignore[call-overload]
        child_unit_name=str(data.get("child_unit_name", "")),
        child_unit_phone=str(data.get("child_unit_phone", "")),
        child_unit_email=str(data.get("child_unit_email", "")),
    )


def waiting_case(cast: Cast, *, born: datetime.date | None, **client: object) -> Case:
    """A Stockholm case in assessment, waiting for the intake decision."""
    person = ClientFactory(municipality=cast.stockholm, birth_date=born, **client)
    return CaseFactory(
        municipality=cast.stockholm,
        client=person,
        state=CaseState.ASSESSMENT,
        created_by=cast.manager,
    )


# --- The rules and their defaults -------------------------------------------------------------


def test_the_defaults_apply_until_a_manager_saves_the_rules(cast):
    rules = YouthRules.of(cast.stockholm)
    assert rules.pk is None
    assert (rules.minimum_age, rules.own_consent_age) == (15, 15)
    assert rules.guardian_consent_for_interventions is True
    assert rules.guardian_consent_for_sharing is True
    assert rules.child_unit_contact == ""
    assert rules.updated_at == YOUTH_RULES_NEVER_SAVED

    saved = rules_set(cast, minimum_age=16, guardian_consent_for_sharing=None)
    assert saved.pk is not None
    fresh = YouthRules.of(cast.stockholm)
    assert (fresh.pk, fresh.minimum_age, fresh.guardian_consent_for_sharing) == (
        saved.pk,
        16,
        False,
    )
    assert fresh.child_unit_contact == f"{CHILD_UNIT}, 08-508 000 00, barnenheten@example.se"
    assert YouthRules.of(cast.malmo).pk is None  # one municipality's rules only


def test_the_rules_keep_their_history_and_the_change_is_logged(cast):
    rules = rules_set(cast)
    rules_set(cast, minimum_age=14)
    versions = (
        history_of(YouthRules)._default_manager.filter(pgh_obj_id=rules.pk).order_by("pgh_id")
    )
    assert [v.minimum_age for v in versions] == [15, 14]  # type: ignore[attr-defined]
    assert (
        AccessLogEntry.objects.filter(
            user=cast.manager, action=AccessAction.CHANGE, detail="youth rules"
        ).count()
        == 2
    )


def test_only_a_manager_of_the_municipality_may_save_the_rules(cast):
    with pytest.raises(CaseRuleError):
        services.youth_rules_save(
            municipality=cast.stockholm,
            by=cast.caseworker,
            minimum_age=12,
            guardian_consent_for_interventions=False,
            guardian_consent_for_sharing=False,
            own_consent_age=12,
        )
    assert not YouthRules.objects.exists()


# --- The page ---------------------------------------------------------------------------------


def test_the_manager_sets_the_rules_on_the_page(cast):
    manager = logged_in(cast.manager)
    response = manager.get(rules_url(cast))
    assert response.status_code == 200
    assert 'id="youth-rules-defaults"' in response.content.decode()
    assert AccessLogEntry.objects.filter(
        user=cast.manager, action=AccessAction.VIEW, detail="youth rules"
    ).exists()
    seen = response.context["form"]["seen"].value()

    response = manager.post(rules_url(cast), form_data(minimum_age=13, seen=seen))
    assert response.status_code == 302
    rules = YouthRules.objects.get(municipality=cast.stockholm)
    assert (rules.minimum_age, rules.child_unit_name) == (13, CHILD_UNIT)
    assert CHILD_UNIT in manager.get(rules_url(cast)).content.decode()


def test_the_page_is_linked_from_the_roles_page_and_the_managers_home(cast):
    manager = logged_in(cast.manager)
    link = f'href="{rules_url(cast)}"'
    assert (
        link
        in manager.get(reverse("municipality_roles", args=[cast.stockholm.pk])).content.decode()
    )
    assert link in manager.get(reverse("home")).content.decode()


@pytest.mark.parametrize("who", DENIED)
def test_the_page_is_404_for_anyone_but_the_municipalitys_managers(cast, who):
    user = getattr(cast, who)
    visitor = logged_in(user)
    assert visitor.get(rules_url(cast)).status_code == 404
    assert visitor.post(rules_url(cast), form_data(minimum_age=3)).status_code == 404
    assert not YouthRules.objects.exists()
    assert AccessLogEntry.objects.filter(user=user, action=AccessAction.DENIED).exists()


def test_the_page_is_404_for_another_municipalitys_manager_and_the_administrator(cast):
    malmo_manager = make_user("mats", Role.MANAGER, municipality=cast.malmo)
    for user in (malmo_manager, cast.administrator):
        visitor = logged_in(user)
        assert visitor.get(rules_url(cast)).status_code == 404
        assert visitor.post(rules_url(cast), form_data(minimum_age=3)).status_code == 404
    assert not YouthRules.objects.exists()


def test_someone_not_signed_in_is_sent_to_the_login(cast):
    response = HttpClient().get(rules_url(cast))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_stale_form_is_refused_with_the_rules_now_and_the_input_kept(cast):
    other = make_user("mona", Role.MANAGER, municipality=cast.stockholm)
    first, second = logged_in(other), logged_in(cast.manager)
    opened_first = first.get(rules_url(cast)).context["form"]["seen"].value()
    opened_second = second.get(rules_url(cast)).context["form"]["seen"].value()

    # The first save makes the row; the second form was opened on the defaults.
    assert (
        first.post(rules_url(cast), form_data(minimum_age=16, seen=opened_first)).status_code == 302
    )
    kept = "Kanarie-yr-kept-unit-2r7w"
    response = second.post(
        rules_url(cast), form_data(minimum_age=12, child_unit_name=kept, seen=opened_second)
    )

    assert response.status_code == 200
    page = response.content.decode()
    message = in_swedish(
        "Someone else changed the youth rules of %(municipality)s after you opened the page. "
        "Nothing was saved: the rules as they are now are shown above, and what you typed is "
        "kept below. Check it and save again.",
        municipality=cast.stockholm,
    )
    assert escape(message) in page
    assert re.search(r'id="current-values".*?<dd>16</dd>', page, re.S)
    assert response.context["form"]["minimum_age"].value() == "12"  # the input, kept
    assert f'value="{kept}"' in page
    assert YouthRules.of(cast.stockholm).minimum_age == 16

    again = response.context["form"]["seen"].value()
    assert second.post(rules_url(cast), form_data(minimum_age=12, seen=again)).status_code == 302
    assert YouthRules.of(cast.stockholm).minimum_age == 12


def test_the_page_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    manager = logged_in(cast.manager)
    manager.get(rules_url(cast))  # the session is made
    # The session, the user, the municipality, the grants, the rules, the access log's row,
    # the header's unread notifications, the session's update (in a savepoint): the same
    # before and after the rules are saved.
    with django_assert_num_queries(10) as few:
        manager.get(rules_url(cast))
    rules_set(cast)
    with django_assert_num_queries(len(few.captured_queries)):
        manager.get(rules_url(cast))


# --- The minimum age at the intake decision ----------------------------------------------------


def test_a_client_a_day_short_of_the_minimum_age_is_refused_with_the_rule_named(cast):
    today = timezone.localdate()
    case = waiting_case(cast, born=years_before(today, 15) + datetime.timedelta(days=1))
    with translation.override("en"), pytest.raises(CaseRuleError) as refused:
        services.case_accept(case=case, by=cast.manager, reason=REASON)
    message = " ".join(refused.value.messages)
    assert "The program's minimum age in Stockholm is 15; the client is 14." in message
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT
    assert not CaseStateChange.objects.filter(case=case, reason=REASON).exists()


def test_a_client_on_the_birthday_that_reaches_the_minimum_age_is_accepted(cast):
    case = waiting_case(cast, born=years_before(timezone.localdate(), 15))
    services.case_accept(case=case, by=cast.manager, reason=REASON)
    case.refresh_from_db()
    assert (case.state, case.youth_path) == (CaseState.ACCEPTED, False)


def test_the_municipalitys_own_minimum_age_is_the_rule(cast):
    rules_set(cast, minimum_age=17)
    case = waiting_case(cast, born=years_before(timezone.localdate(), 16))
    with translation.override("en"), pytest.raises(CaseRuleError) as refused:
        services.case_transition(
            case=case, to_state=CaseState.ACCEPTED, by=cast.manager, reason=REASON
        )
    assert "minimum age in Stockholm is 17; the client is 16" in " ".join(refused.value.messages)


def test_a_client_with_only_an_age_band_under_15_is_refused(cast):
    case = waiting_case(
        cast,
        born=None,
        identity_number="",
        reserve_identity="Kanarie-yr-reserve-9p",
        age_band="under_15",
        age_band_on=timezone.localdate(),
    )
    with translation.override("en"), pytest.raises(CaseRuleError) as refused:
        services.case_accept(case=case, by=cast.manager, reason=REASON)
    assert "The program's minimum age in Stockholm is 15; the client is" in " ".join(
        refused.value.messages
    )
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT


# --- The youth path ---------------------------------------------------------------------------


def test_the_youth_path_accepts_a_young_client_with_the_child_unit(cast):
    rules_set(cast)
    case = waiting_case(cast, born=years_before(timezone.localdate(), 13))
    services.case_accept_youth_path(case=case, by=cast.manager, reason=REASON)
    case.refresh_from_db()
    assert (case.state, case.youth_path) == (CaseState.ACCEPTED, True)
    decision = CaseStateChange.objects.get(case=case, reason=REASON)
    assert (decision.from_state, decision.to_state, decision.by) == (
        CaseState.ASSESSMENT,
        CaseState.ACCEPTED,
        cast.manager,
    )
    assert AccessLogEntry.objects.filter(
        user=cast.manager, case=case, action=AccessAction.CHANGE, detail="youth path"
    ).exists()

    page = logged_in(cast.manager).get(case_tab_url(case.pk, "overview")).content.decode()
    shown = in_swedish("Youth path, with the child unit: %(contact)s", contact="")
    assert 'id="youth-path"' in page
    assert escape(shown) in page
    assert CHILD_UNIT in page


def test_the_youth_path_needs_the_child_unit_and_a_young_client(cast):
    young = waiting_case(cast, born=years_before(timezone.localdate(), 13))
    with pytest.raises(CaseRuleError) as refused:
        services.case_accept_youth_path(case=young, by=cast.manager, reason=REASON)
    assert refused.value.code == "no_child_unit"
    rules_set(cast)
    adult = waiting_case(cast, born=years_before(timezone.localdate(), 30))
    with pytest.raises(CaseRuleError) as refused:
        services.case_accept_youth_path(case=adult, by=cast.manager, reason=REASON)
    assert refused.value.code == "youth_path_adult"
    for case in (young, adult):
        case.refresh_from_db()
        assert (case.state, case.youth_path) == (CaseState.ASSESSMENT, False)


def test_the_intake_decision_offers_the_youth_path_and_takes_it(cast):
    rules_set(cast)
    case = waiting_case(cast, born=years_before(timezone.localdate(), 14))
    manager = logged_in(cast.manager)
    page = manager.get(case_tab_url(case.pk, "overview"))
    assert 'name="youth_path"' in page.content.decode()
    seen = page.context["transition_form"]["seen"].value()

    # Accepting without the youth path is refused, naming the rule.
    response = manager.post(
        reverse("cases:transition", args=[case.pk]),
        {"to_state": "accepted", "reason": REASON, "seen": seen},
        follow=True,
    )
    refusal = in_swedish(
        "The program's minimum age in %(municipality)s is %(minimum)s; the client is "
        "%(age)s. Accept the case on the youth path instead, with the child unit.",
        municipality=cast.stockholm,
        minimum=15,
        age=14,
    )
    assert escape(refusal) in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT

    response = manager.post(
        reverse("cases:transition", args=[case.pk]),
        {"to_state": "accepted", "reason": REASON, "seen": seen, "youth_path": "on"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.youth_path) == (CaseState.ACCEPTED, True)


def test_an_adults_intake_decision_does_not_offer_the_youth_path(cast):
    case = waiting_case(cast, born=years_before(timezone.localdate(), 30))
    page = logged_in(cast.manager).get(case_tab_url(case.pk, "overview")).content.decode()
    assert 'name="to_state"' in page
    assert 'name="youth_path"' not in page


# --- Guardian consent where the rules need it (cases.services, referrals.selectors) ----------


def _young_cast_client(cast: Cast, age: int) -> None:
    person = cast.case.client
    person.birth_date = years_before(timezone.localdate(), age) - datetime.timedelta(days=10)
    person.save(update_fields=["birth_date"])
    cast.case.client = person


def test_an_intervention_for_a_young_client_needs_the_guardians_consent(cast):
    from cases import guardian_services
    from cases.guardians import GuardianRelation
    from cases.models import InterventionType

    rules_set(cast)
    _young_cast_client(cast, 13)
    kind = InterventionType.objects.order_by("pk")[0]
    with pytest.raises(CaseRuleError) as refused:
        services.intervention_create(case=cast.case, by=cast.caseworker, type=kind)
    assert refused.value.code == "consent_givers"
    mother = guardian_services.guardian_add(
        case=cast.case,
        by=cast.caseworker,
        name="Mor Gk4w",
        relation=GuardianRelation.MOTHER,
        safe_to_contact=True,
    )
    guardian_services.consent_givers_set(
        consent=cast.consent, by=cast.caseworker, client=False, guardians=[mother]
    )
    assert services.intervention_create(case=cast.case, by=cast.caseworker, type=kind).pk


def test_no_guardian_consent_is_asked_where_the_rules_do_not(cast):
    from cases.models import InterventionType

    rules_set(cast, guardian_consent_for_interventions=None)
    _young_cast_client(cast, 13)
    kind = InterventionType.objects.order_by("pk")[0]
    assert services.intervention_create(case=cast.case, by=cast.caseworker, type=kind).pk


def test_sharing_a_young_clients_case_needs_the_consent_given_as_the_rules_say(cast):
    from cases import guardian_services
    from referrals.selectors import consents_covering

    rules_set(cast)
    _young_cast_client(cast, 16)
    today = timezone.localdate()
    # No giver recorded: the 16-year-old's own consent is not known to be given.
    assert consents_covering(case=cast.case, agency=cast.police_agency, today=today) == []
    with pytest.raises(CaseRuleError) as refused:
        services.case_share_with_police(
            case=cast.case, by=cast.manager, liaison=cast.police, consent=cast.consent
        )
    assert refused.value.code == "consent_givers"
    guardian_services.consent_givers_set(
        consent=cast.consent, by=cast.caseworker, client=True, guardians=[]
    )
    assert consents_covering(case=cast.case, agency=cast.police_agency, today=today) == [
        cast.consent
    ]
