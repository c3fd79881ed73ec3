"""What one create_ticket costs the database, pinned: the statements of a creation with
everything that follows it (the SLA clock and the team's routing in its transaction, the
audit event, and after the commit the customer's acknowledgement queued and the ticket
marked stale for the analytics), once the per-process copies of the reference data
(categories, teams, SLA policies, escalation rules, calendars, routing rules) are loaded.

Every statement here is paid on each of the hundreds of creations a second the intake must
take (bench/README.md); one more is a regression to explain, one fewer a number to lower.
"""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from serviceloop.accounts.choices import Role
from serviceloop.customers.services import CustomerIdentity
from serviceloop.routing.models import Rule, TeamRouting
from serviceloop.routing.tests.given import TUESDAY_10
from serviceloop.sla.models import TicketClock
from serviceloop.tickets.services import TicketDraft, create_ticket
from tests.builders import (
    make_category,
    make_customer,
    make_team,
    make_user,
    replay_data_migrations,
)

pytestmark = pytest.mark.usefixtures("installed", "database_queue")

# PostgreSQL: customer match with its row lock; duplicate check and ticket number in one;
# ticket, audit event, SLA clock; after the commit the queued task and the stale mark.
# SQLite draws the number in a statement of its own and locks nothing (one writer at a
# time). Both: the savepoint and its release that stand for BEGIN and COMMIT in a test.
PLAIN = {"postgresql": 9, "sqlite": 10}
# An automatic team also assigns it in the same transaction: a savepoint and its release
# around routing, the team's rule (locked), its agents, which of them have a profile, their
# profiles (locked), their first teams (whose calendars are cached), their open tickets,
# the assignment (ticket, audit event) and the agent's turn; after the commit the agent's
# bell is queued and the ticket marked stale again.
ROUTED = {"postgresql": 22, "sqlite": 23}


@pytest.fixture
def installed(db):
    """The default calendar and SLA policies an installation starts with (sla migrations),
    made again when a transactional test emptied the tables before this one."""
    replay_data_migrations(
        ("sla", "0002_default_calendar", "create_default_calendar"),
        ("sla", "0004_default_policies", "create_policies"),
    )


@pytest.fixture
def database_queue(settings):
    """The production queue (a row per task), not the tests' in-process one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def creation_queries(partner, category, django_capture_on_commit_callbacks, email):
    draft = TicketDraft(
        description=f"My parcel is late ({email})",
        category=category.code,
        customer=CustomerIdentity(email=email),
        door="api",
    )
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        intake = create_ticket(actor=partner, draft=draft)
    assert intake.created
    return intake.ticket, [query["sql"] for query in queries.captured_queries]


@pytest.fixture
def partner(db):
    from serviceloop.customers.choices import OrganisationKind
    from serviceloop.customers.models import Organisation

    courier = Organisation.objects.create(name="Swift Courier", kind=OrganisationKind.PARTNER)
    return make_user(Role.PARTNER, username="courier", organisation=courier)


def test_one_creation_costs_a_fixed_number_of_statements(
    partner, django_capture_on_commit_callbacks
):
    team = make_team("logistics", default=True)
    category = make_category("delay", team=team)
    make_customer(email="first@example.com")
    make_customer(email="second@example.com")
    with time_machine.travel(TUESDAY_10):
        # the first creation of the process loads the reference data
        creation_queries(partner, category, django_capture_on_commit_callbacks, "first@example.com")
        ticket, statements = creation_queries(
            partner, category, django_capture_on_commit_callbacks, "second@example.com"
        )

    assert TicketClock.objects.get(ticket=ticket).resolution_due is not None
    assert len(statements) == PLAIN[connection.vendor], "\n".join(statements)


def test_a_routed_creation_costs_a_fixed_number_of_statements(
    partner, django_capture_on_commit_callbacks
):
    team = make_team("logistics", default=True)
    TeamRouting.objects.create(team=team, rule=Rule.ROUND_ROBIN)
    for number in range(3):
        make_user(Role.AGENT, username=f"agent-{number}", teams=[team])
    category = make_category("delay", team=team)
    make_customer(email="first@example.com")
    make_customer(email="second@example.com")
    with time_machine.travel(TUESDAY_10):
        creation_queries(partner, category, django_capture_on_commit_callbacks, "first@example.com")
        ticket, statements = creation_queries(
            partner, category, django_capture_on_commit_callbacks, "second@example.com"
        )

    assert ticket.assignee is not None
    assert len(statements) == ROUTED[connection.vendor], "\n".join(statements)
