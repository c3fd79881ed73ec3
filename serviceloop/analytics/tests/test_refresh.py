"""The facts and rollups follow the tickets: an audited change marks its ticket stale, the
refresh sweep computes it again and sums its day again."""

import io

from django.core.management import call_command

from serviceloop.analytics import services
from serviceloop.analytics.models import DailyRollup, StaleDay, StaleTicket, TicketFact
from serviceloop.core.schedule import sweep_tasks
from serviceloop.tickets import services as tickets
from serviceloop.tickets.choices import Channel, Direction, Status
from tests.builders import make_ticket


def test_a_change_marks_the_ticket_and_the_sweep_refreshes_it(
    agent, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(agent, category="delivery")
    assert StaleTicket.objects.filter(ticket_id=ticket.pk).exists()
    assert services.refresh_stale() == 1
    assert not StaleTicket.objects.exists()
    assert not StaleDay.objects.exists()
    fact = TicketFact.objects.get(ticket_id=ticket.pk)
    assert (fact.tickets, fact.open_now, fact.resolved) == (1, 1, 0)
    assert DailyRollup.objects.get(day=fact.day).tickets == 1

    with django_capture_on_commit_callbacks(execute=True):
        tickets.add_interaction(
            ticket=ticket, actor=agent, content="Sorted.", channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
        )  # fmt: skip
        ticket.refresh_from_db()
        tickets.transition_ticket(ticket=ticket, to=Status.RESOLVED, actor=agent, resolution="Ok")
    assert services.refresh_stale() == 1
    rollup = DailyRollup.objects.get(day=fact.day)
    assert (rollup.tickets, rollup.resolved, rollup.fcr, rollup.open_now) == (1, 1, 1, 0)


def test_nothing_stale_costs_nothing(db):
    assert services.refresh_stale() == 0


def test_the_rebuild_command_recomputes_everything(agent, category):
    ticket = make_ticket(agent, category="delivery")  # no commit here: nothing marked
    assert not TicketFact.objects.exists()
    call_command("analytics", "rebuild", stdout=io.StringIO())
    assert TicketFact.objects.get(ticket_id=ticket.pk).tickets == 1
    assert sum(DailyRollup.objects.values_list("tickets", flat=True)) == 1


def test_the_sweep_is_registered():
    assert "refresh_analytics" in sweep_tasks()
