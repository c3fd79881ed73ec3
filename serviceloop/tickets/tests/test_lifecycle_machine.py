"""A hypothesis state machine drives a ticket through random sequences of status changes,
replies and notes, and checks the ticket against a model of DESIGN.md's machine after
every step."""

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, NotPermitted
from serviceloop.tickets import services
from serviceloop.tickets.errors import TransitionNotAllowed
from serviceloop.tickets.models import Ticket
from tests.builders import make_team, make_user

# The specification, written out independently of tickets.transitions.
STAFF_MOVES = {
    ("new", "in_progress"), ("new", "waiting_customer"), ("new", "resolved"),
    ("in_progress", "waiting_customer"), ("in_progress", "resolved"),
    ("waiting_customer", "in_progress"), ("waiting_customer", "resolved"),
    ("resolved", "in_progress"), ("resolved", "closed"),
}  # fmt: skip
CUSTOMER_MOVES = {("resolved", "in_progress"), ("resolved", "closed")}
STATUSES = ["new", "in_progress", "waiting_customer", "resolved", "closed"]


class TicketLifecycle(RuleBasedStateMachine):
    agent = None
    customer_user = None
    runs = itertools.count()

    @initialize()
    def open_ticket(self) -> None:
        customer_id = self.customer_user.customer.pk
        self.ticket = services.create_ticket(
            actor=self.agent,
            # a new text each run: the same text within minutes is the duplicate guard's case
            draft=services.TicketDraft(
                description=f"state machine run {next(self.runs)}", customer_id=customer_id
            ),
        ).ticket
        self.status = "new"
        self.reopens = 0
        self.responded = False
        self.version = self.ticket.version
        self.events = AuditEvent.objects.filter(ticket_id=self.ticket.pk).count()

    def _changed(self) -> None:
        events = AuditEvent.objects.filter(ticket_id=self.ticket.pk).count()
        assert events > self.events, "a change without an audit event"
        self.events = events

    def _unchanged(self) -> None:
        assert AuditEvent.objects.filter(ticket_id=self.ticket.pk).count() == self.events

    @rule(
        to=st.sampled_from(STATUSES),
        by_customer=st.booleans(),
        resolution=st.sampled_from(["", "Replaced the parcel"]),
        reason=st.sampled_from(["", "Still broken"]),
    )
    def transition(self, to: str, by_customer: bool, resolution: str, reason: str) -> None:
        actor = self.customer_user if by_customer else self.agent
        allowed = CUSTOMER_MOVES if by_customer else STAFF_MOVES
        move = (self.status, to)
        try:
            services.transition_ticket(
                ticket=self.ticket, to=to, actor=actor, resolution=resolution, reason=reason
            )
        except TransitionNotAllowed as error:
            assert not by_customer
            assert move not in STAFF_MOVES
            assert error.extra["allowed"] == [s for s in STATUSES if (self.status, s) in allowed]
            self._unchanged()
            return
        except NotPermitted:  # customers only confirm or reopen a resolved ticket
            assert by_customer
            assert move not in CUSTOMER_MOVES
            self._unchanged()
            return
        except DomainError as error:
            assert move in allowed
            assert error.field in ("resolution", "reason")
            assert (to == "resolved" and not resolution) or (
                move == ("resolved", "in_progress") and not reason
            )
            self._unchanged()
            return
        assert move in allowed, f"{move} should have been refused"
        if move == ("resolved", "in_progress"):
            self.reopens += 1
        self.status = to
        self._changed()

    @rule(internal=st.booleans())
    def staff_writes(self, internal: bool) -> None:
        try:
            services.add_interaction(
                ticket=self.ticket, actor=self.agent, content="We are on it", is_internal=internal
            )
        except Conflict:
            assert self.status == "closed"
            assert not internal
            self._unchanged()
            return
        if not internal:
            self.responded = True
            if self.status == "new":
                self.status = "in_progress"
        self._changed()

    @rule()
    def customer_replies(self) -> None:
        interaction = services.add_interaction(
            ticket=self.ticket, actor=self.customer_user, content="Any news?"
        )
        if self.status == "closed":
            # closed work stays closed: the message went to a ticket that follows this one
            assert Ticket.objects.get(pk=interaction.ticket_id).follows_id == self.ticket.pk
            self.events = AuditEvent.objects.filter(ticket_id=self.ticket.pk).count()
            return
        if self.status == "waiting_customer":
            self.status = "in_progress"
        elif self.status == "resolved":
            self.status = "in_progress"
            self.reopens += 1
        self._changed()

    @invariant()
    def ticket_matches_the_model(self) -> None:
        if not hasattr(self, "ticket"):
            return
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        assert ticket.status == self.status
        assert ticket.reopen_count == self.reopens
        assert (ticket.first_response_at is not None) == self.responded
        # closed is only reached from resolved, and keeps the last resolution time
        assert (ticket.resolved_at is not None) == (self.status in ("resolved", "closed"))
        assert (ticket.closed_at is not None) == (self.status == "closed")
        if self.status == "resolved":
            assert ticket.resolution
        assert ticket.version >= self.version
        self.version = ticket.version


@pytest.mark.django_db
def test_it_follows_the_status_machine_under_random_operations():
    team = make_team("machine", default=True)
    TicketLifecycle.agent = make_user(Role.AGENT, teams=[team])
    TicketLifecycle.customer_user = make_user(Role.CUSTOMER)
    run_state_machine_as_test(
        TicketLifecycle,
        settings=settings(
            max_examples=60,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
