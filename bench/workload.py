"""What the HTTP benchmarks act as and on: the bench users and their API tokens (issued
through serviceloop), the category codes to post, the tickets to open, and counts taken
straight from the database."""

import random
from dataclasses import dataclass

from .config import Database
from .database import connect
from .reference import BENCH_AGENT, BENCH_PARTNER, BENCH_TEAM

DETAIL_SAMPLE = 60
PAGE_SIZE = 25


@dataclass(frozen=True)
class Tokens:
    partner: str  # creates tickets
    agent: str  # works the queue of BENCH_TEAM
    token_ids: tuple[int, ...]


def issue_tokens() -> Tokens:
    """A fresh API token for each bench user, through accounts.services.issue_token."""
    from serviceloop.accounts.models import User
    from serviceloop.accounts.services import issue_token

    secrets, ids = [], []
    for username in (BENCH_PARTNER, BENCH_AGENT):
        user = User.objects.get(username=username)
        token, secret = issue_token(user=user, name="bench", actor=None)
        secrets.append(secret)
        ids.append(token.pk)
    return Tokens(partner=secrets[0], agent=secrets[1], token_ids=tuple(ids))


def revoke_tokens(tokens: Tokens) -> None:
    from serviceloop.accounts.models import PersonalToken
    from serviceloop.accounts.services import revoke_token

    for token in PersonalToken.objects.filter(pk__in=tokens.token_ids, revoked_at__isnull=True):
        revoke_token(token=token, actor=None)


def category_codes() -> list[str]:
    from serviceloop.tickets.models import Category

    return list(
        Category.objects.filter(parent__isnull=False, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )


class Counts:
    """Read-only questions to the benchmark database, on a connection of their own."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def _one(self, query: str, params: list[object] | None = None) -> int:
        with connect(self.database, autocommit=True) as conn:
            row = conn.execute(query, params).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def tickets(self) -> int:
        return self._one("SELECT count(*) FROM tickets_ticket")

    def last_ticket_id(self) -> int:
        return self._one("SELECT max(id) FROM tickets_ticket")

    def tickets_after(self, ticket_id: int) -> int:
        return self._one("SELECT count(*) FROM tickets_ticket WHERE id > %s", [ticket_id])

    def open_in_team(self, team: str = BENCH_TEAM) -> int:
        return self._one(
            """SELECT count(*) FROM tickets_ticket t JOIN accounts_team m ON m.id = t.team_id
                WHERE m.code = %s AND t.status IN ('new', 'in_progress', 'waiting_customer')""",
            [team],
        )

    def detail_numbers(self, interactions: int = 20, team: str = BENCH_TEAM) -> list[str]:
        """Up to DETAIL_SAMPLE tickets of the team with exactly `interactions` (seeded pick)."""
        with connect(self.database, autocommit=True) as conn:
            rows = conn.execute(
                """SELECT t.number FROM tickets_ticket t
                     JOIN accounts_team m ON m.id = t.team_id AND m.code = %s
                     JOIN (SELECT ticket_id FROM tickets_interaction GROUP BY ticket_id
                           HAVING count(*) = %s) i ON i.ticket_id = t.id
                    WHERE t.merged_into_id IS NULL
                    ORDER BY t.id""",
                [team, interactions],
            ).fetchall()
        numbers = [row[0] for row in rows]
        return random.Random(7).sample(numbers, min(DETAIL_SAMPLE, len(numbers)))
