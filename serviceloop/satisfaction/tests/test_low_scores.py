"""A CSAT of 2 or less and an NPS of 6 or less open a follow-up (回访) — once per survey,
also when a changed answer becomes low, never twice. The followups app opens it once the
answer commits (its receiver of the satisfaction events)."""

from datetime import timedelta

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.followups.models import FollowUp
from serviceloop.followups.services import record_follow_up
from serviceloop.satisfaction import services
from serviceloop.satisfaction.models import NpsResponse
from tests.builders import make_customer, make_ticket, make_user

from .conftest import NOW, mail_due_requests, resolved_ticket, survey_of


@pytest.fixture
def survey(agent, committed, clock):
    ticket = resolved_ticket(agent, committed, assignee=agent.pk)
    mail_due_requests(clock, committed)
    return survey_of(ticket)


def low_follow_ups(reason="low_csat"):
    return list(FollowUp.objects.filter(reason=reason))


@pytest.mark.parametrize(("score", "expected"), [(1, 1), (2, 1), (3, 0), (5, 0)])
def test_a_low_csat_opens_a_follow_up_on_its_ticket(survey, agent, score, expected, committed):
    with committed():
        services.answer_csat(survey=survey, score=score, via="email")

    found = low_follow_ups()
    assert len(found) == expected
    if found:
        (follow_up,) = found
        assert follow_up.ticket_id == survey.ticket_id
        assert follow_up.csat_survey_id == survey.pk
        assert follow_up.customer_id == survey.customer_id
        assert follow_up.assignee == agent  # the ticket's assignee, still in its team
        assert follow_up.status == "open"
        assert follow_up.due_at == NOW + timedelta(minutes=61) + timedelta(hours=48)


def test_changing_a_low_answer_to_another_low_one_opens_no_second(survey, committed):
    with committed():
        services.answer_csat(survey=survey, score=2, via="email")
    with committed():
        services.answer_csat(survey=survey, score=1, via="email")
    with committed():
        services.answer_csat(survey=survey, score=5, via="email")
    with committed():
        services.answer_csat(survey=survey, score=1, via="email")

    assert len(low_follow_ups()) == 1


def test_an_answer_changed_to_low_opens_one_follow_up(survey, committed):
    with committed():
        services.answer_csat(survey=survey, score=4, via="email")
    assert low_follow_ups() == []

    with committed():
        services.answer_csat(survey=survey, score=2, via="email")
    with committed():
        services.answer_csat(survey=survey, score=2, comment="still bad", via="email")

    assert len(low_follow_ups()) == 1


def test_the_low_csat_follow_up_is_kept_when_it_was_done(survey, agent, committed):
    with committed():
        services.answer_csat(survey=survey, score=1, via="email")
    record_follow_up(follow_up=low_follow_ups()[0], actor=agent, outcome="solved")

    with committed():
        services.answer_csat(survey=survey, score=2, via="email")

    assert len(low_follow_ups()) == 1


def nps_response(customer, agent, *, campaign_name="Q1"):
    specialist = make_user(Role.SPECIALIST)
    campaign = services.create_nps_campaign(actor=specialist, name=campaign_name, seed=1)
    services.send_nps_campaign(campaign=campaign, actor=specialist)
    return NpsResponse.objects.get(campaign=campaign, customer=customer)


@pytest.mark.parametrize(("score", "expected"), [(0, 1), (6, 1), (7, 0), (10, 0)])
def test_a_detractors_nps_opens_a_follow_up_on_their_latest_ticket(
    agent, score, expected, committed
):
    customer = make_customer("Zhou Min")
    make_ticket(agent, customer_id=customer.pk, description="Old problem")
    latest = make_ticket(agent, customer_id=customer.pk, description="Newer problem")
    response = nps_response(customer, agent)

    with committed():
        services.answer_nps(response=response, score=score, reason="Too slow")
    with committed():
        services.answer_nps(response=response, score=score, reason="Too slow, really")

    found = low_follow_ups("low_nps")
    assert len(found) == expected
    if found:
        assert (found[0].ticket_id, found[0].nps_response_id) == (latest.pk, response.pk)
        assert found[0].customer_id == customer.pk


def test_a_low_nps_of_a_customer_without_tickets_opens_a_follow_up_without_one(
    agent, team, committed
):
    customer = make_customer("Wu Lei")
    response = nps_response(customer, agent)

    with committed():
        services.answer_nps(response=response, score=3)

    (follow_up,) = low_follow_ups("low_nps")
    assert follow_up.ticket is None
    assert follow_up.team == team  # the default team's queue
    assert follow_up.assignee is None
