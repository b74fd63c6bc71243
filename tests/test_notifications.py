"""Notifications (issue 11): in the app (a count in the header, a list, read/unread) and, for
the kinds each user chooses, by e-mail through the outbox; an e-mail never carries case
content. Sent where things happen (referrals, transfers, police notes, tasks) and by daily
jobs that notify nobody twice; a failed e-mail is queued again through the outbox by a sweep
until it is sent, once, or given up (issue 10). Values looked for carry the suffix "Ntf8k2"."""

import datetime
from collections.abc import Sequence

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation

from access import policy
from accounts.models import Municipality, Role
from agencies.models import Agency, AgencyKind
from cases import notify
from cases import services as case_services
from cases.models import Case, CaseState, FollowUp
from notifications import services
from notifications.models import EMAIL_BY_DEFAULT, Notification, NotificationKind
from notifications.services import EMAIL_TASK
from notifications.tasks import send_notification_emails
from outbox.models import OutboxMessage
from referrals import services as referral_services
from referrals.models import ReferralState
from reminders import services as task_services
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
K = NotificationKind


@pytest.fixture
def colleague(cast):
    policy.case_grant_assignment(case=cast.case, user=cast.teammate)
    cast.teammate.email = "tove.Ntf8k2@example.invalid"
    cast.teammate.save(update_fields=["email"])
    return cast.teammate


def _send(cast, user, kind=K.TASK_ASSIGNED, **kwargs):
    return services.notification_send(recipients=[user], kind=kind, case=cast.case, **kwargs)


def _email_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(task=EMAIL_TASK))


# --- Sending ------------------------------------------------------------------------------------


def test_send_notifies_each_recipient_but_the_actor_and_inactive_users(cast, colleague):
    cast.manager.is_active = False
    cast.manager.save(update_fields=["is_active"])
    made = services.notification_send(
        recipients=[cast.caseworker, colleague, cast.manager],
        kind=K.POLICE_NOTE_ADDED,
        case=cast.case,
        exclude=cast.caseworker,
    )
    assert [n.recipient for n in made] == [colleague]
    assert Notification.objects.get().read_at is None


def test_a_key_never_notifies_twice(cast, colleague):
    assert len(_send(cast, colleague, K.REVIEW_OVERDUE, key="review-overdue:1:2026-01-01")) == 1
    assert _send(cast, colleague, K.REVIEW_OVERDUE, key="review-overdue:1:2026-01-01") == []
    assert len(_send(cast, colleague, K.REVIEW_OVERDUE, key="review-overdue:1:2026-02-01")) == 1
    assert Notification.objects.count() == 2


def test_the_email_says_nothing_of_the_case_only_a_link(cast, colleague, settings):
    settings.EXITPROG_SITE_URL = "https://exitprog.Ntf8k2.example"
    task_services.task_create(
        case=cast.case,
        by=cast.caseworker,
        title="Hemlig uppgift Ntf8k2",
        note="Hemlig anteckning Ntf8k2",
        due_on=TODAY() + DAY,
        assigned_to=colleague,
    )
    [message] = _email_messages()
    assert services.notification_emails_send(ids=message.args[0]) == 1
    [email] = mail.outbox
    assert email.to == [colleague.email]
    whole = str(email.subject) + str(email.body)
    assert "https://exitprog.Ntf8k2.example/notifications/" in email.body
    client = cast.case.client
    for secret in (
        "Hemlig uppgift Ntf8k2",
        "Hemlig anteckning Ntf8k2",
        cast.case.reference,
        client.first_name,
        client.last_name,
        client.identity_number,
        cast.stockholm.name,
        cast.caseworker.last_name,
    ):
        assert secret and secret not in whole
    assert "/cases/" not in email.body


def test_an_email_is_sent_once_though_the_job_comes_twice(cast, colleague):
    [notification] = _send(cast, colleague)
    assert services.notification_emails_send(ids=[notification.pk]) == 1
    assert services.notification_emails_send(ids=[notification.pk]) == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_email_waits_for_the_commit(cast, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _send(cast, colleague)
    assert len(callbacks) == 1 and len(_email_messages()) == 1


def test_the_defaults_email_what_asks_for_action(cast, colleague):
    assert services.email_kinds_for(colleague) == frozenset(EMAIL_BY_DEFAULT)
    _send(cast, colleague, K.TASK_ASSIGNED)
    _send(cast, colleague, K.POLICE_NOTE_ADDED)
    [message] = _email_messages()
    assert len(message.args[0]) == 1
    assert Notification.objects.get(pk=message.args[0][0]).kind == K.TASK_ASSIGNED


def test_the_users_choice_is_respected(cast, colleague):
    services.notification_preferences_set(user=colleague, email_kinds=[K.POLICE_NOTE_ADDED])
    _send(cast, colleague, K.TASK_ASSIGNED)
    assert _email_messages() == []
    _send(cast, colleague, K.POLICE_NOTE_ADDED)
    assert len(_email_messages()) == 1


def test_no_email_without_an_address(cast):
    assert cast.caseworker.email == ""
    _send(cast, cast.caseworker, K.TASK_ASSIGNED)
    assert Notification.objects.count() == 1 and _email_messages() == []


# --- Where things happen --------------------------------------------------------------------------


def test_an_answered_referral_notifies_the_other_caseworkers(cast, colleague):
    agency = Agency.objects.create(name="Boendet Ntf8k2", kind=AgencyKind.HOUSING)
    referral = referral_services.referral_create(
        case=cast.case, by=cast.caseworker, agency=agency, purpose="Boende"
    )
    referral = referral_services.referral_transition(
        referral=referral, to_state=ReferralState.SENT, by=cast.caseworker, without_consent=True
    )
    assert not Notification.objects.exists()  # sending is no answer
    referral_services.referral_transition(
        referral=referral, to_state=ReferralState.ACCEPTED, by=cast.caseworker, note="Ja"
    )
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (colleague, K.REFERRAL_ANSWERED)


def test_a_police_note_notifies_the_caseworkers(cast, colleague):
    case_services.police_note_add(
        case=cast.case, by=cast.police, text="Hot Ntf8k2", threat_level=None
    )
    assert {n.recipient for n in Notification.objects.filter(kind=K.POLICE_NOTE_ADDED)} == {
        cast.caseworker,
        colleague,
    }


@pytest.fixture
def malmo_manager(cast):
    Municipality.objects.filter(pk=cast.malmo.pk).update(runs_program=True)
    cast.malmo.refresh_from_db()
    return make_user("mats-ntf", Role.MANAGER, municipality=cast.malmo)


def test_a_transfer_notifies_the_receiving_managers_and_its_answer_the_proposer(
    cast, malmo_manager
):
    transfer = case_services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Flytt"
    )
    [proposed] = Notification.objects.all()
    assert (proposed.recipient, proposed.kind) == (malmo_manager, K.TRANSFER_PROPOSED)
    case_services.transfer_decline(transfer=transfer, by=malmo_manager, note="Nej")
    answered = Notification.objects.get(kind=K.TRANSFER_ANSWERED)
    assert answered.recipient == cast.manager


def test_an_accepted_transfer_notifies_the_proposer(cast, malmo_manager):
    transfer = case_services.transfer_propose(
        case=cast.case, by=cast.manager, to_municipality=cast.malmo, reason="Flytt"
    )
    case_services.transfer_accept(transfer=transfer, by=malmo_manager)
    assert Notification.objects.get(kind=K.TRANSFER_ANSWERED).recipient == cast.manager


# --- The daily jobs -------------------------------------------------------------------------------


def test_an_overdue_review_is_notified_once_per_review_date(cast):
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=TODAY() - DAY)
    assert notify.reviews_notify_overdue(today=TODAY()) == 1
    assert notify.reviews_notify_overdue(today=TODAY()) == 0
    assert notify.reviews_notify_overdue(today=TODAY() + DAY) == 0
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=TODAY() + 10 * DAY)
    assert notify.reviews_notify_overdue(today=TODAY()) == 0
    # The review moved and passed again: a new date to hear about.
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=TODAY() - 2 * DAY)
    assert notify.reviews_notify_overdue(today=TODAY()) == 1
    assert (
        Notification.objects.filter(kind=K.REVIEW_OVERDUE, recipient=cast.caseworker).count() == 2
    )


def test_a_due_follow_up_is_notified_once(cast):
    ended = TODAY() - 100 * DAY
    Case.objects.filter(pk=cast.case.pk).update(
        state=CaseState.COMPLETED, closed_on=ended, next_review_on=None
    )
    cast.case.refresh_from_db()
    case_services.follow_ups_schedule(case=cast.case, ended_on=ended)
    due = FollowUp.objects.filter(case=cast.case, due_on__lte=TODAY()).count()
    assert due >= 1
    assert notify.follow_ups_notify_due(today=TODAY()) == due
    assert notify.follow_ups_notify_due(today=TODAY()) == 0
    assert notify.follow_ups_notify_due(today=TODAY() + DAY) == 0


def test_a_share_whose_consent_ends_soon_is_notified_once(cast):
    cast.consent.valid_until = TODAY() + 5 * DAY
    cast.consent.save(update_fields=["valid_until"])
    assert notify.police_shares_notify_expiring(today=TODAY()) == 2  # caseworker and manager
    assert notify.police_shares_notify_expiring(today=TODAY()) == 0
    assert notify.police_shares_notify_expiring(today=TODAY() + DAY) == 0
    assert {n.recipient for n in Notification.objects.filter(kind=K.SHARE_EXPIRING)} == {
        cast.caseworker,
        cast.manager,
    }


def test_a_share_far_from_its_end_is_not_notified(cast):
    assert notify.police_shares_notify_expiring(today=TODAY()) == 0  # valid for a year


# --- Pages ----------------------------------------------------------------------------------------


def test_the_list_shows_unread_first_with_only_kind_and_reference(login, cast, colleague):
    older = _send(cast, colleague, K.REFERRAL_ANSWERED)[0]
    services.notification_mark_read(user=colleague, notification_id=older.pk)
    _send(cast, colleague, K.TASK_ASSIGNED)
    _send(cast, cast.caseworker, K.TRANSFER_ANSWERED)  # someone else's
    text = login(colleague).get(reverse("notifications:list")).content.decode()
    assert text.count("notification--unread") == 1
    with translation.override("sv"):
        assigned, answered, other = (
            str(k.label) for k in (K.TASK_ASSIGNED, K.REFERRAL_ANSWERED, K.TRANSFER_ANSWERED)
        )
    assert text.index(assigned) < text.index(answered)
    assert cast.case.reference in text and other not in text
    assert cast.case.client.last_name not in text


def test_a_notification_of_a_case_no_longer_readable_reveals_nothing(login, cast, colleague):
    _send(cast, colleague, K.TASK_ASSIGNED)
    policy.case_revoke_assignment(case=cast.case, user=colleague)
    cast.stockholm.team_visibility = False
    cast.stockholm.save(update_fields=["team_visibility"])
    client = login(colleague)
    text = client.get(reverse("notifications:list")).content.decode()
    assert cast.case.reference in text and cast.case.client.last_name not in text
    assert client.get(reverse("cases:detail", args=[cast.case.pk])).status_code == 404


def test_marking_one_read_touches_only_ones_own(login, cast, colleague):
    mine = _send(cast, colleague)[0]
    theirs = _send(cast, cast.caseworker)[0]
    client = login(colleague)
    response = client.post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("notifications:read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405


def test_mark_all_read_clears_the_header_count(login, cast, colleague):
    for kind in (K.TASK_ASSIGNED, K.TASK_DUE, K.REVIEW_OVERDUE):
        _send(cast, colleague, kind)
    _send(cast, cast.caseworker)
    client = login(colleague)
    home = client.get(reverse("home")).content.decode()
    assert 'class="count-badge">3<' in home
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=colleague, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=cast.caseworker, read_at__isnull=True).exists()
    assert "count-badge" not in client.get(reverse("home")).content.decode()


def test_marking_read_needs_the_csrf_token(cast, colleague):
    notification = _send(cast, colleague)[0]
    client = HttpClient(enforce_csrf_checks=True)
    client.force_login(colleague)
    assert client.post(reverse("notifications:read_all")).status_code == 403
    assert client.post(reverse("notifications:read", args=[notification.pk])).status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_pages_need_a_login(client):
    for url in (reverse("notifications:list"), reverse("notifications:preferences")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_preferences_page_saves_the_choice(login, cast, colleague):
    client = login(colleague)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert page.count('type="checkbox"') == len(NotificationKind)
    assert "<legend>" in page
    response = client.post(
        reverse("notifications:preferences"), {"email_kinds": [K.REVIEW_OVERDUE, K.TASK_DUE]}
    )
    assert response.status_code == 302
    assert services.email_kinds_for(colleague) == {K.REVIEW_OVERDUE, K.TASK_DUE}
    client.post(reverse("notifications:preferences"), {})
    assert services.email_kinds_for(colleague) == frozenset()


def test_an_unknown_kind_is_a_form_error_not_a_500(login, cast):
    client = login(cast.caseworker)
    response = client.post(reverse("notifications:preferences"), {"email_kinds": ["nonsense"]})
    assert response.status_code == 200 and "error-summary" in response.content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_takes_a_fixed_number_of_queries(
    login, cast, colleague, count, django_assert_num_queries
):
    for _ in range(count):
        _send(cast, colleague, K.TASK_DUE)
    client = login(colleague)
    client.get(reverse("notifications:list"))
    # The session and the user, the list, the navigation's grants (1), the header's count,
    # and the session saved (3, SESSION_SAVE_EVERY_REQUEST).
    with django_assert_num_queries(8):
        client.get(reverse("notifications:list"))


def test_the_preferences_page_takes_a_fixed_number_of_queries(
    login, cast, colleague, django_assert_num_queries
):
    client = login(colleague)
    client.get(reverse("notifications:preferences"))
    # The session and the user, the choice, the navigation's grants (1), the header's count,
    # and the session saved (3, SESSION_SAVE_EVERY_REQUEST).
    with django_assert_num_queries(8):
        client.get(reverse("notifications:preferences"))


JOBS = (
    "reminders.tasks.notify_tasks_due",
    "cases.tasks.notify_reviews_overdue",
    "cases.tasks.notify_follow_ups_due",
    "cases.tasks.notify_police_shares_expiring",
)


def test_every_daily_job_is_scheduled_and_runs(cast, settings):
    from exitprog.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert set(JOBS) <= scheduled
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=TODAY() - 3 * DAY)
    results = [app.tasks[name].apply().get() for name in JOBS]
    assert results == [0, 1, 0, 0]
    assert [app.tasks[name].apply().get() for name in JOBS] == [0, 0, 0, 0]
    assert app.tasks[EMAIL_TASK].name == EMAIL_TASK


# --- E-mails that fail ----------------------------------------------------------------------------


class MailServerDownNtf8k2(Exception):
    pass


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses everything, with an address in its message (as SMTP's
    refusals have)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise MailServerDownNtf8k2("refused-Ntf8k2 tove.Ntf8k2@example.invalid")


WORKING_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def mail_down(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
    return settings


def _later(minutes: int = 10) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_a_failed_email_is_counted_on_the_notification_not_raised(cast, colleague, mail_down):
    [notification] = _send(cast, colleague)
    assert send_notification_emails.apply(args=[[notification.pk]]).get() == 0
    notification.refresh_from_db()
    assert notification.emailed_at is None and mail.outbox == []
    assert notification.email_attempts == 1
    assert notification.email_failed_at is not None
    # The kind of error only: the message names the address.
    assert notification.email_error == "MailServerDownNtf8k2"


def test_the_sweep_queues_a_failed_email_again_and_it_is_sent_once(cast, colleague, mail_down):
    [notification] = _send(cast, colleague)
    assert services.notification_emails_send(ids=[notification.pk]) == 0
    # Too young: the job of its commit may still be on its way.
    assert services.notification_emails_resend() == 0
    assert services.notification_emails_resend(now=_later()) == 1
    first, again = OutboxMessage.objects.filter(task=EMAIL_TASK).order_by("pk")
    assert again.args == [[notification.pk]] and again.sent_at is None
    mail_down.MAILERS = WORKING_MAILERS
    assert send_notification_emails.apply(args=again.args).get() == 1
    assert send_notification_emails.apply(args=first.args).get() == 0  # a late job, run again
    [email] = mail.outbox
    assert email.to == [colleague.email]
    assert services.notification_emails_resend(now=_later()) == 0
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_attempts == 1


def test_after_the_last_attempt_the_email_is_given_up(cast, colleague, mail_down):
    mail_down.NOTIFICATION_EMAIL_ATTEMPTS = 3
    [notification] = _send(cast, colleague)
    queued = []
    for _ in range(3):
        assert services.notification_emails_send(ids=[notification.pk]) == 0
        queued.append(services.notification_emails_resend(now=_later()))
    assert queued == [1, 1, 0]
    assert len(_email_messages()) == 3
    notification.refresh_from_db()
    assert notification.email_attempts == 3
    # A job still under way when it was given up sends nothing, even to a mail server back.
    mail_down.MAILERS = WORKING_MAILERS
    assert services.notification_emails_send(ids=[notification.pk]) == 0
    assert mail.outbox == []


def test_the_sweep_queues_a_lost_job_and_only_what_goes_by_email(cast, colleague):
    lost = _send(cast, colleague, K.TASK_ASSIGNED)[0]
    _send(cast, colleague, K.POLICE_NOTE_ADDED)  # shown in the app only
    _send(cast, cast.caseworker, K.TASK_ASSIGNED)  # no address
    old = _send(cast, colleague, K.TASK_DUE)[0]
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - 2 * DAY)
    assert services.notification_emails_resend(now=_later()) == 1
    assert OutboxMessage.objects.filter(task=EMAIL_TASK).latest("pk").args == [[lost.pk]]
    services.notification_preferences_set(user=colleague, email_kinds=[])
    assert services.notification_emails_resend(now=_later()) == 0
    services.notification_preferences_set(user=colleague, email_kinds=[K.TASK_ASSIGNED])
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    assert services.notification_emails_resend(now=_later()) == 0


def test_a_given_up_email_shows_in_the_admin_and_not_to_the_user(login, cast, colleague, mail_down):
    mail_down.NOTIFICATION_EMAIL_ATTEMPTS = 2
    [given_up] = _send(cast, colleague, K.TASK_ASSIGNED)
    [failing] = _send(cast, colleague, K.TASK_DUE)
    for ids in ([given_up.pk, failing.pk], [given_up.pk]):
        services.notification_emails_send(ids=ids)
    mine = login(colleague).get(reverse("notifications:list")).content.decode()
    assert "MailServerDownNtf8k2" not in mine
    client = login(cast.administrator)
    changelist = reverse("admin:notifications_notification_changelist")
    response = client.get(changelist, {"email": "given_up"})
    assert list(response.context["cl"].result_list) == [given_up]
    page = response.content.decode()
    assert "MailServerDownNtf8k2" in page and "refused-Ntf8k2" not in page
    assert cast.case.reference not in page
    response = client.get(changelist, {"email": "failing"})
    assert list(response.context["cl"].result_list) == [failing]
    detail = client.get(reverse("admin:notifications_notification_change", args=[failing.pk]))
    assert detail.status_code == 200 and cast.case.reference not in detail.content.decode()
    assert client.post(reverse("admin:notifications_notification_add")).status_code == 403


def test_the_email_sweep_is_scheduled_every_ten_minutes_and_runs(cast, colleague, settings):
    from exitprog.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["resend-notification-emails"]
    assert entry["task"] == "notifications.tasks.resend_notification_emails"
    assert entry["schedule"].minute == set(range(0, 60, 10))
    app.loader.import_default_modules()
    [lost] = _send(cast, colleague)
    Notification.objects.filter(pk=lost.pk).update(created_at=timezone.now() - 30 * MINUTE)
    assert app.tasks[entry["task"]].apply().get() == 1
    assert OutboxMessage.objects.filter(task=EMAIL_TASK).latest("pk").args == [[lost.pk]]
