"""Time doing its work, seen in a real browser: a critical ticket 8 minutes into its
10-minute first response is amber and its assignee was warned; one 11 minutes in is red,
its supervisor was told at once, and both pages say so in the timeline."""

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from serviceloop.accounts.choices import Role
from serviceloop.core import clock
from serviceloop.sla.escalation import escalate_due_tickets
from tests.browser.signing import sign_in
from tests.builders import make_team, make_ticket, make_user, replay_data_migrations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def install_sla() -> None:
    """What the sla migrations install (a transactional test starts from empty tables)."""
    replay_data_migrations(
        ("sla", "0002_default_calendar", "create_default_calendar"),
        ("sla", "0004_default_policies", "create_policies"),
        ("sla", "0007_default_escalation_rules", "create_rules"),
    )


def critical_ticket(agent, minutes_ago: int, subject: str):
    with time_machine.travel(clock.now() - timedelta(minutes=minutes_ago), tick=False):
        return make_ticket(agent, subject=subject, urgency="critical", assignee=agent.pk)


def test_a_late_ticket_turns_amber_then_red_and_reaches_the_supervisor(open_page, screenshot):
    install_sla()
    team = make_team("support", default=True)
    agent = make_user(Role.AGENT, username="agent", teams=[team], full_name="王芳")
    make_user(Role.SUPERVISOR, username="boss", teams=[team], full_name="赵主管")
    amber = critical_ticket(agent, 8, "Cold-chain parcel missing")
    red = critical_ticket(agent, 11, "Refrigerator delivered broken")
    assert escalate_due_tickets() == 3  # amber: 75 %; red: 75 % and the breach

    page = open_page()
    sign_in(page, "agent")
    page.goto(f"/desk/tickets/{amber.number}/")
    first = page.locator("#sl-sla [data-sl-target=first_response]")
    expect(first).to_have_class(re.compile(r"\bsl-sla-warning\b"))
    expect(page.locator("#sl-timeline")).to_contain_text("75% of the first response time")
    screenshot(page, "sla-amber")

    page.goto(f"/desk/tickets/{red.number}/")
    first = page.locator("#sl-sla [data-sl-target=first_response]")
    expect(first).to_have_class(re.compile(r"\bsl-sla-breached\b"))
    expect(page.locator("#sl-timeline")).to_contain_text("target was breached")
    screenshot(page, "sla-red")

    boss = open_page()
    sign_in(boss, "boss")
    boss.goto("/desk/")
    expect(boss.locator("#sl-bell-count")).to_have_text("1 unread")
    boss.click("#sl-bell-toggle")
    expect(boss.locator("#sl-bell-panel [data-notification]").first).to_contain_text(red.number)
    screenshot(boss, "sla-supervisor-bell")
