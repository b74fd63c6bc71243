"""The small forms embedded in bigger pages keep what the user typed when they refuse it.

The decision and a need's resolved date on the case page, a referral's move and a transfer's
answer post to views of their own, which answer an error with a message and a redirect back
(POST-redirect-GET). The page they come back to shows the message and the form with the
values as they were typed (`exitprog.http`). Pages are Swedish by default, so the tests look
for the typed values and the messages the code produces, translated the same way.
"""

import datetime
import re

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.forms import Field
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import Municipality, Role, User
from agencies.models import Agency, AgencyKind
from cases import services as case_services
from cases.models import CaseNeed, CaseState, Need, Transfer, TransferState
from exitprog.http import SESSION_KEY, input_keep, input_kept
from referrals import services as referral_services
from referrals.models import Referral, ReferralState
from tests.conftest import Cast, make_user
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

REASON = "Kanarie3m9x motivering"
NOTE = "Kanarie7q2v svar från byrån"
ANSWER = "Kanarie5k8w anteckning"


def translated(message: str, **params: object) -> str:
    """A message as a Swedish page shows it, HTML-escaped."""
    with translation.override("sv"):
        text = gettext(message)
    return escape(text % params if params else text)


def required_message() -> str:
    with translation.override("sv"):
        return escape(str(Field.default_error_messages["required"]))


def follow(client, response) -> str:
    """The page the refusal redirects to, as the user's browser gets it next."""
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def textarea(html: str, name: str, element_id: str | None = None) -> str:
    """The content of the textarea `name` (the one with `element_id`, if given)."""
    for match in re.finditer(r"<textarea([^>]*)>(.*?)</textarea>", html, re.S):
        attrs = match.group(1)
        if f'name="{name}"' in attrs and (element_id is None or f'id="{element_id}"' in attrs):
            return match.group(2).strip()
    raise AssertionError(f"no textarea {name} {element_id or ''} on the page")


def input_value(html: str, element_id: str) -> str | None:
    """The value of the input with `element_id` (None if it has none)."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'id="{element_id}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            return value.group(1) if value else None
    raise AssertionError(f"no input {element_id} on the page")


def checked_radios(html: str, name: str) -> list[str]:
    return [
        re.search(r'value="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        for tag in re.findall(r"<input[^>]*>", html)
        if 'type="radio"' in tag and f'name="{name}"' in tag and re.search(r"\schecked", tag)
    ]


# --- The decision on the case page ------------------------------------------------------------


def decide(client, cast: Cast, data: dict[str, str]):
    return client.post(reverse("cases:transition", args=[cast.case.pk]), data)


def test_decision_without_a_reason_comes_back_with_the_chosen_state(client, cast):
    client.force_login(cast.manager)

    page = follow(client, decide(client, cast, {"to_state": "completed", "reason": ""}))

    assert required_message() in page
    assert checked_radios(page, "to_state") == ["completed"]
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.ACTIVE


def test_decision_without_a_state_keeps_the_reason(client, cast):
    client.force_login(cast.manager)

    page = follow(client, decide(client, cast, {"reason": REASON}))

    assert textarea(page, "reason") == REASON


def test_decision_refused_by_the_rules_keeps_the_reason(client, cast):
    # A page opened before someone else moved the case: the chosen step is no longer legal.
    client.force_login(cast.manager)

    page = follow(client, decide(client, cast, {"to_state": "accepted", "reason": REASON}))

    assert (
        translated(
            "A case in state “%(from)s” cannot be moved to “%(to)s”.",
            **{"from": CaseState.ACTIVE.label, "to": CaseState.ACCEPTED.label},
        )
        in page
    )
    assert textarea(page, "reason") == REASON
    assert not cast.case.state_changes.exists()


def test_kept_decision_is_shown_once(client, cast):
    client.force_login(cast.manager)
    follow(client, decide(client, cast, {"reason": REASON}))

    again = client.get(reverse("cases:detail", args=[cast.case.pk])).content.decode()

    assert REASON not in again


def test_kept_decision_stays_with_its_case(client, cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    client.force_login(cast.manager)
    decide(client, cast, {"reason": REASON})

    page = client.get(reverse("cases:detail", args=[other.pk])).content.decode()

    assert REASON not in page


# --- The resolved date of a need --------------------------------------------------------------


def open_need(cast: Cast, identified_on: datetime.date) -> CaseNeed:
    return CaseNeed.objects.create(
        case=cast.case, need=Need.objects.get(code="debt"), identified_on=identified_on
    )


def resolve(client, cast: Cast, need: CaseNeed, resolved_on: str):
    return client.post(
        reverse("cases:need_resolve", args=[cast.case.pk, need.pk]),
        {"resolved_on": resolved_on, "confirm": "yes"},
    )


def test_need_resolved_before_it_was_identified_keeps_the_date(client, cast):
    need = open_need(cast, datetime.date(2001, 2, 5))
    client.force_login(cast.caseworker)

    page = follow(client, resolve(client, cast, need, "2001-02-03"))

    assert translated("A need cannot be resolved before it was identified.") in page
    assert input_value(page, f"need-{need.pk}-resolved_on") == "2001-02-03"
    need.refresh_from_db()
    assert need.resolved_on is None


def test_need_resolved_in_the_future_keeps_the_date(client, cast):
    need = open_need(cast, timezone.localdate() - datetime.timedelta(days=3))
    future = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    client.force_login(cast.caseworker)

    page = follow(client, resolve(client, cast, need, future))

    assert translated("A need cannot be resolved in the future.") in page
    assert input_value(page, f"need-{need.pk}-resolved_on") == future


def test_need_resolved_with_a_typed_non_date_keeps_it_with_the_error_at_the_field(client, cast):
    # A browser without a date picker sends what was typed.
    need = open_need(cast, timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(cast.caseworker)

    page = follow(client, resolve(client, cast, need, "Kanarie9d4t"))

    assert input_value(page, f"need-{need.pk}-resolved_on") == "Kanarie9d4t"
    assert f'id="need-{need.pk}-resolved_on_error"' in page


# --- A referral's move ------------------------------------------------------------------------


@pytest.fixture
def referral(cast: Cast) -> Referral:
    agency = Agency.objects.create(name="Bostadsbolaget Hem AB", kind=AgencyKind.HOUSING)
    made = referral_services.referral_create(
        case=cast.case, by=cast.manager, agency=agency, purpose="Boende"
    )
    return referral_services.referral_transition(
        referral=made, to_state=ReferralState.SENT, by=cast.manager, without_consent=True
    )


def move(client, referral: Referral, data: dict[str, str]):
    return client.post(reverse("referrals:transition", args=[referral.pk]), data)


def test_referral_move_without_a_state_keeps_the_note(client, cast, referral):
    client.force_login(cast.caseworker)

    page = follow(client, move(client, referral, {"note": NOTE}))

    assert translated("Choose what happened with the referral.") in page
    assert textarea(page, "note", f"ref-{referral.pk}-note") == NOTE


def test_referral_move_made_stale_keeps_the_note(client, cast, referral):
    # Someone else recorded the answer first: "declined" is no longer a legal next step.
    referral_services.referral_transition(
        referral=referral, to_state=ReferralState.ACCEPTED, by=cast.manager
    )
    client.force_login(cast.caseworker)

    page = follow(client, move(client, referral, {"to_state": "declined", "note": NOTE}))

    assert textarea(page, "note", f"ref-{referral.pk}-note") == NOTE
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED


def test_referral_move_keeps_the_chosen_state(client, cast, referral):
    client.force_login(cast.caseworker)

    page = follow(client, move(client, referral, {"to_state": "declined", "note": "x" * 2001}))

    assert checked_radios(page, "to_state") == ["declined"]


# --- A transfer's answer ----------------------------------------------------------------------


@pytest.fixture
def transfer(cast: Cast) -> Transfer:
    Municipality.objects.filter(pk=cast.malmo.pk).update(runs_program=True)
    cast.malmo.refresh_from_db()
    return case_services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Flytt"
    )


@pytest.fixture
def malmo_manager(cast: Cast, transfer: Transfer) -> User:
    return make_user("mats", Role.MANAGER, municipality=cast.malmo)


def answer(client, transfer: Transfer, data: dict[str, str]):
    return client.post(reverse("cases:transfer_answer", args=[transfer.pk]), data)


def test_transfer_answer_without_a_decision_keeps_the_note(client, transfer, malmo_manager):
    client.force_login(malmo_manager)

    page = follow(client, answer(client, transfer, {"note": ANSWER}))

    assert translated("Choose whether to accept or decline the transfer.") in page
    assert textarea(page, "note", f"transfer-{transfer.pk}-note") == ANSWER
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED


def test_transfer_decline_with_a_too_long_note_keeps_it(client, transfer, malmo_manager):
    client.force_login(malmo_manager)
    note = ANSWER + " " + "x" * 2000

    page = follow(client, answer(client, transfer, {"decision": "decline", "note": note}))

    assert textarea(page, "note", f"transfer-{transfer.pk}-note") == note
    assert translated("Choose whether to accept or decline the transfer.") not in page
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED


# --- The mechanism ----------------------------------------------------------------------------


class _Session(SessionBase):
    def load(self) -> dict:
        return {}


def _request() -> HttpRequest:
    request = HttpRequest()
    request.session = _Session()
    return request


def test_input_is_kept_without_the_csrf_token_and_handed_back_once():
    request = _request()
    input_keep(
        request, "decision:1", QueryDict("csrfmiddlewaretoken=abc&reason=Kanarie1w6e&x=1&x=2")
    )

    assert input_kept(request, "decision:2") is None  # another form's key leaves it
    kept = input_kept(request, "decision:1")

    assert kept is not None
    assert kept.get("reason") == "Kanarie1w6e"
    assert kept.getlist("x") == ["1", "2"]
    assert "csrfmiddlewaretoken" not in kept
    assert input_kept(request, "decision:1") is None
    assert SESSION_KEY not in request.session


def test_a_newer_error_replaces_the_kept_input():
    request = _request()
    input_keep(request, "decision:1", QueryDict("reason=Kanarie8h1j"))
    input_keep(request, "need-resolve:4", QueryDict("resolved_on=2001-02-03"))

    assert input_kept(request, "decision:1") is None
    assert input_kept(request, "need-resolve:4") is not None


@pytest.mark.parametrize("name", ["identity_number", "guardian-identity_number"])
def test_identity_numbers_are_never_kept(name):
    request = _request()

    with pytest.raises(ValueError, match="identity number"):
        input_keep(request, "intake", QueryDict(f"first_name=Kim&{name}=19900101-1234"))

    assert SESSION_KEY not in request.session
