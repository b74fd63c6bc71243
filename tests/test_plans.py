"""The case plan (versions of goals, responsible, planned interventions) and the reviews that
set the next review date (issue 11). Values looked for carry the suffix "Plan7q3k"."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from cases import selectors as case_selectors
from cases.models import Case, CaseState, Intervention, InterventionType
from cases.services import CaseRuleError
from records import services
from records.models import CasePlan, PlanGoal, PlanGoalIntervention, Review, ReviewOutcome
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def _intervention(case: Case, by) -> Intervention:
    return Intervention.objects.create(
        case=case, created_by=by, type=InterventionType.objects.get(code="mentor")
    )


def _plan(cast, text: str = "Bostad Plan7q3k", **kwargs) -> CasePlan:
    goals = kwargs.pop("goals", [services.GoalInput(goal=text, responsible=cast.caseworker)])
    return services.plan_write(
        case=cast.case,
        by=kwargs.pop("by", cast.caseworker),
        goals=goals,
        next_review_on=kwargs.pop("next_review_on", TODAY() + 30 * DAY),
    )


def _review(cast, **kwargs) -> Review:
    values = {
        "case": cast.case,
        "by": cast.caseworker,
        "reviewed_on": TODAY(),
        "reviewed": "Målen gicks igenom Plan7q3k",
        "outcome": ReviewOutcome.CONTINUE,
        "next_review_on": TODAY() + 60 * DAY,
    }
    values.update(kwargs)
    return services.review_record(**values)


# --- Services ---------------------------------------------------------------------------------


def test_each_save_is_a_new_version_and_the_earlier_stays_as_written(cast):
    mentor = _intervention(cast.case, cast.caseworker)
    first = _plan(
        cast,
        goals=[
            services.GoalInput(
                goal="Egen bostad Plan7q3k", responsible=cast.caseworker, interventions=[mentor]
            )
        ],
    )
    second = _plan(
        cast,
        goals=[
            services.GoalInput(goal="Arbete Plan7q3k", responsible=cast.manager),
            services.GoalInput(goal="  ", responsible=cast.manager),  # an empty row: no goal
        ],
        next_review_on=TODAY() + 40 * DAY,
    )
    assert (first.version, second.version) == (1, 2)
    assert [g.goal for g in first.goals.all()] == ["Egen bostad Plan7q3k"]
    assert list(first.goals.get().interventions.all()) == [mentor]
    assert [(g.goal, g.responsible) for g in second.goals.all()] == [
        ("Arbete Plan7q3k", cast.manager)
    ]
    cast.case.refresh_from_db()
    assert cast.case.next_review_on == TODAY() + 40 * DAY
    logged = AccessLogEntry.objects.filter(case=cast.case, detail="case plan")
    assert logged.filter(action=AccessAction.CREATE).count() == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"goals": []}, "no_goal"),
        ({"next_review_on": TODAY()}, "next_review"),
        ({"next_review_on": TODAY() + 200 * DAY}, "next_review"),
    ],
)
def test_a_plan_against_the_rules_is_refused(cast, change, code):
    with pytest.raises(CaseRuleError) as refused:
        _plan(cast, **change)
    assert refused.value.code == code
    assert not CasePlan.objects.exists()


def test_only_who_works_the_case_can_be_responsible_or_write_it(cast):
    with pytest.raises(CaseRuleError) as refused:
        _plan(cast, goals=[services.GoalInput(goal="Mål Plan7q3k", responsible=cast.outsider)])
    assert refused.value.code == "responsible"
    with pytest.raises(CaseRuleError) as refused:
        _plan(cast, by=cast.teammate)
    assert refused.value.code == "forbidden"
    other_case = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    foreign = _intervention(other_case, cast.manager)
    with pytest.raises(CaseRuleError) as refused:
        _plan(
            cast,
            goals=[
                services.GoalInput(
                    goal="Mål Plan7q3k", responsible=cast.caseworker, interventions=[foreign]
                )
            ],
        )
    assert refused.value.code == "intervention"
    assert not CasePlan.objects.exists()


def test_a_closed_case_gets_no_plan_and_no_review(cast):
    Case.objects.filter(pk=cast.case.pk).update(state=CaseState.COMPLETED)
    with pytest.raises(CaseRuleError) as refused:
        _plan(cast)
    assert refused.value.code == "closed"
    with pytest.raises(CaseRuleError):
        _review(cast)


def test_a_review_sets_the_next_date_and_the_overdue_lists_clear(cast):
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=TODAY() - 5 * DAY)
    plan = _plan(cast)
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=TODAY() - 5 * DAY)

    def overdue() -> int:
        overview = case_selectors.manager_overview(user=cast.manager, today=TODAY())
        return sum(o.review_overdue for o in overview)

    assert overdue() == 1
    review = _review(cast)
    assert review.plan == plan
    cast.case.refresh_from_db()
    assert cast.case.next_review_on == TODAY() + 60 * DAY
    assert overdue() == 0
    assert AccessLogEntry.objects.filter(
        case=cast.case, action=AccessAction.CREATE, detail="review"
    ).exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"reviewed_on": TODAY() + DAY}, "future"),
        ({"reviewed_on": datetime.date(2000, 1, 1)}, "before_opened"),
        ({"reviewed": " "}, "reviewed"),
        ({"next_review_on": TODAY()}, "next_review"),
    ],
)
def test_a_review_against_the_rules_is_refused(cast, change, code):
    before = Case.objects.get(pk=cast.case.pk).next_review_on
    with pytest.raises(CaseRuleError) as refused:
        _review(cast, **change)
    assert refused.value.code == code
    assert not Review.objects.exists()
    assert Case.objects.get(pk=cast.case.pk).next_review_on == before


@pytest.mark.parametrize("model", [CasePlan, PlanGoal, PlanGoalIntervention, Review])
def test_plans_and_reviews_are_append_only(cast, model):
    mentor = _intervention(cast.case, cast.caseworker)
    _plan(
        cast,
        goals=[
            services.GoalInput(
                goal="Mål Plan7q3k", responsible=cast.caseworker, interventions=[mentor]
            )
        ],
    )
    _review(cast)
    table = model._meta.db_table
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


# --- Pages ------------------------------------------------------------------------------------


def plan_url(cast) -> str:
    return reverse("records:plan", args=[cast.case.pk])


def plan_new_url(cast) -> str:
    return reverse("records:plan_new", args=[cast.case.pk])


def review_url(cast) -> str:
    return reverse("records:review_new", args=[cast.case.pk])


READERS = ["caseworker", "teammate", "manager"]
EDITORS = ["caseworker", "manager"]
OTHERS = ["outsider", "police", "police_unshared", "analyst", "administrator"]


@pytest.mark.parametrize("who", READERS)
def test_readers_see_the_plan_and_the_reviews(cast, login, who):
    _plan(cast)
    _review(cast)
    text = login(getattr(cast, who)).get(plan_url(cast)).content.decode()
    assert "Bostad Plan7q3k" in text and "Målen gicks igenom Plan7q3k" in text
    assert (plan_new_url(cast) in text) == (who in EDITORS)
    assert AccessLogEntry.objects.filter(
        user=getattr(cast, who), action=AccessAction.VIEW, detail="case plan"
    ).exists()


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize("url", [plan_url, plan_new_url, review_url])
def test_everyone_else_gets_404(cast, login, who, url):
    _plan(cast)
    response = login(getattr(cast, who)).get(url(cast))
    assert response.status_code == 404
    assert "Plan7q3k" not in response.content.decode()


@pytest.mark.parametrize("url", [plan_new_url, review_url])
def test_a_reader_who_may_not_edit_gets_404_on_the_forms(cast, login, url):
    assert login(cast.teammate).get(url(cast)).status_code == 404
    assert login(cast.teammate).post(url(cast), {}).status_code == 404


def test_the_plan_is_written_through_the_form_starting_from_the_current_version(cast, login):
    client = login(cast.caseworker)
    mentor = _intervention(cast.case, cast.caseworker)
    form = client.get(plan_new_url(cast)).content.decode()
    assert 'name="goal-TOTAL_FORMS" value="2"' in form
    response = client.post(
        plan_new_url(cast),
        {
            "next_review_on": (TODAY() + 20 * DAY).isoformat(),
            "goal-TOTAL_FORMS": "2",
            "goal-INITIAL_FORMS": "0",
            "goal-0-goal": "Skola Plan7q3k",
            "goal-0-responsible": str(cast.manager.pk),
            "goal-0-interventions": [str(mentor.pk)],
            "goal-1-goal": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == plan_url(cast)
    plan = CasePlan.objects.get(case=cast.case)
    goal = plan.goals.get()
    assert (goal.goal, goal.responsible, list(goal.interventions.all())) == (
        "Skola Plan7q3k",
        cast.manager,
        [mentor],
    )
    again = client.get(plan_new_url(cast)).content.decode()
    assert "Skola Plan7q3k" in again and 'name="goal-TOTAL_FORMS" value="3"' in again
    assert AccessLogEntry.objects.filter(
        user=cast.caseworker, action=AccessAction.VIEW, detail="case plan form"
    ).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"goal-0-goal": "Mål Plan7q3k utan ansvarig"}, "Välj vem som är ansvarig"),
        ({"goal-0-goal": ""}, "En plan behöver minst ett mål"),
        ({"next_review_on": "inte ett datum"}, "Fyll i ett giltigt datum"),
    ],
)
def test_bad_plan_input_keeps_what_was_typed_and_saves_nothing(cast, login, data, message):
    post = {
        "next_review_on": (TODAY() + 20 * DAY).isoformat(),
        "goal-TOTAL_FORMS": "2",
        "goal-INITIAL_FORMS": "0",
        "goal-1-goal": "",
        **data,
    }
    response = login(cast.caseworker).post(plan_new_url(cast), post)
    text = response.content.decode()
    assert response.status_code == 200
    assert message in text
    if data.get("goal-0-goal"):
        assert data["goal-0-goal"] in text
    assert not CasePlan.objects.exists()


def test_a_review_is_recorded_through_the_form(cast, login):
    Case.objects.filter(pk=cast.case.pk).update(next_review_on=TODAY() - 3 * DAY)
    client = login(cast.manager)
    assert client.get(review_url(cast)).status_code == 200
    response = client.post(
        review_url(cast),
        {
            "reviewed_on": TODAY().isoformat(),
            "reviewed": "Uppföljning med klienten Plan7q3k",
            "outcome": "plan_changed",
            "note": "",
            "next_review_on": (TODAY() + 30 * DAY).isoformat(),
        },
    )
    assert response.status_code == 302
    cast.case.refresh_from_db()
    assert cast.case.next_review_on == TODAY() + 30 * DAY
    text = client.get(plan_url(cast)).content.decode()
    assert "Uppföljning med klienten Plan7q3k" in text and "Planen ska ändras" in text


def test_a_bad_review_keeps_what_was_typed(cast, login):
    response = login(cast.caseworker).post(
        review_url(cast),
        {
            "reviewed_on": (TODAY() + 2 * DAY).isoformat(),
            "reviewed": "Framtida Plan7q3k",
            "outcome": "continue",
            "next_review_on": (TODAY() + 30 * DAY).isoformat(),
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Framtida Plan7q3k" in text and "kan inte dateras i framtiden" in text
    assert not Review.objects.exists()


def test_the_case_page_shows_the_plan_in_force_and_links_to_it(cast, login):
    _plan(cast, "Gammal Plan7q3k")
    _plan(cast, "Ny Plan7q3k")
    text = login(cast.caseworker).get(reverse("cases:detail", args=[cast.case.pk])).content
    text = text.decode()
    assert "Ny Plan7q3k" in text and "Gammal Plan7q3k" not in text
    assert plan_url(cast) in text and review_url(cast) in text


def test_the_plan_page_takes_a_fixed_number_of_queries(cast, login, django_assert_num_queries):
    client = login(cast.caseworker)
    _plan(cast)
    client.get(plan_url(cast))
    with django_assert_num_queries(15) as few:  # 14 and the header's unread count
        client.get(plan_url(cast))
    mentor = _intervention(cast.case, cast.caseworker)
    for n in range(6):
        _plan(
            cast,
            goals=[
                services.GoalInput(
                    goal=f"Mål {n} {i} Plan7q3k",
                    responsible=cast.caseworker,
                    interventions=[mentor],
                )
                for i in range(3)
            ],
        )
        _review(cast)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(plan_url(cast))
    assert response.content.decode().count("<details>") == 6


def test_the_plan_form_takes_a_fixed_number_of_queries(cast, login, django_assert_num_queries):
    """However many goals the plan in force has (each row of the form lists the people and
    the interventions), and the review form likewise."""
    client = login(cast.caseworker)
    mentor = _intervention(cast.case, cast.caseworker)
    _plan(
        cast,
        goals=[services.GoalInput(goal="Ett Plan7q3k", responsible=cast.caseworker)],
    )
    client.get(plan_new_url(cast))
    with django_assert_num_queries(15) as one:  # 14 and the header's unread count
        client.get(plan_new_url(cast))
    _intervention(cast.case, cast.caseworker)
    _plan(
        cast,
        goals=[
            services.GoalInput(
                goal=f"Mål {i} Plan7q3k", responsible=cast.manager, interventions=[mentor]
            )
            for i in range(services.MAX_GOALS)
        ],
    )
    with django_assert_num_queries(len(one.captured_queries)):
        text = client.get(plan_new_url(cast)).content.decode()
    assert text.count('<fieldset class="goal">') == services.MAX_GOALS
    with django_assert_num_queries(10):  # 9 and the header's unread count
        assert client.get(review_url(cast)).status_code == 200
