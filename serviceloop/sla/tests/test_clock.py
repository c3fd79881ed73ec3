"""Each ticket's SLA clock follows what happens to the ticket: created, answered, the
customer writes again, waiting on the customer, resolved, reopened, urgency changed."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.calendars.models import BusinessCalendar, CalendarTeam, WorkingPeriod
from serviceloop.customers.services import CustomerIdentity
from serviceloop.sla.models import SlaPolicy, TicketClock
from serviceloop.tickets import services

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def policies(db):
    SlaPolicy.objects.all().delete()
    urgent = SlaPolicy.objects.create(
        code="urgent", name_en="Urgent", name_zh="紧急", position=0, urgencies=["critical"],
        first_response_minutes=10, next_response_minutes=30, resolution_minutes=240,
        business_time=False,
    )  # fmt: skip
    general = SlaPolicy.objects.create(
        code="general", name_en="General", name_zh="一般", position=10,
        first_response_minutes=60, next_response_minutes=120, resolution_minutes=8 * 60,
        business_time=True,
    )  # fmt: skip
    return {"urgent": urgent, "general": general}


@pytest.fixture
def office(team):
    """The team works Monday to Friday 09:00-12:00 and 13:00-18:00, Shanghai time."""
    calendar = BusinessCalendar.objects.create(
        code="office", name_en="Office", name_zh="办公室", time_zone="Asia/Shanghai"
    )
    for weekday in range(5):
        WorkingPeriod.objects.create(
            calendar=calendar, weekday=weekday, starts=time(9), ends=time(12)
        )
        WorkingPeriod.objects.create(
            calendar=calendar, weekday=weekday, starts=time(13), ends=time(18)
        )
    CalendarTeam.objects.create(calendar=calendar, team=team)
    return calendar


def create(agent, urgency="critical", at=MONDAY_10):
    with time_machine.travel(at, tick=False):
        draft = services.TicketDraft(
            description=f"Parcel lost {urgency} {at.isoformat()}", urgency=urgency, channel="web",
            customer=CustomerIdentity(email="li.wei@example.com"),
        )  # fmt: skip
        return services.create_ticket(actor=agent, draft=draft).ticket


def clock_of(ticket):
    return TicketClock.objects.get(ticket=ticket)


def at(moment, action):
    with time_machine.travel(moment, tick=False):
        return action()


def reply(ticket, actor, **fields):
    return services.add_interaction(
        ticket=ticket, actor=actor, content="We are on it.", channel="web",
        direction=fields.pop("direction", "outbound"), **fields,
    )  # fmt: skip


def test_a_new_ticket_gets_its_policy_and_due_times(agent, policies):
    clock = clock_of(create(agent))
    assert clock.policy == policies["urgent"]
    assert clock.first_response_due == MONDAY_10 + timedelta(minutes=10)
    assert clock.resolution_due == MONDAY_10 + timedelta(minutes=240)
    assert clock.next_response_due is None
    assert clock.first_response_breached is None


def test_business_time_targets_count_in_the_teams_calendar(agent, office, policies):
    evening = datetime(2026, 11, 23, 17, 30, tzinfo=SHANGHAI)
    clock = clock_of(create(agent, urgency="medium", at=evening))
    assert clock.policy == policies["general"]
    # 30 minutes today, 30 tomorrow morning
    assert clock.first_response_due == datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI)


def test_a_first_response_in_time_is_met_and_a_late_one_breached(agent):
    on_time, late = create(agent), create(agent, at=MONDAY_10 + timedelta(seconds=1))
    at(MONDAY_10 + timedelta(minutes=5), lambda: reply(on_time, agent))
    at(MONDAY_10 + timedelta(minutes=15), lambda: reply(late, agent))
    assert clock_of(on_time).first_response_breached is False
    assert clock_of(late).first_response_breached is True


def test_an_internal_note_is_no_response(agent):
    ticket = create(agent)
    at(MONDAY_10 + timedelta(minutes=5), lambda: reply(ticket, agent, is_internal=True))
    assert clock_of(ticket).first_response_breached is None


def test_the_customers_next_message_starts_the_next_response_clock(agent):
    ticket = create(agent)
    at(MONDAY_10 + timedelta(minutes=5), lambda: reply(ticket, agent))
    written = MONDAY_10 + timedelta(minutes=20)
    at(written, lambda: reply(ticket, agent, direction="inbound"))
    assert clock_of(ticket).next_response_due == written + timedelta(minutes=30)
    at(written + timedelta(minutes=45), lambda: reply(ticket, agent))
    clock = clock_of(ticket)
    assert clock.next_response_due is None
    assert clock.next_response_breached is True


def test_a_logged_call_answered_live_needs_no_next_response(agent):
    ticket = create(agent)
    at(MONDAY_10 + timedelta(minutes=5), lambda: reply(ticket, agent))
    call = MONDAY_10 + timedelta(minutes=20)
    at(call, lambda: reply(ticket, agent, direction="inbound"))
    assert clock_of(ticket).next_response_due is not None  # a web message waits
    services.add_interaction(
        ticket=ticket, actor=agent, content="Called, explained", channel="phone",
        direction="inbound",
    )  # fmt: skip
    # the call was answered while it happened: it met the waiting message too
    assert clock_of(ticket).next_response_due is None


def test_waiting_on_the_customer_pauses_the_resolution_clock(agent):
    ticket = create(agent)
    due = clock_of(ticket).resolution_due
    paused = MONDAY_10 + timedelta(minutes=30)
    at(
        paused,
        lambda: services.transition_ticket(ticket=ticket, to="waiting_customer", actor=agent),
    )
    assert clock_of(ticket).paused_at == paused
    resumed = paused + timedelta(minutes=90)
    at(resumed, lambda: services.transition_ticket(ticket=ticket, to="in_progress", actor=agent))
    clock = clock_of(ticket)
    assert clock.paused_at is None
    assert clock.paused_minutes == 90
    assert clock.resolution_due == due + timedelta(minutes=90)


def test_resolving_decides_the_resolution_target_and_reopening_resumes_it(agent):
    ticket = create(agent)
    resolved = MONDAY_10 + timedelta(minutes=100)
    at(resolved, lambda: services.transition_ticket(
        ticket=ticket, to="resolved", actor=agent, resolution="Found it"))  # fmt: skip
    assert clock_of(ticket).resolution_breached is False
    reopened = resolved + timedelta(minutes=60)
    at(reopened, lambda: services.transition_ticket(
        ticket=ticket, to="in_progress", actor=agent, reason="Not fixed"))  # fmt: skip
    clock = clock_of(ticket)
    assert clock.resolution_breached is None
    assert clock.resolution_due == MONDAY_10 + timedelta(minutes=240 + 60)
    late = MONDAY_10 + timedelta(minutes=400)
    at(late, lambda: services.transition_ticket(
        ticket=ticket, to="resolved", actor=agent, resolution="Now"))  # fmt: skip
    assert clock_of(ticket).resolution_breached is True


def test_changing_urgency_re_targets(agent, policies):
    ticket = create(agent, urgency="medium")
    assert clock_of(ticket).policy == policies["general"]
    at(MONDAY_10 + timedelta(minutes=1), lambda: services.change_urgency(
        ticket=ticket, urgency="critical", actor=agent))  # fmt: skip
    clock = clock_of(ticket)
    assert clock.policy == policies["urgent"]
    assert clock.first_response_due == MONDAY_10 + timedelta(minutes=10)


def test_without_a_matching_policy_there_are_no_due_times(agent):
    SlaPolicy.objects.all().delete()
    clock = clock_of(create(agent))
    assert clock.policy is None
    assert clock.first_response_due is None
    assert clock.resolution_due is None
