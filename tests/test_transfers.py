"""Transfers of a case to another municipality: who may propose and answer, what moves.

Stockholm's manager proposes `cast.case` to Malmö; `malmo_manager` answers. Pages are Swedish
by default, so the tests look at saved rows, the data on the page and the messages the code
itself produces (translated the same way) rather than at English labels.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from access import policy
from accounts.models import Municipality, Role, User
from audit.models import AccessAction, AccessLogEntry
from cases import selectors, services
from cases.models import (
    Case,
    CaseUserObjectPermission,
    JournalCategory,
    JournalEntry,
    PoliceShare,
    PoliceShareEnd,
    Transfer,
    TransferState,
)
from cases.tabs import case_section_url
from tests.conftest import Cast, make_user
from tests.factories import CaseFactory, unique_name

pytestmark = pytest.mark.django_db

NOT_MANAGERS = [
    "caseworker",
    "teammate",
    "outsider",
    "police",
    "police_unshared",
    "analyst",
    "administrator",
]
REASON = "Klienten flyttar av säkerhetsskäl."


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture
def malmo_manager(cast: Cast) -> User:
    Municipality.objects.filter(pk=cast.malmo.pk).update(runs_program=True)
    cast.malmo.refresh_from_db()
    return make_user("mats", Role.MANAGER, municipality=cast.malmo)


def translated(message: str, **params: object) -> str:
    """A message as a Swedish page shows it, HTML-escaped."""
    with translation.override("sv"):
        text = gettext(message)
    return escape(text % params if params else text)


def in_swedish(message: str) -> str:
    """A message as the messages framework holds it (not escaped)."""
    with translation.override("sv"):
        return gettext(message)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def propose(cast: Cast, case: Case | None = None) -> Transfer:
    return services.transfer_propose(
        case=case or cast.case, by=cast.manager, to_municipality=cast.malmo, reason=REASON
    )


def new_url(case: Case) -> str:
    return reverse("cases:transfer_new", args=[case.pk])


def detail_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def answer(client, transfer: Transfer, decision: str, note: str = ""):
    return client.post(
        reverse("cases:transfer_answer", args=[transfer.pk]), {"decision": decision, "note": note}
    )


def withdraw(client, transfer: Transfer, **extra: str):
    return client.post(reverse("cases:transfer_withdraw", args=[transfer.pk]), extra)


def fresh(user: User) -> User:
    """The user without the grants cached on the object."""
    return User.objects.get(pk=user.pk)


# --- Proposing --------------------------------------------------------------------------------


def test_manager_proposes_a_transfer(client, cast, malmo_manager):
    client.force_login(cast.manager)
    page = client.get(new_url(cast.case))
    assert page.status_code == 200
    response = client.post(
        new_url(cast.case), {"to_municipality": str(cast.malmo.pk), "reason": REASON}
    )
    assert response.status_code == 302
    assert response.url == case_section_url(cast.case.pk, "transfer")
    transfer = Transfer.objects.get(case=cast.case)
    assert transfer.state == TransferState.PROPOSED
    assert (transfer.from_municipality, transfer.to_municipality) == (cast.stockholm, cast.malmo)
    assert transfer.proposed_by == cast.manager
    assert transfer.reason == REASON
    cast.case.refresh_from_db()
    assert cast.case.municipality == cast.stockholm  # nothing moves before the answer
    assert AccessLogEntry.objects.filter(
        user=cast.manager,
        action=AccessAction.CHANGE,
        case=cast.case,
        object_type="transfer",
        object_id=str(transfer.pk),
        detail="transfer proposed",
    ).exists()


def test_form_offers_other_municipalities_with_a_program_by_name(client, cast, malmo_manager):
    Municipality.objects.filter(code__in=["0180", "1480"]).update(runs_program=True)
    client.force_login(cast.manager)
    form = client.get(new_url(cast.case)).context["form"]
    offered = list(form.fields["to_municipality"].queryset)
    assert offered == sorted(offered, key=lambda m: m.name)
    assert {m.code for m in offered} == set(
        Municipality.objects.filter(runs_program=True)
        .exclude(code="0180")
        .values_list("code", flat=True)
    )
    assert cast.malmo in offered
    assert cast.stockholm not in offered


def test_municipality_without_a_program_cannot_be_chosen(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        new_url(cast.case), {"to_municipality": str(cast.malmo.pk), "reason": REASON}
    )
    assert response.status_code == 200
    assert "to_municipality" in response.context["form"].errors
    assert not Transfer.objects.exists()


def test_reason_is_required_and_input_is_kept(client, cast, malmo_manager):
    client.force_login(cast.manager)
    response = client.post(new_url(cast.case), {"to_municipality": str(cast.malmo.pk)})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert f'value="{cast.malmo.pk}" selected' in response.content.decode()
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_only_the_manager_may_propose(client, cast, malmo_manager, who):
    client.force_login(getattr(cast, who))
    assert client.get(new_url(cast.case)).status_code == 404
    response = client.post(
        new_url(cast.case), {"to_municipality": str(cast.malmo.pk), "reason": REASON}
    )
    assert response.status_code == 404
    assert not Transfer.objects.exists()


def test_receiving_manager_cannot_propose_the_case(client, cast, malmo_manager):
    client.force_login(malmo_manager)
    assert client.get(new_url(cast.case)).status_code == 404


def test_second_proposal_while_one_is_open_is_refused(client, cast, malmo_manager):
    propose(cast)
    client.force_login(cast.manager)
    response = client.post(
        new_url(cast.case), {"to_municipality": str(cast.malmo.pk), "reason": "Ett nytt skäl"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert translated("A transfer of this case is already waiting for an answer.") in html
    assert "Ett nytt skäl" in html  # the input is kept
    assert Transfer.objects.filter(case=cast.case).count() == 1


def test_closed_case_cannot_be_transferred(client, cast, malmo_manager):
    Case.objects.filter(pk=cast.case.pk).update(state="completed")
    client.force_login(cast.manager)
    response = client.post(
        new_url(cast.case), {"to_municipality": str(cast.malmo.pk), "reason": REASON}
    )
    assert translated("Only an open case can be transferred.") in response.content.decode()
    assert not Transfer.objects.exists()


# --- The list, before the answer ----------------------------------------------------------


def test_receiving_manager_sees_the_proposal_but_not_the_client(client, cast, malmo_manager):
    # Unique names: a random first name may also be, say, a user's name on the page.
    person = cast.case.client
    person.first_name, person.last_name = unique_name("Mottagen"), unique_name("Dold")
    person.save(update_fields=["first_name", "last_name"])
    transfer = propose(cast)
    client.force_login(malmo_manager)
    response = client.get(reverse("cases:transfers"))
    assert response.status_code == 200
    assert response.context["incoming_open"] == [transfer]
    assert response.context["outgoing_open"] == []
    html = response.content.decode()
    assert cast.case.reference in html
    assert REASON in html
    assert cast.stockholm.name in html
    assert str(cast.manager) in html  # the proposer
    assert reverse("cases:transfer_answer", args=[transfer.pk]) in html
    assert cast.case.client.first_name not in html
    assert cast.case.client.last_name not in html
    assert detail_url(cast.case) not in html  # no link to a case they may not open
    assert client.get(detail_url(cast.case)).status_code == 404


def test_sending_manager_sees_the_proposal_as_outgoing(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(cast.manager)
    response = client.get(reverse("cases:transfers"))
    assert response.context["outgoing_open"] == [transfer]
    assert response.context["incoming_open"] == []
    html = response.content.decode()
    assert reverse("cases:transfer_withdraw", args=[transfer.pk]) in html
    assert reverse("cases:transfer_answer", args=[transfer.pk]) not in html


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_list_is_for_managers_only(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("cases:transfers")).status_code == 404


# --- Accepting --------------------------------------------------------------------------------


def test_acceptance_moves_the_case_and_its_visibility(client, cast, malmo_manager):
    entry = services.journal_write(
        case=cast.case,
        by=cast.caseworker,
        occurred_on=timezone.localdate() - datetime.timedelta(days=1),
        category=JournalCategory.choices[0][0],
        text="Samtal med klienten.",
    )
    transfer = propose(cast)
    assert cast.case in policy.cases_shared_with(fresh(cast.police))
    client.force_login(malmo_manager)

    response = answer(client, transfer, "accept", "Välkommen.")

    assert response.status_code == 302
    assert response.url == detail_url(cast.case)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.ACCEPTED
    assert (transfer.decided_by, transfer.decision_note) == (malmo_manager, "Välkommen.")
    cast.case.refresh_from_db()
    assert cast.case.municipality == cast.malmo
    assert AccessLogEntry.objects.filter(
        user=malmo_manager, case=cast.case, detail="transfer accepted"
    ).exists()
    # The visibility moved with the case.
    for user, status in [
        (cast.caseworker, 404),
        (cast.teammate, 404),
        (cast.manager, 404),
        (malmo_manager, 200),
        (cast.outsider, 200),  # a Malmö caseworker, team visibility on
    ]:
        client.force_login(user)
        assert client.get(detail_url(cast.case)).status_code == status, user
    # Per-case grants were reviewed: assignments are gone, the police share ended.
    assert not CaseUserObjectPermission.objects.filter(
        content_object=cast.case, permission__codename=policy.ASSIGNMENT_PERM
    ).exists()
    share = PoliceShare.objects.get(case=cast.case)
    assert share.ended_at is not None
    assert share.end_reason == PoliceShareEnd.TRANSFERRED
    assert cast.case not in policy.cases_shared_with(fresh(cast.police))
    # The history stays with the case.
    assert list(JournalEntry.objects.filter(case=cast.case)) == [entry]
    client.force_login(malmo_manager)
    journal = case_section_url(cast.case.pk, "journal")
    assert "Samtal med klienten." in client.get(journal).content.decode()


def test_both_sides_see_the_accepted_transfer(client, cast, malmo_manager):
    transfer = services.transfer_accept(transfer=propose(cast), by=malmo_manager, note="")
    client.force_login(malmo_manager)
    incoming = client.get(reverse("cases:transfers"))
    assert incoming.context["incoming_history"] == [transfer]
    assert incoming.context["incoming_open"] == []
    # The case is theirs now: its reference links to the case page.
    assert detail_url(cast.case) in incoming.content.decode()

    client.force_login(cast.manager)
    outgoing = client.get(reverse("cases:transfers"))
    assert outgoing.context["outgoing_history"] == [transfer]
    html = outgoing.content.decode()
    assert cast.case.reference in html
    assert detail_url(cast.case) not in html  # no longer theirs to open
    with translation.override("sv"):
        assert str(TransferState.ACCEPTED.label) in html


def test_only_the_receiving_manager_may_answer(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(cast.manager)
    response = answer(client, transfer, "accept")
    assert response.status_code == 302
    assert response.url == reverse("cases:transfers")
    assert message_texts(response) == [
        in_swedish("Only the receiving municipality's manager can answer.")
    ]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED
    cast.case.refresh_from_db()
    assert cast.case.municipality == cast.stockholm
    assert not AccessLogEntry.objects.filter(detail="transfer accepted").exists()


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_others_cannot_answer_or_withdraw(client, cast, malmo_manager, who):
    transfer = propose(cast)
    client.force_login(getattr(cast, who))
    assert answer(client, transfer, "accept").status_code == 404
    assert withdraw(client, transfer).status_code == 404
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED


def test_answered_transfer_cannot_be_answered_again(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(malmo_manager)
    answer(client, transfer, "decline", "Vi har ingen plats.")
    response = answer(client, transfer, "accept")
    assert message_texts(response)[-1] == in_swedish("The transfer has already been answered.")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DECLINED


def test_answer_needs_a_decision(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(malmo_manager)
    response = answer(client, transfer, "maybe")
    assert message_texts(response) == [
        in_swedish("Choose whether to accept or decline the transfer.")
    ]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED


def test_answering_only_accepts_post(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(malmo_manager)
    assert client.get(reverse("cases:transfer_answer", args=[transfer.pk])).status_code == 405


# --- Declining and withdrawing ----------------------------------------------------------------


def test_decline_needs_a_note_and_leaves_the_case(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(malmo_manager)

    response = answer(client, transfer, "decline", "  ")
    assert message_texts(response) == [in_swedish("Say why the transfer is declined.")]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED

    response = answer(client, transfer, "decline", "Vi har ingen plats.")
    assert response.url == reverse("cases:transfers")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DECLINED
    assert transfer.decision_note == "Vi har ingen plats."
    cast.case.refresh_from_db()
    assert cast.case.municipality == cast.stockholm
    assert AccessLogEntry.objects.filter(
        user=malmo_manager, case=cast.case, detail="transfer declined"
    ).exists()
    # The sender reads the answer; the case stays theirs (and a new proposal is possible).
    client.force_login(cast.manager)
    page = client.get(reverse("cases:transfers"))
    assert page.context["outgoing_history"] == [transfer]
    assert "Vi har ingen plats." in page.content.decode()
    assert client.get(detail_url(cast.case)).status_code == 200
    assert client.get(new_url(cast.case)).status_code == 200


def test_sender_withdraws_the_proposal(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(cast.manager)
    response = withdraw(client, transfer)
    assert response.url == reverse("cases:transfers")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.WITHDRAWN
    assert transfer.decided_by == cast.manager
    assert AccessLogEntry.objects.filter(
        user=cast.manager, case=cast.case, detail="transfer withdrawn"
    ).exists()
    client.force_login(malmo_manager)
    page = client.get(reverse("cases:transfers"))
    assert page.context["incoming_open"] == []
    assert page.context["incoming_history"] == [transfer]


def test_withdrawing_from_the_case_page_goes_back_there(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(cast.manager)
    response = withdraw(client, transfer, from_case="1")
    assert response.url == case_section_url(cast.case.pk, "transfer")


def test_receiver_cannot_withdraw(client, cast, malmo_manager):
    transfer = propose(cast)
    client.force_login(malmo_manager)
    response = withdraw(client, transfer)
    assert response.url == reverse("cases:transfers")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED


# --- Query counts -----------------------------------------------------------------------------


def _make_transfers(cast: Cast, malmo_manager: User, n: int) -> None:
    """`n` transfers in both directions and every state, one case each."""
    states = list(TransferState)
    for i in range(n):
        outgoing = i % 2 == 0
        source, target = (cast.stockholm, cast.malmo) if outgoing else (cast.malmo, cast.stockholm)
        proposer, answerer = (
            (cast.manager, malmo_manager) if outgoing else (malmo_manager, cast.manager)
        )
        state = states[i % len(states)]
        if (
            state == TransferState.PROPOSED
            and Transfer.objects.filter(state=TransferState.PROPOSED).count() >= 4
        ):
            state = TransferState.DECLINED
        decided = state != TransferState.PROPOSED
        Transfer.objects.create(
            case=CaseFactory(municipality=target if state == "accepted" else source),
            from_municipality=source,
            to_municipality=target,
            state=state,
            reason=f"Skäl {i}",
            proposed_by=proposer,
            decided_by=answerer if decided else None,
            decided_at=timezone.now() if decided else None,
            decision_note="Svar" if decided else "",
        )


@pytest.mark.parametrize("who", ["manager", "malmo_manager"])
def test_list_runs_a_fixed_number_of_queries(
    client, cast, malmo_manager, who, django_assert_num_queries
):
    user = malmo_manager if who == "malmo_manager" else cast.manager
    client.force_login(user)
    client.get(reverse("cases:transfers"))  # warm the caches
    _make_transfers(cast, malmo_manager, 2)
    # Session and user (2), grants (1), incoming and outgoing (2), the header's unread
    # notifications, the session's save (3).
    with django_assert_num_queries(9):
        client.get(reverse("cases:transfers"))
    _make_transfers(cast, malmo_manager, 18)
    assert Transfer.objects.count() == 20
    with django_assert_num_queries(9):
        response = client.get(reverse("cases:transfers"))
    context = response.context
    shown = [
        *context["incoming_open"],
        *context["incoming_history"],
        *context["outgoing_open"],
        *context["outgoing_history"],
    ]
    assert len(shown) == 20


# --- The includes for the case page and the home page ---------------------------------------


def _section(case: Case, *, can_manage: bool) -> str:
    request = RequestFactory().get("/")
    return render_to_string(
        "cases/transfers/_case_section.html",
        {"case": case, "transfers": selectors.case_transfers(case=case), "can_manage": can_manage},
        request=request,
    )


def test_case_section_offers_a_proposal_to_managers_only(cast, malmo_manager):
    html = _section(cast.case, can_manage=True)
    assert 'id="transfer"' in html
    assert new_url(cast.case) in html
    assert new_url(cast.case) not in _section(cast.case, can_manage=False)


def test_case_section_shows_the_open_proposal_and_the_history(cast, malmo_manager):
    first = services.transfer_decline(
        transfer=propose(cast), by=malmo_manager, note="Vi har ingen plats."
    )
    second = propose(cast)
    html = _section(cast.case, can_manage=True)
    assert new_url(cast.case) not in html  # one proposal at a time
    assert reverse("cases:transfer_withdraw", args=[second.pk]) in html
    assert reverse("cases:transfer_withdraw", args=[first.pk]) not in html
    assert "Vi har ingen plats." in html
    assert html.count(cast.malmo.name) >= 2
    assert reverse("cases:transfer_withdraw", args=[second.pk]) not in _section(
        cast.case, can_manage=False
    )


def test_case_section_offers_no_proposal_for_a_closed_case(cast):
    Case.objects.filter(pk=cast.case.pk).update(state="completed")
    cast.case.refresh_from_db()
    assert new_url(cast.case) not in _section(cast.case, can_manage=True)


def test_home_panel_lists_the_proposals_without_the_client(cast, malmo_manager):
    empty = render_to_string(
        "cases/transfers/_home_panel.html",
        {"incoming_transfers": selectors.transfers_awaiting_answer(user=malmo_manager)},
    )
    assert reverse("cases:transfers") in empty
    propose(cast)
    incoming = selectors.transfers_awaiting_answer(user=malmo_manager)
    assert [t.case for t in incoming] == [cast.case]
    html = render_to_string("cases/transfers/_home_panel.html", {"incoming_transfers": incoming})
    assert cast.case.reference in html
    assert cast.stockholm.name in html
    assert cast.case.client.last_name not in html
    assert selectors.transfers_awaiting_answer(user=cast.manager) == []


def test_a_transfer_is_refused_to_anyone_who_manages_neither_side_and_logged(
    client, cast, malmo_manager
):
    from audit.models import AccessAction, AccessLogEntry
    from cases import services

    transfer = services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Flytt"
    )
    for who in (cast.caseworker, cast.outsider, cast.police, cast.analyst):
        client.force_login(who)
        response = client.post(
            reverse("cases:transfer_answer", args=[transfer.pk]), {"decision": "accept"}
        )
        assert response.status_code == 404
    refused = AccessLogEntry.objects.filter(action=AccessAction.DENIED, case=cast.case)
    assert refused.filter(detail="refused: transfer").count() == 4
    transfer.refresh_from_db()
    assert transfer.state == "proposed"
