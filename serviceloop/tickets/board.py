"""Read side of the supervisor board: one team's open backlog, by status and by assignee.

Every figure comes from the team's OPEN tickets only, which the partial index
`ticket_open_team` (team, -created_at, -id WHERE status is open) covers: one GROUP BY over
that slice, the oldest rows read from the end of the same index, and the people. A fixed
number of queries, whatever the number of tickets or agents.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, TeamMembership, User

from .choices import OPEN_STATUSES
from .models import Ticket
from .queries import LIST_RELATED, with_reference_data
from .reference import catalogue

BOARD_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
OLDEST_SHOWN = 20


@dataclass
class Workload:
    """Open tickets of one assignee (or of nobody: `user` None) in the team."""

    user: User | None
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPEN_STATUSES, 0))
    total: int = 0
    oldest: datetime | None = None
    is_member: bool = True  # False: holds team tickets without being in the team

    @property
    def counts(self) -> list[tuple[str, int]]:
        """(status, open tickets) in the order of the status machine."""
        return [(status, self.by_status.get(status, 0)) for status in OPEN_STATUSES]

    def add(self, status: str, count: int, oldest: datetime) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + count
        self.total += count
        if self.oldest is None or oldest < self.oldest:
            self.oldest = oldest


@dataclass(frozen=True)
class TeamBoard:
    team: Team
    backlog: Workload  # the whole team: open tickets by status, total, oldest
    unassigned: Workload
    agents: list[Workload]  # members who work tickets, then other holders; by name
    oldest_tickets: list[Ticket]
    assignable: list[User]  # who the board offers as a new assignee

    @property
    def assignable_ids(self) -> set[int]:
        return {user.pk for user in self.assignable}


def may_use_board(user: User) -> bool:
    return user.is_active and user.role in BOARD_ROLES


def teams_on_board(user: User) -> list[Team]:
    """The active teams `user` may look after on the board: a supervisor's own teams;
    every team for managers and administrators; none for anyone else."""
    if not may_use_board(user):
        return []
    known = catalogue()
    teams = list(known.teams.values())
    if user.role == Role.SUPERVISOR:
        mine = set(user.team_ids)
        teams = [team for team in teams if team.pk in mine]
    return sorted(teams, key=lambda team: (team.name, team.code))


def team_board(team: Team, *, oldest: int = OLDEST_SHOWN) -> TeamBoard:
    """The board of one team (four queries at most)."""
    open_of_team = Ticket.objects.filter(team_id=team.pk, status__in=OPEN_STATUSES)
    groups = list(
        open_of_team.order_by()
        .values_list("assignee_id", "status")
        .annotate(count=Count("*"), oldest=Min("created_at"))
    )
    memberships = (
        TeamMembership.objects.filter(team_id=team.pk, user__is_active=True)
        .select_related("user")
        .order_by()
    )
    members = {m.user_id: m.user for m in memberships if m.user.works_tickets}
    holders = {assignee_id for assignee_id, *_rest in groups if assignee_id is not None}
    others = holders - set(members)
    people = dict(members)
    if others:  # e.g. a manager who took an escalated ticket, or a former member
        people.update(User.objects.in_bulk(others))

    backlog, unassigned = Workload(user=None), Workload(user=None)
    loads = {pk: Workload(user=user, is_member=pk in members) for pk, user in people.items()}
    for assignee_id, status, count, first in groups:
        backlog.add(status, count, first)
        (unassigned if assignee_id is None else loads[assignee_id]).add(status, count, first)
    agents = sorted(
        loads.values(),
        key=lambda load: (not load.is_member, _name(load.user)),
    )
    oldest_tickets = list(
        open_of_team.select_related(*LIST_RELATED).order_by("created_at", "id")[:oldest]
    )
    with_reference_data(oldest_tickets)
    return TeamBoard(
        team=team,
        backlog=backlog,
        unassigned=unassigned,
        agents=agents,
        oldest_tickets=oldest_tickets,
        assignable=sorted(members.values(), key=_name),
    )


def _name(user: User | None) -> str:
    return "" if user is None else user.display_name.casefold()
