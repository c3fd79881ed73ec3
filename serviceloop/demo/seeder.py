"""The demo company behind `serviceloop demo`: four departments, a two-level category tree,
staff of every role, a few hundred customers and a few thousand bilingual tickets whose
whole lives are replayed over the last N days.

Everything about a ticket goes through the use cases (tickets.services,
customers.services, accounts.services, the category catalogue), each run with the clock set
to the moment it happens, so numbers, timestamps and the audit trail read like real
history. Every ticket's life is a generator (`_Replay._story`) that yields the time of its
next step; one scheduler runs the steps of all tickets in time order and drops a life
whose next step would lie in the future, which leaves recent tickets open.

Output is deterministic for a seed: everything a ticket says (subject, description, kind,
category, customer, the turns its life takes) comes from a random generator of its own,
seeded with (seed, position in time), and is drawn before any time-dependent choice. The
texts are written for this demo; none comes from a real data set.
"""

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from serviceloop.accounts.models import User
from serviceloop.analytics import services as analytics
from serviceloop.audit import services as audit
from serviceloop.customers.models import Customer
from serviceloop.routing.models import Rule, TeamRouting
from serviceloop.tickets.models import Commitment, Interaction, Ticket

from .company import (
    CUSTOMER_LOGIN,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    PARTNER_LOGIN,
    PARTNER_NAME,
    STAFF,
    TEAMS,
    Progress,
    create_customers,
    set_up_company,
)
from .lives import Replay, creation_times
from .loop import seed_loop

# --- the result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    team: str
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    tickets: int
    interactions: int
    commitments: int
    seconds: float


def demo_logins() -> list[DemoLogin]:
    """The demo's logins with the team (or organisation) each belongs to."""
    names = {team.code: f"{team.name_en} {team.name_zh}" for team in TEAMS}
    logins = [
        DemoLogin(spec.username, spec.role, ", ".join(names[code] for code in spec.teams))
        for spec in STAFF
    ]
    logins.append(DemoLogin(CUSTOMER_LOGIN.username, CUSTOMER_LOGIN.role, ""))
    logins.append(DemoLogin(PARTNER_LOGIN.username, PARTNER_LOGIN.role, PARTNER_NAME))
    return logins


def demo_present() -> bool:
    """Whether the demo was loaded: any of its logins exists."""
    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def seed_demo(
    *,
    tickets: int = 3000,
    customers: int = 300,
    days: int = 90,
    seed: int = 42,
    progress: Progress | None = None,
) -> DemoSummary:
    """Load the demo company into an empty database and replay `tickets` requests over the
    last `days` days (plus the duplicates some customers send and agents merge), then the
    second half of the loop: surveys, follow-ups, feedback, an analysis and plans (loop.py).

    Precondition: no demo login exists yet (`demo_present()` is False). Commits in batches,
    so an interrupted run leaves what it made so far.
    """
    if tickets < 0 or customers < 1 or days < 1:
        raise ValueError("tickets >= 0, customers >= 1 and days >= 1 are needed")
    report = progress or (lambda message: None)
    started = time.perf_counter()
    now = timezone.now()
    history_starts = now - timedelta(days=days)
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    # history: audited like real work, but it mails nobody and rings no bell (decision 0010)
    with audit.unpublished():
        report("Setting up teams, categories and staff…")
        with transaction.atomic():
            company = set_up_company(at=history_starts - timedelta(days=30))
        report(f"Creating {customers} customers…")
        with transaction.atomic():
            clients = create_customers(
                company=company, count=customers, seed=seed, rng=rng, before=history_starts
            )
        report(f"Replaying {tickets} tickets over {days} days…")
        replay = Replay(company=company, clients=clients, seed=seed, now=now, total=tickets)
        replay.run(creation_times(count=tickets, days=days, now=now, rng=rng), report=report)
    # from now on new tickets of two teams find their agent by themselves (分派)
    TeamRouting.objects.create(team=company.teams["logistics"], rule=Rule.ROUND_ROBIN)
    TeamRouting.objects.create(team=company.teams["after-sales"], rule=Rule.LEAST_LOADED)
    # the loop's second half: surveys, follow-ups, feedback, analyses and plans (it
    # computes the analytics itself, before the plans that read them)
    if not seed_loop(company, now, rng, report):
        report("Computing the analytics…")  # the replay was unpublished: nothing marked stale
        analytics.rebuild()
    return DemoSummary(
        customers=Customer.objects.count(),
        tickets=Ticket.objects.count(),
        interactions=Interaction.objects.count(),
        commitments=Commitment.objects.count(),
        seconds=time.perf_counter() - started,
    )
