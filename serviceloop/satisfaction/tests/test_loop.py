"""A CSAT answer in the rest of the loop: its comment becomes a feedback item in the
register (once), and the ticket's timeline says what the customer answered."""

from django.utils import translation

from serviceloop.feedback.choices import Source
from serviceloop.feedback.models import FeedbackItem
from serviceloop.satisfaction import services
from serviceloop.satisfaction.choices import AnswerChannel
from serviceloop.tickets.timeline import timeline_of

from .conftest import resolved_ticket, survey_of


def test_a_comment_is_registered_as_feedback_once(agent, committed):
    ticket = resolved_ticket(agent, committed)
    survey = survey_of(ticket)

    services.answer_csat(
        survey=survey, score=2, comment="Nobody called me back", via=AnswerChannel.PORTAL
    )
    services.answer_csat(survey=survey, score=3, comment="Still waiting", via=AnswerChannel.PORTAL)

    item = FeedbackItem.objects.get()
    assert item.source == Source.SURVEY
    assert item.text == "Nobody called me back"
    assert item.title.startswith("CSAT 2:")
    assert list(item.tickets.all()) == [ticket]
    assert item.customer_id == ticket.customer_id
    survey.refresh_from_db()
    assert survey.feedback_item == item


def test_a_rating_without_a_comment_registers_nothing(agent, committed):
    ticket = resolved_ticket(agent, committed)
    services.answer_csat(survey=survey_of(ticket), score=5, via=AnswerChannel.EMAIL)
    assert not FeedbackItem.objects.exists()


def test_the_timeline_tells_the_rating_and_the_comment(agent, committed):
    ticket = resolved_ticket(agent, committed)
    services.answer_csat(
        survey=survey_of(ticket), score=4, comment="Quick and kind", via=AnswerChannel.EMAIL
    )
    with translation.override("en"):
        entries = timeline_of(ticket, user=agent)
    rated = [e for e in entries if "rated the service" in e.sentence]
    assert [(e.sentence, e.note) for e in rated] == [
        ("The customer rated the service 4 of 5", "Quick and kind")
    ]
    assert not [e for e in entries if "csat." in e.sentence]
