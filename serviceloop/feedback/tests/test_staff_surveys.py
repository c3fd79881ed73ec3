"""Staff surveys: create, send to the team, answer once and anonymously, results only from
STAFF_SURVEY_MIN_ANSWERS answers, and a text answer turned into a feedback item."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import TeamMembership
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock as core_clock
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from serviceloop.feedback import queries
from serviceloop.feedback.errors import TooFewAnswers
from serviceloop.feedback.models import (
    FeedbackItem,
    StaffSurvey,
    StaffSurveyAnswer,
    StaffSurveyInvitation,
)
from serviceloop.feedback.services import (
    INVITATION_KIND,
    answer_staff_survey,
    invitation_kind,
    register_feedback_from_staff_survey,
    send_staff_survey,
)
from serviceloop.inbox.models import Notification
from tests.builders import at_once, make_user

from .given import QUESTIONS, mentions, stored_state, survey_of


@pytest.fixture
def members(team, agent, teammate, supervisor):
    """Six active staff members of the team (a customer and a departed agent are not)."""
    extra = [make_user(Role.AGENT, username=f"member{n}", teams=[team]) for n in range(3)]
    make_user(Role.AGENT, username="departed", teams=[team], is_active=False)
    return [agent, teammate, supervisor, *extra]


@pytest.fixture
def survey(team, specialist, members):
    survey = survey_of(team, specialist)
    send_staff_survey(survey=survey, actor=specialist)
    return survey


def answers(workload=4, tools=2, change="更多培训"):
    return {"workload": workload, "tools": tools, "change": change}


def answered_by(survey, people, **values):
    for person in people:
        answer_staff_survey(survey=survey, user=person, answers=answers(**values))


# --- create and send -----------------------------------------------------------------------


def test_it_creates_a_survey_and_fills_missing_keys_and_texts(team, specialist):
    survey = survey_of(
        team,
        specialist,
        questions=[
            {"text_en": "Do you feel heard?", "kind": "scale_1_5"},
            {"key": "more", "text_zh": "还有什么？", "kind": "text"},
        ],
    )

    assert survey.questions == [
        {"key": "q1", "text_en": "Do you feel heard?", "text_zh": "Do you feel heard?",
         "kind": "scale_1_5"},
        {"key": "more", "text_en": "还有什么？", "text_zh": "还有什么？", "kind": "text"},
    ]  # fmt: skip
    assert AuditEvent.objects.get(action="staff_survey.created").actor_id == specialist.pk


@pytest.mark.parametrize(
    ("questions", "fragment"),
    [
        ([], "at least one"),
        ([{"text_en": "?", "kind": "stars"}], "Question 1"),
        (
            [
                {"key": "a", "text_en": "?", "kind": "text"},
                {"key": "a", "text_en": "!", "kind": "text"},
            ],
            "Question 2",
        ),
        ([{"key": "A B", "text_en": "?", "kind": "text"}], "Question 1"),
        ([{"kind": "text"}], "Question 1"),
        ("not a list", "at least one"),
    ],
)
def test_bad_questions_are_refused_naming_the_question(team, specialist, questions, fragment):
    with pytest.raises(ValidationFailed) as refused:
        survey_of(team, specialist, questions=questions)

    assert fragment in str(refused.value.errors["questions"])
    assert not StaffSurvey.objects.exists()


def test_a_survey_must_close_after_it_opens_and_in_the_future(team, specialist):
    with pytest.raises(ValidationFailed) as backwards:
        survey_of(team, specialist, closes_at=core_clock.now() - timedelta(hours=1))
    with pytest.raises(ValidationFailed) as untitled:
        survey_of(None, specialist, title=" ", opens_at=None)

    assert set(backwards.value.errors) == {"closes_at"}
    assert set(untitled.value.errors) == {"title", "team", "opens_at"}


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST])
def test_only_managers_create_and_send(team, specialist, role):
    user = make_user(role, teams=[team])
    survey = survey_of(team, specialist)

    with pytest.raises(NotPermitted):
        survey_of(team, user)
    with pytest.raises(NotPermitted):
        send_staff_survey(survey=survey, actor=user)


def test_sending_invites_the_teams_current_members_and_tells_them(team, specialist, members):
    survey = survey_of(team, specialist)

    invited = send_staff_survey(survey=survey, actor=specialist)

    assert {i.user for i in invited} == set(members)
    notified = Notification.objects.filter(kind=INVITATION_KIND)
    if invitation_kind() is None:  # the inbox cannot word it yet: no notification it would break
        assert not Notification.objects.exists()
    else:
        assert {n.recipient for n in notified} == set(members)
        assert all(n.params["survey"] == survey.pk for n in notified)
    survey.refresh_from_db()
    assert survey.sent_at is not None


def test_sending_again_invites_only_newcomers(team, specialist, survey):
    newcomer = make_user(Role.AGENT, username="newcomer", teams=[team])

    invited = send_staff_survey(survey=survey, actor=specialist)

    assert [i.user for i in invited] == [newcomer]
    told = Notification.objects.filter(recipient=newcomer, kind=INVITATION_KIND).count()
    assert told == (0 if invitation_kind() is None else 1)
    assert StaffSurveyInvitation.objects.filter(survey=survey).count() == 7


def test_a_closed_survey_is_not_sent(team, specialist, survey, clock):
    clock.shift(timedelta(days=8))

    with pytest.raises(Conflict):
        send_staff_survey(survey=survey, actor=specialist)


# --- answering -----------------------------------------------------------------------------


def test_an_answer_stores_no_reference_to_who_gave_it(survey, agent):
    before = AuditEvent.objects.count()

    answer = answer_staff_survey(survey=survey, user=agent, answers=answers())

    row = StaffSurveyAnswer.objects.filter(pk=answer.pk).values().get()
    assert set(row) == {"id", "survey_id", "answers", "answered_on"}
    assert row["answered_on"] == date(2026, 11, 25)  # the day, nothing finer
    assert row["answers"] == {"workload": 4, "tools": 2, "change": "更多培训"}
    assert agent.username not in repr(row)
    invitation = StaffSurveyInvitation.objects.filter(survey=survey, user=agent).values().get()
    # no time of answering
    assert set(invitation) == {"id", "survey_id", "user_id", "answered", "initial"}
    assert invitation["answered"] is True
    new_events = AuditEvent.objects.order_by("id")[before:]
    assert not [event for event in new_events if mentions(agent, event)]
    assert AuditEvent.objects.count() == before  # the answer's time is nowhere


def test_a_second_answer_is_refused(survey, agent):
    answer_staff_survey(survey=survey, user=agent, answers=answers())
    before = stored_state()

    with pytest.raises(Conflict) as refused:
        answer_staff_survey(survey=survey, user=agent, answers=answers(workload=1))

    assert refused.value.code == "already_answered"
    assert stored_state() == before


def test_only_invitees_answer(survey, outsider):
    with pytest.raises(NotPermitted):
        answer_staff_survey(survey=survey, user=outsider, answers=answers())

    assert not StaffSurveyAnswer.objects.exists()


def test_no_answer_before_opening_or_after_closing(team, specialist, members, clock):
    later = survey_of(team, specialist, opens_at=core_clock.now() + timedelta(days=1))
    send_staff_survey(survey=later, actor=specialist)

    with pytest.raises(Conflict) as early:
        answer_staff_survey(survey=later, user=members[0], answers=answers())
    clock.shift(timedelta(days=9))
    with pytest.raises(Conflict) as late:
        answer_staff_survey(survey=later, user=members[0], answers=answers())

    assert (early.value.code, late.value.code) == ("not_open", "closed")
    assert not StaffSurveyAnswer.objects.exists()
    assert not StaffSurveyInvitation.objects.filter(answered=True).exists()


def test_answers_are_checked_per_question(survey, agent):
    with pytest.raises(ValidationFailed) as refused:
        answer_staff_survey(
            survey=survey,
            user=agent,
            answers={"workload": 6, "tools": "x", "change": "y" * 2001, "extra": 1},
        )

    assert set(refused.value.errors) == {
        "answers.workload", "answers.tools", "answers.change", "answers.extra",
    }  # fmt: skip
    assert not StaffSurveyAnswer.objects.exists()
    assert not StaffSurveyInvitation.objects.filter(answered=True).exists()


def test_text_answers_are_optional_and_scale_answers_may_come_as_text(survey, agent):
    answer = answer_staff_survey(
        survey=survey, user=agent, answers={"workload": "5", "tools": 1, "change": "  "}
    )

    assert answer.answers == {"workload": 5, "tools": 1}


# --- results -------------------------------------------------------------------------------


def test_results_are_withheld_under_five_answers(survey, members):
    answered_by(survey, members[:4])

    with pytest.raises(TooFewAnswers) as withheld:
        queries.survey_results(survey)

    assert (withheld.value.answers, withheld.value.needed) == (4, 5)
    assert "(now 4)" in str(withheld.value.message)


def test_results_show_at_five_answers(survey, members):
    answered_by(survey, members[:3], workload=4, tools=2, change="更多培训")
    answered_by(survey, members[3:5], workload=1, tools=5, change="")

    results = queries.survey_results(survey)

    assert results.answers == 5
    workload, tools, change = results.questions
    assert (workload.mean, workload.distribution) == (2.8, {1: 2, 2: 0, 3: 0, 4: 3, 5: 0})
    assert (tools.mean, tools.answered) == (3.2, 5)
    assert sorted(t.text for t in change.texts) == ["更多培训"] * 3
    assert change.mean is None


def test_members_invited_after_the_sending_do_not_count_towards_the_threshold(
    team, specialist, survey, members
):
    """An administrator who adds dummies to the team and sends again cannot make two real
    answers look like five: only the members invited by the first sending count."""
    dummies = [make_user(Role.AGENT, username=f"dummy{n}", teams=[team]) for n in range(3)]
    send_staff_survey(survey=survey, actor=specialist)
    answered_by(survey, members[:2])
    answered_by(survey, dummies)

    with pytest.raises(TooFewAnswers) as withheld:
        queries.survey_results(survey)

    assert (withheld.value.answers, withheld.value.needed) == (2, 5)
    assert StaffSurveyAnswer.objects.filter(survey=survey).count() == 5
    answered_by(survey, members[2:5])
    assert queries.survey_results(survey).answers == 8  # the latecomers' answers are shown


def test_the_threshold_is_a_setting(survey, members, settings):
    settings.STAFF_SURVEY_MIN_ANSWERS = 2
    answered_by(survey, members[:2])

    assert queries.survey_results(survey).answers == 2


# --- a text answer becomes a feedback item -------------------------------------------------


def test_a_text_answer_becomes_an_anonymous_staff_item(survey, members, specialist, team):
    answered_by(survey, members[:5])
    text = queries.survey_results(survey).questions[2].texts[0]
    answer = StaffSurveyAnswer.objects.get(pk=text.answer_id)

    item = register_feedback_from_staff_survey(answer=answer, question="change", actor=specialist)

    row = FeedbackItem.objects.filter(pk=item.pk).values().get()
    assert (row["source"], row["submitted_by_id"], row["team_id"]) == ("staff", None, team.pk)
    assert row["text"] == "更多培训"
    assert row["title"] == "团队氛围调查 2026 Q4: What should change first?"
    events = AuditEvent.objects.filter(target_type="feedbackitem", target_id=str(item.pk))
    assert [(e.action, e.actor_id) for e in events.order_by("id")] == [
        ("feedback.registered", None),
        ("feedback.taken_from_staff_survey", specialist.pk),
    ]
    assert not any(mentions(member, event) for member in members for event in events)
    assert queries.survey_results(survey).questions[2].texts  # still shown
    shown = {t.answer_id: t.in_register for t in queries.survey_results(survey).questions[2].texts}
    assert shown[str(answer.pk)] == item.number


def test_the_same_answer_becomes_one_item_only(survey, members, specialist):
    answered_by(survey, members[:5])
    answer = StaffSurveyAnswer.objects.first()
    register_feedback_from_staff_survey(answer=answer, question="change", actor=specialist)

    with pytest.raises(Conflict):
        register_feedback_from_staff_survey(answer=answer, question="change", actor=specialist)
    with pytest.raises(DomainError) as scale:
        register_feedback_from_staff_survey(answer=answer, question="workload", actor=specialist)

    assert FeedbackItem.objects.count() == 1
    assert scale.value.field == "question"


def test_no_item_from_answers_whose_results_are_withheld(survey, members, specialist, agent):
    answered_by(survey, members[:4])

    with pytest.raises(TooFewAnswers):
        register_feedback_from_staff_survey(
            answer=StaffSurveyAnswer.objects.first(), question="change", actor=specialist
        )
    with pytest.raises(NotPermitted):
        register_feedback_from_staff_survey(
            answer=StaffSurveyAnswer.objects.first(), question="change", actor=agent
        )

    assert not FeedbackItem.objects.exists()


def test_members_who_left_the_team_keep_their_invitation(survey, agent):
    TeamMembership.objects.filter(user=agent).delete()

    answer_staff_survey(survey=survey, user=agent, answers=answers())

    assert StaffSurveyAnswer.objects.count() == 1


def test_the_questions_constant_is_what_surveys_store(survey):
    assert survey.questions == QUESTIONS


# --- nothing in the database ties an answer to its invitation ------------------------------
# These tests commit (transaction=True): the writes must be separate transactions, which a
# test's surrounding transaction would join.


def _from_another_connection[T](read: Callable[[], T]) -> T:
    """read() on a connection of its own: what has been committed, and nothing else."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_closing(read)).result(timeout=30)


def _closing[T](read: Callable[[], T]) -> Callable[[], T]:
    def run() -> T:
        try:
            return read()
        finally:
            connection.close()

    return run


def _on_insert_of_an_answer(action: Callable[[], None]) -> Callable[..., Any]:
    table = StaffSurveyAnswer._meta.db_table

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            action()
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.django_db(transaction=True)
def test_the_invitation_is_marked_answered_and_committed_before_the_answer_is_stored(survey, agent):
    """Two transactions: when the answer is written, the invitation's change is committed
    already (another connection sees it), so no transaction holds both rows."""
    seen: list[bool] = []

    def look() -> None:
        seen.append(
            _from_another_connection(
                lambda: StaffSurveyInvitation.objects.get(survey=survey, user=agent).answered
            )
        )

    with connection.execute_wrapper(_on_insert_of_an_answer(look)):
        answer_staff_survey(survey=survey, user=agent, answers=answers())

    assert seen == [True]
    assert StaffSurveyAnswer.objects.filter(survey=survey).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_answer_that_fails_to_be_stored_leaves_the_member_free_to_answer_again(survey, agent):
    def fail() -> None:
        raise OperationalError("disk I/O error")

    with (
        connection.execute_wrapper(_on_insert_of_an_answer(fail)),
        pytest.raises(OperationalError),
    ):
        answer_staff_survey(survey=survey, user=agent, answers=answers())

    assert not StaffSurveyAnswer.objects.exists()
    assert not StaffSurveyInvitation.objects.get(survey=survey, user=agent).answered
    answer_staff_survey(survey=survey, user=agent, answers=answers(workload=5))
    assert StaffSurveyAnswer.objects.get().answers["workload"] == 5
    assert StaffSurveyInvitation.objects.get(survey=survey, user=agent).answered


@pytest.mark.django_db(transaction=True)
def test_one_member_answering_twice_at_once_is_stored_once(survey, agent):
    def answer(n: int) -> str:
        try:
            answer_staff_survey(survey=survey, user=agent, answers=answers(workload=n + 1))
        except Conflict as refused:
            return str(refused.code)
        return "stored"

    outcomes = at_once(answer)

    assert sorted(outcomes) == ["already_answered", "stored"]
    assert StaffSurveyAnswer.objects.filter(survey=survey).count() == 1


@pytest.mark.django_db(transaction=True)
def test_members_answering_at_once_are_all_stored(survey, members):
    at_once(
        lambda n: answer_staff_survey(survey=survey, user=members[n], answers=answers()), count=4
    )

    assert StaffSurveyAnswer.objects.filter(survey=survey).count() == 4
    assert StaffSurveyInvitation.objects.filter(survey=survey, answered=True).count() == 4


def _row_versions(model: type[Any], survey: StaffSurvey) -> set[str]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table} WHERE survey_id = %s", [survey.pk])  # noqa: S608
        return {xmin for (xmin,) in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_row_versions_tie_no_answer_to_its_invitation(survey, members):
    """xmin is the transaction that wrote a row. The answer's is not its invitation's, and
    every invitation (every answer) of the survey shares one, so neither the transaction
    nor the order of answering can be matched."""
    answered_by(survey, members[:3])

    invitations = _row_versions(StaffSurveyInvitation, survey)
    stored = _row_versions(StaffSurveyAnswer, survey)

    assert len(invitations) == 1, invitations  # all six, answered or not
    assert len(stored) == 1, stored
    assert invitations.isdisjoint(stored)
