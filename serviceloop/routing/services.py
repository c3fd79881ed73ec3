"""Routing (分派): who a team's new and waiting tickets are assigned to, and an agent's
"away" switch.

Who may receive a ticket of a team with an automatic rule (round-robin, least loaded):
active users with the *agent* role who are members of the team (a new member joins the
rotation at once, no profile needed), not away, on shift now (routing.shifts), with fewer
open tickets than their capacity and, when the team requires skills, whose skills cover the
ticket. Supervisors, managers and administrators work tickets too but are not routed to:
they own the queue, its escalations and reviews, and take tickets by hand.

When nobody may receive a ticket it waits in the team queue; `route_waiting` assigns the
waiting tickets, oldest first, as capacity frees up (the receivers in apps.py enqueue it at
once when a ticket is resolved or closed, taken from someone, transferred, or an agent is
back; the periodic sweep catches the rest: shifts starting, new members, changed rules).

Locks, always in this order, so that concurrent routings never give away the same last
slot and never deadlock: the team's TeamRouting row (one routing at a time per team, so the
round-robin order holds), then the profiles of the team's agents in id order (an agent in
two teams is counted under their lock). The open tickets are counted after the locks.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import TeamMembership, User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.batches import skip_locked
from serviceloop.core.errors import NotPermitted
from serviceloop.customers.language import language_of
from serviceloop.tickets import services as ticket_services
from serviceloop.tickets.choices import OPEN_STATUSES
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.reference import catalogue

from . import events, shifts
from .models import AgentProfile, Rule, TeamRouting

AUTOMATIC = (Rule.ROUND_ROBIN, Rule.LEAST_LOADED)
NOTES: dict[str, str] = {Rule.ROUND_ROBIN: "round-robin", Rule.LEAST_LOADED: "least-loaded"}
logger = logging.getLogger(__name__)
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class Candidate:
    """An agent who may receive tickets of the team now, with what routing weighs."""

    profile: AgentProfile
    open_tickets: int
    categories: frozenset[int] = field(default_factory=frozenset)
    tiers: frozenset[int] = field(default_factory=frozenset)

    @property
    def has_room(self) -> bool:
        return self.open_tickets < self.profile.capacity

    def covers(self, ticket: Ticket) -> bool:
        """Whether the agent's skills cover the ticket. An empty kind of skill covers all; a
        ticket without a category, or whose customer has no tier, asks for no such skill."""
        line = _category_line(ticket)
        if self.categories and line and not self.categories.intersection(line):
            return False
        languages = self.profile.languages
        if (
            languages
            and language_of(ticket.customer, f"{ticket.subject}\n{ticket.description}")
            not in languages
        ):
            return False
        tier_id = ticket.customer.tier_id
        return not (self.tiers and tier_id is not None and tier_id not in self.tiers)


def _category_line(ticket: Ticket) -> list[int]:
    """The ticket's category and its ancestors (a skill for a category covers its
    sub-categories); empty without a category."""
    known = catalogue().category_by_id
    line: list[int] = []
    node = known.get(ticket.category_id) if ticket.category_id else None
    while node is not None and node.pk not in line:
        line.append(node.pk)
        node = known.get(node.parent_id) if node.parent_id else None
    return line


def _sort_key(
    rule: str, candidate: Candidate
) -> tuple[int, bool, datetime, int] | tuple[bool, datetime, int]:
    last = candidate.profile.last_assigned_at
    turn = (last is not None, last or _NEVER, candidate.profile.user_id)
    if rule == Rule.LEAST_LOADED:
        return (candidate.open_tickets, *turn)
    return turn  # round-robin: never assigned first, then the longest ago


class _Pool:
    """The team's candidates for one routing transaction, kept current as it assigns."""

    def __init__(self, routing: TeamRouting, candidates: list[Candidate]) -> None:
        self.routing = routing
        self.candidates = candidates

    def is_full(self) -> bool:
        return not any(candidate.has_room for candidate in self.candidates)

    def choose(self, ticket: Ticket) -> Candidate | None:
        fitting = [
            candidate
            for candidate in self.candidates
            if candidate.has_room and (not self.routing.use_skills or candidate.covers(ticket))
        ]
        if not fitting:
            return None
        return min(fitting, key=lambda candidate: _sort_key(self.routing.rule, candidate))

    def assign(self, ticket: Ticket, candidate: Candidate, now: datetime) -> User:
        """Give `ticket` (locked or new in this transaction) to the candidate, audited as the
        system's doing with the rule as its note."""
        profile = candidate.profile
        ticket_services.apply_assignee(
            ticket, profile.user, actor=None, note=NOTES[self.routing.rule]
        )
        profile.last_assigned_at = now
        profile.save(update_fields=["last_assigned_at"])
        candidate.open_tickets += 1
        return profile.user


def _locked_routing(team_id: int) -> TeamRouting | None:
    """The team's automatic rule, its row locked for this transaction; None when manual."""
    return (
        TeamRouting.objects.select_for_update().filter(team_id=team_id, rule__in=AUTOMATIC).first()
    )


def _pool(routing: TeamRouting, now: datetime) -> _Pool:
    """Lock the profiles of the team's agents and keep those who may receive tickets now,
    with their open tickets counted (a fixed number of queries, whatever the team's size)."""
    members = set(
        User.objects.filter(
            is_active=True, role=Role.AGENT, memberships__team_id=routing.team_id
        ).values_list("pk", flat=True)
    )
    if not members:
        return _Pool(routing, [])
    known = set(AgentProfile.objects.filter(user_id__in=members).values_list("user_id", flat=True))
    if members - known:  # agents without a profile get the defaults, in a row of their own
        AgentProfile.objects.bulk_create(
            [AgentProfile(user_id=user_id) for user_id in sorted(members - known)],
            ignore_conflicts=True,
        )
    profiles = list(
        AgentProfile.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(user_id__in=members)
        .order_by("pk")
    )
    present = [p for p in profiles if not p.is_away and p.capacity > 0]
    working = shifts.working_at(present, now)
    present = [p for p in present if p.user_id in working]
    if not present:
        return _Pool(routing, [])
    loads = dict(
        Ticket.objects.filter(status__in=OPEN_STATUSES, assignee_id__in=working)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )  # ticket_open_assignee
    candidates = {p.pk: Candidate(p, loads.get(p.user_id, 0)) for p in present}
    if routing.use_skills:
        categories: dict[int, set[int]] = {pk: set() for pk in candidates}
        tiers: dict[int, set[int]] = {pk: set() for pk in candidates}
        of_categories = AgentProfile.categories.through.objects.filter(
            agentprofile_id__in=candidates
        ).values_list("agentprofile_id", "category_id")
        for profile_id, category_id in of_categories:
            categories[profile_id].add(category_id)
        of_tiers = AgentProfile.tiers.through.objects.filter(
            agentprofile_id__in=candidates
        ).values_list("agentprofile_id", "customertier_id")
        for profile_id, tier_id in of_tiers:
            tiers[profile_id].add(tier_id)
        for pk, candidate in candidates.items():
            candidate.categories = frozenset(categories[pk])
            candidate.tiers = frozenset(tiers[pk])
    return _Pool(routing, list(candidates.values()))


def route(ticket: Ticket) -> User | None:
    """Assign a new ticket by its team's rule; returns the assignee, or None when the team
    routes by hand or nobody may take it now (it waits in the team queue).

    Runs inside the transaction that created `ticket` (its customer loaded; receivers.py
    hears of it from tickets.signals.created); tickets that
    already have an assignee, no team or are not open are left alone. A failure here is
    logged and leaves the ticket waiting: it never costs the customer their ticket.
    """
    if ticket.team_id is None or ticket.assignee_id is not None or not ticket.is_open:
        return None
    if ticket.team_id not in shifts.automatic_teams():
        return None  # the team assigns by hand (no query: a copy per process)
    version, updated_at = ticket.version, ticket.updated_at
    try:
        with transaction.atomic():
            routing = _locked_routing(ticket.team_id)
            if routing is None:
                return None
            now = clock.now()
            pool = _pool(routing, now)
            candidate = pool.choose(ticket)
            return pool.assign(ticket, candidate, now) if candidate is not None else None
    except Exception:  # the sweep assigns it later
        logger.exception("could not route ticket %s", ticket.pk)
        ticket.assignee, ticket.version, ticket.updated_at = None, version, updated_at
        return None


def route_waiting(*, team_ids: Collection[int] | None = None, batch: int = 100) -> int:
    """Assign the waiting tickets (open, unassigned) of the teams with an automatic rule,
    oldest first, while someone may take them; returns how many were assigned.

    One pass per team, `batch` tickets per transaction; a team's pass stops when nobody of
    it has room. Safe in several workers at once: on PostgreSQL the tickets are taken with
    SKIP LOCKED and the team's routing row is locked, on SQLite writers take turns.
    """
    teams = TeamRouting.objects.filter(rule__in=AUTOMATIC)
    if team_ids is not None:
        teams = teams.filter(team_id__in=team_ids)
    assigned = 0
    for team_id in teams.order_by("team_id").values_list("team_id", flat=True):
        after: tuple[datetime, int] | None = None
        while True:
            taken, after = _route_batch(team_id, batch, after)
            assigned += taken
            if after is None:
                break
    return assigned


@transaction.atomic
def _route_batch(
    team_id: int, batch: int, after: tuple[datetime, int] | None
) -> tuple[int, tuple[datetime, int] | None]:
    """Assign up to `batch` waiting tickets created after `after` (created_at, id); returns
    how many were assigned and where a next batch starts (None: the pass is over)."""
    routing = _locked_routing(team_id)
    if routing is None:
        return 0, None
    waiting = Ticket.objects.select_related("customer").filter(
        team_id=team_id, status__in=OPEN_STATUSES, assignee__isnull=True
    )  # ticket_open_unassigned
    if after is not None:
        waiting = waiting.filter(
            Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1])
        )
    tickets = list(skip_locked(waiting).order_by("created_at", "pk")[:batch])
    if not tickets:
        return 0, None
    now = clock.now()
    pool = _pool(routing, now)
    assigned = 0
    for ticket in tickets:
        if pool.is_full():
            return assigned, None
        candidate = pool.choose(ticket)
        if candidate is not None:  # else nobody with the skills now: later tickets may fit
            pool.assign(ticket, candidate, now)
            assigned += 1
    if len(tickets) < batch:
        return assigned, None
    return assigned, (tickets[-1].created_at, tickets[-1].pk)


def teams_freed_by(*, ticket_id: int | None = None, agent_id: int | None = None) -> set[int]:
    """The teams whose queue may move after a change: the ticket's team, and every team of
    its assignee and of `agent_id`."""
    teams: set[int] = set()
    agents = {agent_id} if agent_id is not None else set()
    if ticket_id is not None:
        row = Ticket.objects.filter(pk=ticket_id).values_list("team_id", "assignee_id").first()
        if row is not None:
            team, assignee = row
            if team is not None:
                teams.add(team)
            if assignee is not None:
                agents.add(assignee)
    if agents:
        memberships = TeamMembership.objects.filter(user_id__in=agents)
        teams.update(memberships.values_list("team_id", flat=True))
    return teams


@transaction.atomic
def set_away(*, user: User, away: bool) -> AgentProfile:
    """Mark oneself away (no new tickets are routed to one) or back. Back lets the team
    queues move (apps.py)."""
    if not user.works_tickets:
        raise NotPermitted(_("Only staff who work tickets can be away."))
    AgentProfile.objects.get_or_create(user=user)
    profile = AgentProfile.objects.select_for_update().get(user=user)
    if profile.is_away == away:
        return profile
    profile.is_away = away
    profile.save(update_fields=["is_away"])
    audit.record(
        actor=user, action=events.AGENT_AWAY_CHANGED, target=user,
        before={"away": not away}, after={"away": away},
    )  # fmt: skip
    return profile
