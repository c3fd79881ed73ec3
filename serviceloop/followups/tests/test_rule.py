"""The follow-up rule at resolution: every complaint, every high or critical urgency ticket,
a random share of the rest (a draw fixed per ticket); at most one open follow-up per ticket;
due after the rule's hours; the ticket's assignee while still in its team, else the queue."""

from datetime import timedelta

import pytest

from serviceloop.accounts.models import TeamMembership
from serviceloop.audit.models import AuditEvent
from serviceloop.followups import services
from serviceloop.followups.models import FollowUp, FollowUpRule
from serviceloop.tickets import services as tickets
from tests.builders import make_ticket

from .conftest import NOW, follow_ups_of, resolve, resolved


def test_every_complaint_gets_a_follow_up(agent, committed, rule):
    ticket = resolved(agent, committed, kind="complaint")

    (follow_up,) = follow_ups_of(ticket)
    assert (follow_up.reason, follow_up.status) == ("complaint", "open")
    assert follow_up.customer_id == ticket.customer_id
    assert follow_up.team_id == ticket.team_id
    assert follow_up.assignee == agent
    assert follow_up.due_at == NOW + timedelta(hours=48)
    event = AuditEvent.objects.get(action="follow_up.opened")
    assert (event.ticket_id, event.actor_id) == (ticket.pk, None)


@pytest.mark.parametrize(("urgency", "expected"), [("critical", 1), ("high", 1), ("medium", 0)])
def test_high_and_critical_urgency_get_a_follow_up(agent, committed, rule, urgency, expected):
    ticket = resolved(agent, committed, urgency=urgency)

    assert [f.reason for f in follow_ups_of(ticket)] == ["high_urgency"] * expected


def test_switched_off_parts_of_the_rule_open_nothing(agent, committed, rule):
    rule.all_complaints = rule.high_urgency = False
    rule.save()

    complaint = resolved(agent, committed, kind="complaint", urgency="critical")

    assert follow_ups_of(complaint) == []


def test_the_random_share_is_a_fixed_draw_per_ticket(agent, committed, rule):
    rule.random_percent = 30
    rule.save()
    made = [resolved(agent, committed, description=f"Parcel {n} is late") for n in range(40)]

    drawn = {t.pk for t in made if follow_ups_of(t)}

    assert drawn == {t.pk for t in made if services.is_drawn(t.pk, 30)}
    assert 0 < len(drawn) < 40  # some, not all
    assert all(f.reason == "random" for t in made for f in follow_ups_of(t))


@pytest.mark.parametrize(("percent", "share"), [(0, 0), (100, 1000)])
def test_the_draw_takes_none_at_zero_and_all_at_a_hundred(percent, share):
    assert sum(services.is_drawn(pk, percent) for pk in range(1, 1001)) == share


def test_the_draw_is_near_its_percent():
    share = sum(services.is_drawn(pk, 10) for pk in range(1, 10_001))
    assert 850 < share < 1150


def test_without_a_configured_rule_the_defaults_apply(agent, committed, db):
    assert not FollowUpRule.objects.exists()
    rule = FollowUpRule.current()
    assert (rule.all_complaints, rule.high_urgency, rule.random_percent, rule.due_hours) == (
        True, True, 10, 48,
    )  # fmt: skip
    ticket = resolved(agent, committed, kind="complaint")
    assert len(follow_ups_of(ticket)) == 1


def test_the_due_time_follows_the_rule(agent, committed, rule):
    rule.due_hours = 4
    rule.save()

    (follow_up,) = follow_ups_of(resolved(agent, committed, kind="complaint"))

    assert follow_up.due_at == NOW + timedelta(hours=4)


def test_a_second_resolution_opens_no_second_open_follow_up(agent, committed, rule):
    ticket = resolved(agent, committed, kind="complaint")
    # the customer writes again: reopened and resolved; the rule's open one was cancelled
    with committed():
        tickets.transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason="Again")
    assert [f.status for f in follow_ups_of(ticket)] == ["cancelled"]

    resolve(ticket, agent, committed)

    assert [f.status for f in follow_ups_of(ticket)] == ["cancelled", "open"]


def test_it_opens_nothing_while_one_is_open(agent, committed, rule):
    ticket = resolved(agent, committed, kind="complaint")

    assert services.open_follow_up_after_resolution(ticket=ticket) is None
    assert len(follow_ups_of(ticket)) == 1


def test_the_rule_is_not_applied_to_a_ticket_reopened_meanwhile(agent, rule):
    ticket = make_ticket(agent, kind="complaint")
    tickets.transition_ticket(ticket=ticket, to="in_progress", actor=agent)

    assert services.open_follow_up_after_resolution(ticket=ticket) is None
    assert FollowUp.objects.count() == 0


def test_an_assignee_who_left_the_team_leaves_it_to_the_queue(agent, committed, rule, team):
    ticket = make_ticket(agent, kind="complaint", assignee=agent.pk)
    TeamMembership.objects.filter(user=agent, team=team).delete()

    (follow_up,) = follow_ups_of(resolve(ticket, agent, committed))

    assert follow_up.assignee is None
    assert follow_up.team == team


def test_an_unassigned_ticket_leaves_it_to_the_queue(agent, committed, rule):
    ticket = make_ticket(agent, kind="complaint")

    (follow_up,) = follow_ups_of(resolve(ticket, agent, committed))

    assert follow_up.assignee is None


def test_an_open_low_score_follow_up_is_the_one_call(agent, committed, rule):
    """A customer is called once about a ticket: the rule adds none while a follow-up of a
    low score is open."""
    ticket = make_ticket(agent, kind="complaint")
    FollowUp.objects.create(ticket=ticket, customer=ticket.customer, reason="low_csat", due_at=NOW)

    resolve(ticket, agent, committed)

    assert [f.reason for f in follow_ups_of(ticket)] == ["low_csat"]


def test_reopening_cancels_only_the_rules_follow_ups(agent, committed, rule):
    ticket = resolved(agent, committed, kind="complaint")
    FollowUp.objects.create(ticket=ticket, customer=ticket.customer, reason="low_csat", due_at=NOW)

    with committed():  # the customer calls: still broken (an inbound contact reopens it)
        tickets.add_interaction(ticket=ticket, actor=agent, content="Customer called: broken",
                                direction="inbound", channel="phone")  # fmt: skip

    assert {f.reason: f.status for f in follow_ups_of(ticket)} == {
        "complaint": "cancelled", "low_csat": "open",
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="follow_up.cancelled").count() == 1
