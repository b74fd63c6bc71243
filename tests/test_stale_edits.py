"""Optimistic locking on the forms of the cases app that change an existing record (issue 10).

For every form: a form opened before someone else's save is refused, the refusal says what the
record is now, the first change stays, the user's input is kept, and a fresh form saves. Pages
are Swedish by default, so the tests compare with the messages the code itself produces
(translated the same way). Values looked for carry a "Kanarie" suffix.
"""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext

from access import policy
from accounts.models import Municipality, Role, User
from audit.models import AccessAction, AccessLogEntry
from cases import services
from cases.models import (
    Case,
    CaseNeed,
    CaseState,
    Consent,
    FollowUp,
    Need,
    PoliceShare,
    Transfer,
    TransferState,
)
from cases.tabs import case_tab_url
from exitprog.concurrency import StaleEditError, seen_value
from exitprog.dates import add_months
from tests.conftest import Cast, make_user

pytestmark = pytest.mark.django_db

REASON = "Kanarie6t3b skäl till beslutet"
NOTE = "Kanarie2w9q anteckning om överföringen"


# --- Helpers ----------------------------------------------------------------------------------


def in_swedish(message: str, **params: object) -> str:
    """A message as the messages framework holds it (not escaped)."""
    with translation.override("sv"):
        text = gettext(message)
    return text % params if params else text


def on_page(message: str, **params: object) -> str:
    """A message as a Swedish page shows it, HTML-escaped."""
    return escape(in_swedish(message, **params))


def at(moment: datetime.datetime | None) -> str:
    """A moment as the refusals name it."""
    assert moment is not None
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def named(user: User, first_name: str) -> User:
    """`user` with a name the tests can look for (the factory's names are random)."""
    user.first_name, user.last_name = first_name, "Testsson"
    user.save(update_fields=["first_name", "last_name"])
    return user


def logged_in(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def seen_in(html: str, action: str) -> str:
    """The hidden `seen` value of the form on the page that posts to `action`."""
    match = re.search(
        rf'action="{re.escape(action)}"[^>]*>.*?name="seen" value="([^"]*)"', html, re.S
    )
    assert match, f"no seen field in the form posting to {action}"
    return match.group(1)


def case_url(case: Case, tab: str = "overview") -> str:
    return case_tab_url(case.pk, tab)


def change_log(case: Case, detail: str):
    return AccessLogEntry.objects.filter(case=case, action=AccessAction.CHANGE, detail=detail)


def today() -> datetime.date:
    return timezone.localdate()


# --- The decision (state transition) on the case page ------------------------------------------


def transition_url(case: Case) -> str:
    return reverse("cases:transition", args=[case.pk])


@pytest.fixture
def inquiry(cast: Cast) -> Case:
    """`cast.case` as a new inquiry: the caseworker starts the assessment, a manager rejects."""
    Case.objects.filter(pk=cast.case.pk).update(state=CaseState.INQUIRY)
    cast.case.refresh_from_db()
    return cast.case


def test_a_stale_decision_is_refused_with_the_state_now_and_the_input_kept(cast, inquiry):
    named(cast.caseworker, "Kanarie1c4d")
    caseworker, manager = logged_in(cast.caseworker), logged_in(cast.manager)
    opened_caseworker = seen_in(
        caseworker.get(case_url(cast.case)).content.decode(), transition_url(cast.case)
    )
    opened_manager = seen_in(
        manager.get(case_url(cast.case)).content.decode(), transition_url(cast.case)
    )
    assert opened_caseworker == opened_manager == seen_value(cast.case)

    response = caseworker.post(
        transition_url(cast.case),
        {"to_state": "assessment", "reason": "Kanarie1c4d bedömning", "seen": opened_caseworker},
    )
    assert messages_of(response) == [in_swedish("The decision is recorded.")]

    response = manager.post(
        transition_url(cast.case),
        {"to_state": "rejected", "reason": REASON, "seen": opened_manager},
    )

    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.ASSESSMENT  # the first decision stands
    latest = cast.case.state_changes.order_by("-at", "-id").first()
    assert latest is not None
    now = in_swedish(
        "The case is now “%(state)s”: the latest decision was recorded by %(by)s at %(at)s.",
        state=CaseState.ASSESSMENT.label,
        by="Kanarie1c4d Testsson",
        at=at(latest.at),
    )
    assert messages_of(response) == [
        in_swedish(
            "Someone else changed the case after you opened the page. %(now)s Nothing was "
            "saved: your decision and reason are kept below. Check them and record the "
            "decision again.",
            now=now,
        )
    ]
    assert not change_log(cast.case, "state rejected").exists()

    # Back on the case page: the reason as typed, and `seen` now the case as it is.
    page = manager.get(case_url(cast.case)).content.decode()
    assert REASON in page
    again = seen_in(page, transition_url(cast.case))
    assert again == seen_value(cast.case)
    response = manager.post(
        transition_url(cast.case), {"to_state": "rejected", "reason": REASON, "seen": again}
    )
    assert messages_of(response) == [in_swedish("The decision is recorded.")]
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.REJECTED


def test_a_stale_decision_on_a_case_closed_meanwhile_shows_the_reason_typed(cast):
    other = make_user("mona", Role.MANAGER, municipality=cast.stockholm)
    first, second = logged_in(cast.manager), logged_in(other)
    opened_first = seen_in(
        first.get(case_url(cast.case)).content.decode(), transition_url(cast.case)
    )
    opened_second = seen_in(
        second.get(case_url(cast.case)).content.decode(), transition_url(cast.case)
    )
    first.post(
        transition_url(cast.case),
        {
            "to_state": "completed",
            "reason": "Målen nådda.",
            "seen": opened_first,
            "confirm_closing": "on",
        },
    )
    second.post(
        transition_url(cast.case),
        {
            "to_state": "discontinued",
            "reason": REASON,
            "seen": opened_second,
            "confirm_closing": "on",
        },
    )
    cast.case.refresh_from_db()
    assert cast.case.state == CaseState.COMPLETED

    page = second.get(case_url(cast.case)).content.decode()
    assert transition_url(cast.case) not in page  # a completed case takes no decision
    kept = page.split('id="unsaved-reason"', 1)[1].split("</div>\n", 1)[0]
    assert REASON in kept


def test_the_case_page_decision_form_carries_the_case_as_opened(client, cast):
    client.force_login(cast.manager)
    page = client.get(case_url(cast.case)).content.decode()
    assert seen_in(page, transition_url(cast.case)) == seen_value(cast.case)


def test_the_transition_service_refuses_a_decision_on_an_old_read(cast, inquiry):
    seen = cast.case.updated_at
    services.case_transition(
        case=cast.case, to_state=CaseState.ASSESSMENT, by=cast.caseworker, reason="Först."
    )
    with pytest.raises(StaleEditError) as refused:
        services.case_transition(
            case=cast.case, to_state=CaseState.REJECTED, by=cast.manager, reason="Sen.", seen=seen
        )
    assert refused.value.current.state == CaseState.ASSESSMENT
    # A decision that moves the case makes its updated_at new, so the check can see it.
    cast.case.refresh_from_db()
    assert cast.case.updated_at != seen


# --- Assignment -------------------------------------------------------------------------------


def assign_url(case: Case) -> str:
    return reverse("cases:assign", args=[case.pk])


def test_removing_a_caseworker_someone_else_removed_says_who_is_assigned_now(cast):
    named(cast.caseworker, "Kanarie5j8k")
    named(cast.teammate, "Kanarie7h2m")
    policy.case_grant_assignment(case=cast.case, user=cast.teammate)
    first, second = logged_in(cast.manager), logged_in(cast.manager)

    response = first.post(assign_url(cast.case), {"caseworker": cast.teammate.pk, "remove": "on"})
    assert messages_of(response) == [
        in_swedish("%(name)s no longer works on the case.") % {"name": cast.teammate}
    ]

    response = second.post(assign_url(cast.case), {"caseworker": cast.teammate.pk, "remove": "on"})
    assert messages_of(response) == [
        in_swedish(
            "%(name)s is not assigned to the case (someone else may have removed them after "
            "you opened the page): nothing was changed. %(now)s",
            name="Kanarie7h2m Testsson",
            now=in_swedish("Assigned now: %(names)s.", names="Kanarie5j8k Testsson"),
        )
    ]
    assert change_log(cast.case, f"assignment removed {cast.teammate.username}").count() == 1


def test_assigning_a_caseworker_already_assigned_changes_nothing(cast):
    named(cast.caseworker, "Kanarie3q6v")
    response = logged_in(cast.manager).post(
        assign_url(cast.case), {"caseworker": cast.caseworker.pk}
    )
    assert messages_of(response) == [
        in_swedish(
            "%(name)s is already assigned to the case: nothing was changed. %(now)s",
            name="Kanarie3q6v Testsson",
            now=in_swedish("Assigned now: %(names)s.", names="Kanarie3q6v Testsson"),
        )
    ]
    assert not change_log(cast.case, f"assignment added {cast.caseworker.username}").exists()
    assert cast.case in policy.cases_assigned_to(cast.caseworker)


def test_removing_the_last_caseworker_twice_says_none_is_assigned(cast):
    client = logged_in(cast.manager)
    data = {"caseworker": cast.caseworker.pk, "remove": "on"}
    client.post(assign_url(cast.case), data)
    response = client.post(assign_url(cast.case), data)
    assert messages_of(response)[-1].endswith(in_swedish("No caseworker is assigned now."))


def test_a_fresh_assignment_works(cast):
    response = logged_in(cast.manager).post(assign_url(cast.case), {"caseworker": cast.teammate.pk})
    assert messages_of(response) == [
        in_swedish("%(name)s is assigned to the case.") % {"name": cast.teammate}
    ]
    assert cast.case in policy.cases_assigned_to(cast.teammate)


# --- Resolving a need -------------------------------------------------------------------------


@pytest.fixture
def need(cast: Cast) -> CaseNeed:
    return CaseNeed.objects.create(
        case=cast.case,
        need=Need.objects.filter(active=True).order_by("order")[0],
        identified_on=today() - datetime.timedelta(days=30),
        note="Kanarie8p1s behov",
    )


def resolve_url(need: CaseNeed) -> str:
    return reverse("cases:need_resolve", args=[need.case_id, need.pk])


def test_resolving_a_need_someone_else_resolved_is_refused_with_its_date(cast, need):
    first, second = logged_in(cast.caseworker), logged_in(cast.manager)
    opened_first = seen_in(
        first.get(case_url(cast.case, "assessments")).content.decode(), resolve_url(need)
    )
    opened_second = seen_in(
        second.get(case_url(cast.case, "assessments")).content.decode(), resolve_url(need)
    )
    day = today() - datetime.timedelta(days=2)

    first.post(
        resolve_url(need), {"resolved_on": day.isoformat(), "seen": opened_first, "confirm": "yes"}
    )
    response = second.post(
        resolve_url(need),
        {"resolved_on": today().isoformat(), "seen": opened_second, "confirm": "yes"},
    )

    need.refresh_from_db()
    assert need.resolved_on == day
    assert messages_of(response) == [
        in_swedish(
            "The need “%(need)s” was already marked as resolved on %(date)s: nothing was saved.",
            need=need.need.label,
            date=day,
        )
    ]
    assert change_log(cast.case, "need resolved").count() == 1


def test_a_need_changed_otherwise_keeps_the_date_for_a_second_try(cast, need):
    client = logged_in(cast.caseworker)
    opened = seen_in(
        client.get(case_url(cast.case, "assessments")).content.decode(), resolve_url(need)
    )
    need.note = "Kanarie8p1s ändrad"
    need.save()  # someone else changed it, and it is still open
    day = today() - datetime.timedelta(days=3)

    response = client.post(
        resolve_url(need), {"resolved_on": day.isoformat(), "seen": opened, "confirm": "yes"}
    )
    assert messages_of(response) == [
        in_swedish(
            "Someone else changed this after you opened the page. Nothing was saved: the page "
            "now shows it as it is. Check it and try again."
        )
    ]
    need.refresh_from_db()
    assert need.resolved_on is None

    page = client.get(case_url(cast.case, "assessments")).content.decode()
    assert "Kanarie8p1s ändrad" in page
    assert f'value="{day.isoformat()}"' in page  # the date as typed
    again = seen_in(page, resolve_url(need))
    assert again == seen_value(need)
    client.post(
        resolve_url(need), {"resolved_on": day.isoformat(), "seen": again, "confirm": "yes"}
    )
    need.refresh_from_db()
    assert need.resolved_on == day


# --- Revoking a consent -----------------------------------------------------------------------


def revoke_url(consent: Consent) -> str:
    return reverse("cases:consent_revoke", args=[consent.case_id, consent.pk])


def test_revoking_a_consent_someone_else_revoked_says_who_and_when(cast):
    named(cast.manager, "Kanarie4n6b")
    url = revoke_url(cast.consent)
    first, second = logged_in(cast.manager), logged_in(cast.caseworker)
    opened_first = seen_in(first.get(case_url(cast.case, "consent")).content.decode(), url)
    opened_second = seen_in(second.get(case_url(cast.case, "consent")).content.decode(), url)

    first.post(url, {"seen": opened_first, "confirm": "yes"})
    cast.consent.refresh_from_db()
    revoked_at = cast.consent.revoked_at
    assert cast.consent.revoked_by == cast.manager

    response = second.post(url, {"seen": opened_second, "confirm": "yes"})
    assert messages_of(response) == [
        in_swedish(
            "The consent was already revoked by %(by)s at %(at)s: nothing was saved.",
            by="Kanarie4n6b Testsson",
            at=at(revoked_at),
        )
    ]
    cast.consent.refresh_from_db()
    assert cast.consent.revoked_at == revoked_at
    assert cast.consent.revoked_by == cast.manager
    assert change_log(cast.case, "consent revoked").count() == 1


def test_a_consent_changed_otherwise_is_not_revoked_on_an_old_page(cast):
    url = revoke_url(cast.consent)
    client = logged_in(cast.caseworker)
    opened = seen_in(client.get(case_url(cast.case, "consent")).content.decode(), url)
    cast.consent.note = "Kanarie9d2f"
    cast.consent.save()

    response = client.post(url, {"seen": opened, "confirm": "yes"})
    assert messages_of(response)[-1] == in_swedish(
        "Someone else changed this after you opened the page. Nothing was saved: the page "
        "now shows it as it is. Check it and try again."
    )
    cast.consent.refresh_from_db()
    assert cast.consent.revoked_at is None

    fresh = seen_in(client.get(case_url(cast.case, "consent")).content.decode(), url)
    response = client.post(url, {"seen": fresh, "confirm": "yes"})
    assert messages_of(response) == [in_swedish("The consent was revoked.")]
    cast.consent.refresh_from_db()
    assert cast.consent.revoked_at is not None


# --- Recording a follow-up --------------------------------------------------------------------


@pytest.fixture
def follow_up(cast: Cast) -> FollowUp:
    """The 3-month follow-up of `cast.case`, which ended about three months ago."""
    ended_on = add_months(today(), -3)
    Case.objects.filter(pk=cast.case.pk).update(
        state=CaseState.COMPLETED, closed_on=ended_on, next_review_on=None
    )
    cast.case.refresh_from_db()
    return services.follow_ups_schedule(case=cast.case, ended_on=ended_on)[0]


def outcome(**overrides: str) -> dict[str, str]:
    data = {
        "checked_on": today().isoformat(),
        "alive": "yes",
        "reoffended": "no",
        "reoffending_source": "",
        "housing": "own_home",
        "occupation": "work",
        "group_contact": "none",
        "note": "",
    }
    return data | overrides


def record_url(follow_up: FollowUp) -> str:
    return reverse("cases:follow_up_record", args=[follow_up.case_id, follow_up.pk])


def test_a_follow_up_recorded_meanwhile_is_shown_beside_the_input_kept(cast, follow_up):
    named(cast.caseworker, "Kanarie6r5e")
    url = record_url(follow_up)
    first, second = logged_in(cast.caseworker), logged_in(cast.manager)
    opened_first = str(first.get(url).context["form"]["seen"].value())
    opened_second = str(second.get(url).context["form"]["seen"].value())
    assert opened_first == opened_second == seen_value(follow_up)

    response = first.post(url, outcome(note="Kanarie6r5e först", seen=opened_first))
    assert response.status_code == 302

    response = second.post(
        url, outcome(housing="homeless", note="Kanarie6r5e sedan", seen=opened_second)
    )

    assert response.status_code == 200
    page = response.content.decode()
    follow_up.refresh_from_db()
    assert (
        on_page(
            "%(by)s recorded this follow-up at %(at)s, after you opened the form. Nothing was "
            "saved: what was recorded is shown above, and what you typed is kept below. A "
            "follow-up is recorded once; write what is new in the journal.",
            by="Kanarie6r5e Testsson",
            at=at(follow_up.recorded_at),
        )
        in page
    )
    panel = page.split('id="current-values"', 1)[1].split("</section>", 1)[0]
    assert "Kanarie6r5e först" in panel  # what was recorded
    assert "Kanarie6r5e sedan" in page.split("</section>", 1)[1]  # the input, kept
    assert response.context["form"]["housing"].value() == "homeless"
    assert follow_up.note == "Kanarie6r5e först"
    assert follow_up.housing == "own_home"
    assert follow_up.recorded_by == cast.caseworker
    assert change_log(cast.case, "follow-up").count() == 1
    # Showing the recorded outcome is reading it, and is logged.
    assert AccessLogEntry.objects.filter(
        user=cast.manager, action=AccessAction.VIEW, detail="follow-up"
    ).exists()


def test_a_fresh_follow_up_form_records(cast, follow_up):
    client = logged_in(cast.caseworker)
    opened = str(client.get(record_url(follow_up)).context["form"]["seen"].value())
    response = client.post(record_url(follow_up), outcome(note="Kanarie0k3u", seen=opened))
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.note == "Kanarie0k3u"


# --- Ending a share with the police -----------------------------------------------------------


def share_end_url(share: PoliceShare) -> str:
    return reverse("cases:share_end", args=[share.case_id, share.pk])


def test_ending_a_share_someone_else_ended_says_who_and_when(cast):
    other = named(make_user("mona", Role.MANAGER, municipality=cast.stockholm), "Kanarie2b7n")
    share = PoliceShare.objects.get(case=cast.case)
    client = logged_in(cast.manager)
    opened = seen_in(
        client.get(case_url(cast.case, "police")).content.decode(), share_end_url(share)
    )

    services.police_share_end(share=share, by=other)
    share.refresh_from_db()
    ended_at = share.ended_at

    response = client.post(share_end_url(share), {"seen": opened})
    assert messages_of(response) == [
        in_swedish(
            "The share was already ended by %(by)s at %(at)s (%(reason)s): nothing was saved.",
            by="Kanarie2b7n Testsson",
            at=at(ended_at),
            reason=share.get_end_reason_display(),
        )
    ]
    share.refresh_from_db()
    assert share.ended_at == ended_at
    assert share.ended_by == other
    assert change_log(cast.case, "police share ended").count() == 1


def test_a_fresh_share_end_works(cast):
    share = PoliceShare.objects.get(case=cast.case)
    client = logged_in(cast.manager)
    opened = seen_in(
        client.get(case_url(cast.case, "police")).content.decode(), share_end_url(share)
    )
    response = client.post(share_end_url(share), {"seen": opened})
    assert messages_of(response) == [in_swedish("The share with the police was ended.")]
    share.refresh_from_db()
    assert share.ended_at is not None


# --- Answering and withdrawing a transfer -----------------------------------------------------


@pytest.fixture
def malmo_manager(cast: Cast) -> User:
    Municipality.objects.filter(pk=cast.malmo.pk).update(runs_program=True)
    cast.malmo.refresh_from_db()
    return named(make_user("mats", Role.MANAGER, municipality=cast.malmo), "Kanarie8m4c")


@pytest.fixture
def transfer(cast: Cast, malmo_manager: User) -> Transfer:
    return services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Kanarie flytt"
    )


def answer_url(transfer: Transfer) -> str:
    return reverse("cases:transfer_answer", args=[transfer.pk])


def withdraw_url(transfer: Transfer) -> str:
    return reverse("cases:transfer_withdraw", args=[transfer.pk])


def list_page(client: HttpClient) -> str:
    return client.get(reverse("cases:transfers")).content.decode()


def test_answering_a_withdrawn_transfer_says_it_was_withdrawn(cast, malmo_manager, transfer):
    named(cast.manager, "Kanarie1x9z")
    receiving = logged_in(malmo_manager)
    opened = seen_in(list_page(receiving), answer_url(transfer))

    services.transfer_withdraw(transfer=transfer, by=cast.manager)
    transfer.refresh_from_db()

    response = receiving.post(
        answer_url(transfer), {"decision": "accept", "note": NOTE, "seen": opened}
    )
    assert messages_of(response) == [
        in_swedish(
            "The transfer of case %(reference)s was already withdrawn by %(by)s at %(at)s: "
            "nothing was saved.",
            reference=cast.case.reference,
            by="Kanarie1x9z Testsson",
            at=at(transfer.decided_at),
        )
    ]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.WITHDRAWN
    cast.case.refresh_from_db()
    assert cast.case.municipality == cast.stockholm


def test_a_stale_answer_to_an_open_transfer_keeps_the_note(cast, malmo_manager, transfer):
    receiving = logged_in(malmo_manager)
    opened = seen_in(list_page(receiving), answer_url(transfer))
    transfer.save()  # changed, still waiting for the answer

    response = receiving.post(
        answer_url(transfer), {"decision": "decline", "note": NOTE, "seen": opened}
    )
    assert messages_of(response)[-1] == in_swedish(
        "Someone else changed this after you opened the page. Nothing was saved: the page "
        "now shows it as it is. Check it and try again."
    )
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED

    page = list_page(receiving)
    assert NOTE in page  # kept in the answer's textarea
    again = seen_in(page, answer_url(transfer))
    assert again == seen_value(transfer)
    receiving.post(answer_url(transfer), {"decision": "decline", "note": NOTE, "seen": again})
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DECLINED
    assert transfer.decision_note == NOTE


def test_withdrawing_a_declined_transfer_says_it_was_declined(cast, malmo_manager, transfer):
    sending = logged_in(cast.manager)
    opened = seen_in(
        sending.get(case_url(cast.case, "closing")).content.decode(), withdraw_url(transfer)
    )

    services.transfer_decline(transfer=transfer, by=malmo_manager, note="Kanarie ingen plats")
    transfer.refresh_from_db()

    response = sending.post(withdraw_url(transfer), {"from_case": "1", "seen": opened})
    assert response["Location"] == case_url(cast.case, "closing") + "#transfer"
    assert messages_of(response) == [
        in_swedish(
            "The transfer of case %(reference)s was already declined by %(by)s at %(at)s: "
            "nothing was saved.",
            reference=cast.case.reference,
            by="Kanarie8m4c Testsson",
            at=at(transfer.decided_at),
        )
    ]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DECLINED


def test_withdrawing_from_the_list_a_transfer_accepted_meanwhile_is_refused(
    cast, malmo_manager, transfer
):
    sending = logged_in(cast.manager)
    opened = seen_in(list_page(sending), withdraw_url(transfer))
    services.transfer_accept(transfer=transfer, by=malmo_manager)
    transfer.refresh_from_db()

    response = sending.post(withdraw_url(transfer), {"seen": opened})
    assert response["Location"] == reverse("cases:transfers")
    assert messages_of(response) == [
        in_swedish(
            "The transfer of case %(reference)s was already accepted by %(by)s at %(at)s: "
            "nothing was saved.",
            reference=cast.case.reference,
            by="Kanarie8m4c Testsson",
            at=at(transfer.decided_at),
        )
    ]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.ACCEPTED


def test_a_fresh_withdrawal_and_answer_work(cast, malmo_manager, transfer):
    sending = logged_in(cast.manager)
    opened = seen_in(
        sending.get(case_url(cast.case, "closing")).content.decode(), withdraw_url(transfer)
    )
    response = sending.post(withdraw_url(transfer), {"from_case": "1", "seen": opened})
    assert messages_of(response) == [
        in_swedish("The transfer of case %(reference)s is withdrawn.")
        % {"reference": cast.case.reference}
    ]
    second = services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Kanarie igen"
    )
    receiving = logged_in(malmo_manager)
    opened = seen_in(list_page(receiving), answer_url(second))
    response = receiving.post(answer_url(second), {"decision": "accept", "seen": opened})
    assert response["Location"] == case_url(cast.case)
    second.refresh_from_db()
    assert second.state == TransferState.ACCEPTED


# --- Team visibility --------------------------------------------------------------------------


def visibility_url(municipality: Municipality) -> str:
    return reverse("cases:team_visibility", args=[municipality.pk])


def test_a_stale_team_visibility_form_is_refused_with_the_setting_now(cast):
    other = make_user("mona", Role.MANAGER, municipality=cast.stockholm)
    assert cast.stockholm.team_visibility is True
    url = visibility_url(cast.stockholm)
    first, second = logged_in(other), logged_in(cast.manager)
    opened_first = str(first.get(url).context["form"]["seen"].value())
    opened_second = str(second.get(url).context["form"]["seen"].value())

    assert first.post(url, {"seen": opened_first}).status_code == 302  # turned off
    response = second.post(url, {"team_visibility": "on", "seen": opened_second})

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        on_page(
            "Someone else changed the settings of %(municipality)s after you opened the page: "
            "team visibility is now off. Nothing was saved: your choice is kept below. Save "
            "again if it still stands.",
            municipality=cast.stockholm,
        )
        in page
    )
    assert 'id="current-values"' in page
    assert response.context["form"]["team_visibility"].value() is True  # the choice, kept
    assert re.search(r'<input type="checkbox" name="team_visibility"[^>]*checked', page)
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.team_visibility is False

    again = str(response.context["form"]["seen"].value())
    assert again == seen_value(cast.stockholm)
    assert second.post(url, {"team_visibility": "on", "seen": again}).status_code == 302
    cast.stockholm.refresh_from_db()
    assert cast.stockholm.team_visibility is True


# --- A `seen` that cannot be read -------------------------------------------------------------

UNREADABLE = (
    "The form could not be checked against the record as it is now. Nothing was saved: "
    "check the values on the page and try again."
)


@pytest.mark.parametrize("form", ["decision", "need", "consent", "share", "withdraw"])
def test_an_unreadable_seen_saves_nothing_and_says_so(cast, need, malmo_manager, form):
    transfer = services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Kanarie flytt"
    )
    share = PoliceShare.objects.get(case=cast.case)
    state = cast.case.state
    url, data = {
        "decision": (transition_url(cast.case), {"to_state": "completed", "reason": REASON}),
        "need": (resolve_url(need), {"resolved_on": today().isoformat()}),
        "consent": (revoke_url(cast.consent), {}),
        "share": (share_end_url(share), {}),
        "withdraw": (withdraw_url(transfer), {"from_case": "1"}),
    }[form]
    client = HttpClient(raise_request_exception=False)
    client.force_login(cast.manager)

    response = client.post(url, data | {"seen": "Kanarie not a time\x00"})

    assert response.status_code == 302
    assert in_swedish(UNREADABLE) in messages_of(response)
    cast.case.refresh_from_db()
    assert cast.case.state == state
    need.refresh_from_db()
    assert need.resolved_on is None
    cast.consent.refresh_from_db()
    assert cast.consent.revoked_at is None
    share.refresh_from_db()
    assert share.ended_at is None
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PROPOSED
    if form == "decision":  # the reason is kept, with `seen` the case as it is now
        page = client.get(case_url(cast.case)).content.decode()
        assert REASON in page
        assert seen_in(page, transition_url(cast.case)) == seen_value(cast.case)


def test_an_unreadable_seen_on_a_form_page_keeps_the_input(cast, follow_up):
    client = HttpClient(raise_request_exception=False)
    client.force_login(cast.caseworker)
    response = client.post(
        record_url(follow_up), outcome(note="Kanarie5v0a", seen="Kanarie not a time")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert on_page(UNREADABLE) in page
    assert "Kanarie5v0a" in page
    assert response.context["form"]["seen"].value() == seen_value(follow_up)
    follow_up.refresh_from_db()
    assert not follow_up.is_recorded
