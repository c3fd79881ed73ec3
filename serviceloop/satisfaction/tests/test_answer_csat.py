"""answer_csat: the first answer is the answer; within 7 days another one changes it (never
a second answer), after that it is refused and nothing changes. Through the survey's page:
serviceloop/web/tests/test_csat_survey.py."""

from datetime import timedelta

import pytest

from serviceloop.core.errors import ValidationFailed
from serviceloop.satisfaction import services
from serviceloop.satisfaction.errors import AnswerLocked, SurveyExpired
from serviceloop.satisfaction.models import CsatSurvey

from .conftest import mail_due_requests, resolved_ticket, survey_of
from .given import events


@pytest.fixture
def survey(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    mail_due_requests(clock, committed)
    return survey_of(ticket)


def test_the_first_answer_is_recorded_with_its_channel_and_time(survey, clock):
    answered = services.answer_csat(survey=survey, score=4, comment=" Quick! ", via="portal")

    stored = CsatSurvey.objects.get(pk=survey.pk)
    assert (stored.score, stored.comment, stored.channel) == (4, "Quick!", "portal")
    assert stored.answered_at == answered.answered_at
    assert stored.updated_at is None
    (event,) = events(survey, "csat.answered")
    assert event.after == {"score": 4, "comment": "Quick!", "channel": "portal"}
    assert event.ticket_id == survey.ticket_id


def test_a_change_within_seven_days_updates_the_one_answer(survey, clock):
    first = services.answer_csat(survey=survey, score=2, via="email")
    clock.shift(timedelta(days=7) - timedelta(minutes=1))

    services.answer_csat(survey=survey, score=5, comment="Solved after all", via="email")

    assert CsatSurvey.objects.filter(ticket_id=survey.ticket_id).count() == 1
    stored = CsatSurvey.objects.get(pk=survey.pk)
    assert (stored.score, stored.comment) == (5, "Solved after all")
    assert stored.answered_at == first.answered_at  # still the first answer's time
    assert stored.updated_at == first.answered_at + timedelta(days=7) - timedelta(minutes=1)
    assert len(events(survey, "csat.answered")) == 1
    (update,) = events(survey, "csat.updated")
    assert update.before == {"score": 2, "comment": ""}
    assert update.after == {"score": 5, "comment": "Solved after all"}


def test_a_second_click_keeps_the_comment(survey):
    services.answer_csat(survey=survey, score=3, comment="Slow but fine", via="email")

    services.answer_csat(survey=survey, score=4, via="email")

    assert CsatSurvey.objects.get(pk=survey.pk).comment == "Slow but fine"


def test_the_same_answer_again_changes_nothing(survey):
    services.answer_csat(survey=survey, score=3, via="email")

    services.answer_csat(survey=survey, score=3, via="email")

    assert CsatSurvey.objects.get(pk=survey.pk).updated_at is None
    assert events(survey, "csat.updated") == []


def test_a_change_after_seven_days_is_refused_and_nothing_changes(survey, clock):
    services.answer_csat(survey=survey, score=3, comment="ok", via="email")
    clock.shift(timedelta(days=7, minutes=1))
    before = list(CsatSurvey.objects.values_list())

    with pytest.raises(AnswerLocked):
        services.answer_csat(survey=survey, score=1, comment="Bad", via="email")

    assert list(CsatSurvey.objects.values_list()) == before
    assert events(survey, "csat.updated") == []


def test_an_expired_survey_takes_no_answer(survey, clock):
    clock.shift(timedelta(days=31))

    with pytest.raises(SurveyExpired):
        services.answer_csat(survey=survey, score=4, via="portal")
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None


@pytest.mark.parametrize("score", [0, 6, -1, True])
def test_a_score_outside_one_to_five_is_a_field_error(survey, score):
    with pytest.raises(ValidationFailed) as refused:
        services.answer_csat(survey=survey, score=score, via="email")

    assert set(refused.value.errors) == {"score"}
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None


def test_a_long_comment_is_a_field_error(survey):
    with pytest.raises(ValidationFailed) as refused:
        services.answer_csat(survey=survey, score=4, comment="x" * 2001, via="email")

    assert set(refused.value.errors) == {"comment"}
