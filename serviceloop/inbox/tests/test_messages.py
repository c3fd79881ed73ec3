"""Each kind's sentence, filled from params and the ticket number, in the reader's language
at the time it is read; incomplete params never break it."""

import pytest
from django.utils import translation

from serviceloop.inbox.messages import MESSAGES, render
from serviceloop.inbox.models import Kind, Notification
from serviceloop.inbox.services import notify
from tests.builders import make_ticket

DUE = "2026-11-25T08:30:00+00:00"  # 16:30 in Shanghai

EN = {
    Kind.ASSIGNED: ({}, "Ticket {n} was assigned to you"),
    Kind.CUSTOMER_REPLIED: ({}, "Ticket {n}: the customer replied"),
    Kind.SLA_WARNING: (
        {"target": "first_response", "rule": "vip", "due_at": DUE},
        "Ticket {n}: the first response target is due at 11/25/2026 4:30 p.m.",
    ),
    Kind.SLA_BREACHED: ({"target": "resolution"}, "Ticket {n}: the resolution target was breached"),
    Kind.ESCALATED: (
        {"target": "next_response", "rule": "vip"},
        "Ticket {n} was escalated to you: the next response target",
    ),
    Kind.COMMITMENT_DUE: (
        {"text": "Call back before 10:00", "due_at": DUE},
        "Ticket {n}: the promise “Call back before 10:00” is due at 11/25/2026 4:30 p.m.",
    ),
    Kind.COMMITMENT_MISSED: (
        {"text": "Call back before 10:00", "due_at": DUE},
        "Ticket {n}: the promise “Call back before 10:00” was missed",
    ),
    Kind.STAFF_SURVEY: (
        {"survey": 1, "text": "Q4 team climate", "due_at": DUE},
        "Staff survey “Q4 team climate”: please answer by 11/25/2026 4:30 p.m.",
    ),
    Kind.FOLLOW_UP_OVERDUE: (
        {"follow_up": 7, "due_at": DUE},
        "Follow-up call for {n} was due at 11/25/2026 4:30 p.m.",
    ),
    Kind.PLAN_ACTION_DELAYED: (
        {"number": "IP-2026-001", "text": "Train the agents", "plan": 1, "action": 2},
        "Plan IP-2026-001: the action “Train the agents” is past its planned end",
    ),
}

ABOUT_NO_TICKET = {Kind.STAFF_SURVEY, Kind.PLAN_ACTION_DELAYED}


def test_every_kind_has_a_sentence():
    assert set(MESSAGES) == set(Kind.values)
    assert set(EN) == set(Kind.values)


@pytest.mark.parametrize("kind", list(EN))
def test_it_reads_in_english(agent, kind):
    ticket = make_ticket(agent)
    params, expected = EN[kind]
    about = None if kind in ABOUT_NO_TICKET else ticket
    (notification,) = notify([agent], kind=kind, ticket=about, params=params)

    with translation.override("en"):
        assert render(notification) == expected.format(n=ticket.number)


def test_it_reads_in_chinese_for_a_chinese_reader(agent):
    ticket = make_ticket(agent)
    (breached,) = notify(
        [agent], kind=Kind.SLA_BREACHED, ticket=ticket, params={"target": "first_response"}
    )
    (missed,) = notify(
        [agent], kind=Kind.COMMITMENT_MISSED, ticket=ticket, params={"text": "明天上午回电"}
    )

    with translation.override("zh-hans"):
        assert render(breached) == f"工单 {ticket.number}：首次响应时限已超时"
        assert render(missed) == f"工单 {ticket.number}：承诺“明天上午回电”未兑现"
    with translation.override("en"):  # the same rows, another reader
        assert render(breached) == f"Ticket {ticket.number}: the first response target was breached"


@pytest.mark.parametrize("kind", list(EN))
def test_missing_params_do_not_break_it(agent, kind):
    (notification,) = notify([agent], kind=kind)  # no ticket, no params

    with translation.override("en"):
        text = render(notification)

    starts = {
        Kind.STAFF_SURVEY: "Staff survey “…”",
        Kind.FOLLOW_UP_OVERDUE: "Follow-up call for …",
        Kind.PLAN_ACTION_DELAYED: "Plan …",
    }
    assert text.startswith(starts.get(kind, "Ticket …"))


def test_odd_params_do_not_break_it(agent):
    ticket = make_ticket(agent)
    odd = Notification(
        recipient=agent,
        ticket=ticket,
        kind=Kind.SLA_WARNING,
        params={"target": "lunch", "due_at": "not a time", "rule": 3},
    )
    unknown = Notification(recipient=agent, ticket=ticket, kind="retired_kind", params=[])

    with translation.override("en"):
        assert render(odd) == f"Ticket {ticket.number}: the lunch target is due at …"
        assert render(unknown) == f"Ticket {ticket.number} changed"
