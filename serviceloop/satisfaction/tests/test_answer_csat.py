"""answer_csat: the first answer is the answer; within 7 days another one changes it (never
a second answer), after that it is refused and nothing changes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import ValidationFailed
from serviceloop.satisfaction import links, services
from serviceloop.satisfaction.errors import AnswerLocked, SurveyExpired
from serviceloop.satisfaction.models import CsatSurvey

from .conftest import mail_due_requests, resolved_ticket, survey_of


@pytest.fixture
def survey(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    mail_due_requests(clock, committed)
    return survey_of(ticket)


def events(survey, action):
    return list(AuditEvent.objects.filter(action=action, target_id=str(survey.pk)))


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


def test_a_click_after_seven_days_shows_why_it_is_refused(survey, clock):
    token = links.make_token(survey)
    Client().post(reverse("surveys:csat_rate", args=[token, 4]))
    clock.shift(timedelta(days=8))

    opened = Client().get(reverse("surveys:csat_rate", args=[token, 1]))
    sent = Client().post(reverse("surveys:csat_rate", args=[token, 1]))

    for response in (opened, sent):
        assert response.status_code == 409
        assert "can no longer be changed" in response.content.decode()
        assert 'id="sl-csat-send"' not in response.content.decode()  # no form to try again
        assert "data-sl-autosubmit" not in response.content.decode()
    assert CsatSurvey.objects.get(pk=survey.pk).score == 4


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


def test_the_comment_form_after_a_click_changes_the_answer(survey):
    client = Client()
    token = links.make_token(survey)
    page = client.post(reverse("surveys:csat_rate", args=[token, 2]))
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = client.post(
        reverse("surveys:csat", args=[token]), {"score": "3", "comment": "The courier was rude"}
    )

    assert response.status_code == 302
    stored = CsatSurvey.objects.get(pk=survey.pk)
    assert (stored.score, stored.comment) == (3, "The courier was rude")
    assert len(events(survey, "csat.answered")) == 1
    follow = client.get(response["Location"])
    assert "Your answer is saved" in follow.content.decode()


def test_the_comment_form_needs_the_csrf_token(survey):
    client = Client(enforce_csrf_checks=True)
    token = links.make_token(survey)

    response = client.post(reverse("surveys:csat", args=[token]), {"score": "3"})

    assert response.status_code == 403
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None


def test_the_form_without_a_score_is_refused(survey):
    token = links.make_token(survey)

    response = Client().post(reverse("surveys:csat", args=[token]), {"comment": "hm"})

    assert response.status_code == 422
    assert 'data-error-for="score"' in response.content.decode()
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None


def test_the_survey_page_alone_records_nothing(survey):
    response = Client().get(reverse("surveys:csat", args=[links.make_token(survey)]))

    assert response.status_code == 200
    assert response.content.decode().count('name="score"') == 5
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None
    assert response["Cache-Control"].startswith("max-age=0")
