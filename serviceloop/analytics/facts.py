"""Computing facts from tickets, and rollups from facts.

`refresh(ticket_ids)` recomputes the facts of some tickets and marks their days stale;
`rebuild_days(days)` recomputes the rollups of those days from the facts with one
INSERT ... SELECT per table. The refresh sweep (tasks.refresh_analytics) runs both for the
tickets whose audit events committed since; `rebuild_all()` does everything again.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q

from serviceloop.accounts.choices import STAFF_ROLES
from serviceloop.calendars.business_time import business_minutes_between
from serviceloop.calendars.schedules import team_schedule
from serviceloop.core import clock
from serviceloop.satisfaction.models import CsatSurvey
from serviceloop.sla.models import Escalation, TicketClock
from serviceloop.tickets.choices import Direction, Emotion, Kind, Status
from serviceloop.tickets.models import Interaction, Ticket
from serviceloop.tickets.services.conversation import CONVERSATIONAL_CHANNELS

from .measures import HISTOGRAMS, MEASURES, bucket_of, histogram_columns
from .models import (
    AgentDailyRollup,
    AgentKindRollup,
    DailyDetailRollup,
    DailyRollup,
    StaleDay,
    TicketFact,
)

BATCH = 2000
REPEAT_WINDOW = timedelta(days=30)
TICKET_FIELDS = (
    "id", "created_at", "team_id", "category_id", "channel", "kind", "customer_id",
    "customer__tier_id", "assignee_id", "status", "first_response_at", "resolved_at",
    "reopen_count",
)  # fmt: skip


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def compute(ticket_ids: Iterable[int]) -> list[TicketFact]:
    """The facts of these tickets as they are now (unsaved)."""
    rows = list(Ticket.objects.filter(pk__in=list(ticket_ids)).values(*TICKET_FIELDS))
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    responses = _staff_responses(ids)
    emotions = _emotions(ids)
    escalated = set(
        Escalation.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True)
    )
    clocks = {
        c["ticket_id"]: c
        for c in TicketClock.objects.filter(ticket_id__in=ids).values(
            "ticket_id", "first_response_breached", "resolution_breached"
        )
    }
    surveys = _surveys(ids)
    repeats = _repeat_complaints([row for row in rows if row["kind"] == Kind.COMPLAINT])
    now = clock.now()
    return [
        _fact(row, responses, emotions, escalated, clocks, surveys, repeats, now) for row in rows
    ]


def _fact(
    row: dict[str, Any],
    responses: dict[int, int],
    emotions: dict[int, dict[str, int]],
    escalated: set[int],
    clocks: Mapping[int, Mapping[str, Any]],
    surveys: dict[int, Any],
    repeats: set[int],
    now: datetime,
) -> TicketFact:
    pk, created = row["id"], row["created_at"]
    is_open = row["status"] not in (Status.RESOLVED, Status.CLOSED)
    resolved_at = None if is_open else row["resolved_at"]
    first_response_at = row["first_response_at"]
    schedule = team_schedule(row["team_id"])
    values: dict[str, float] = dict.fromkeys(MEASURES, 0)
    values |= {
        "tickets": 1,
        "open_now": int(is_open),
        "resolved": int(resolved_at is not None),
        "reopened": int(row["reopen_count"] > 0),
        "complaints": int(row["kind"] == Kind.COMPLAINT),
        "repeat_complaints": int(pk in repeats),
        "escalated": int(pk in escalated),
    }
    values["fcr"] = int(
        bool(values["resolved"]) and responses.get(pk, 0) == 1 and not values["reopened"]
    )
    frb = hb = None
    if first_response_at is not None:
        frb = max(business_minutes_between(schedule, created, first_response_at), 0.0)
        values["responded"] = 1
        values["first_response_business"] = frb
        values["first_response_wall"] = max((first_response_at - created).total_seconds(), 0) / 60
    if resolved_at is not None:
        hb = max(business_minutes_between(schedule, created, resolved_at), 0.0)
        values["handling_business"] = hb
        values["handling_wall"] = max((resolved_at - created).total_seconds(), 0) / 60
    sla = clocks.get(pk)
    if sla is not None:
        for target in ("first_response", "resolution"):
            breached = sla[f"{target}_breached"]
            if breached is not None:
                values[f"{target}_sla_decided"] = 1
                values[f"{target}_sla_met"] = int(not breached)
    survey = surveys.get(pk)
    if survey is not None and (survey["sent_at"] is not None or survey["score"] is not None):
        values["csat_sent"] = 1  # mailed, or answered in the portal before the mail went out
        if survey["score"] is not None:
            values["csat_answered"] = 1
            values["csat_score"] = survey["score"]
            values["csat_top"] = int(survey["score"] >= 4)
    for emotion, count in emotions.get(pk, {}).items():
        values[f"emotion_{emotion}"] = count
    return TicketFact(
        ticket_id=pk,
        customer_id=row["customer_id"],
        day=local_day(created),
        resolved_day=local_day(resolved_at) if resolved_at else None,
        team_id=row["team_id"],
        category_id=row["category_id"],
        channel=row["channel"],
        kind=row["kind"],
        tier_id=row["customer__tier_id"],
        assignee_id=row["assignee_id"],
        frb_bucket=None if frb is None else bucket_of(frb),
        hb_bucket=None if hb is None else bucket_of(hb),
        computed_at=now,
        **values,
    )


def _staff_responses(ids: list[int]) -> dict[int, int]:
    """How many interactions of each ticket count as a staff response
    (tickets.services.conversation.counts_as_response, as one query)."""
    found = (
        Interaction.objects.filter(
            ticket_id__in=ids, is_internal=False, author__role__in=STAFF_ROLES
        )
        .filter(Q(direction=Direction.OUTBOUND) | Q(channel__in=CONVERSATIONAL_CHANNELS))
        .values("ticket_id")
        .annotate(n=Count("id"))
    )
    return {row["ticket_id"]: row["n"] for row in found}


def _emotions(ids: list[int]) -> dict[int, dict[str, int]]:
    found = (
        Interaction.objects.filter(ticket_id__in=ids, emotion__in=Emotion.values)
        .values("ticket_id", "emotion")
        .annotate(n=Count("id"))
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for row in found:
        result[row["ticket_id"]][row["emotion"]] = row["n"]
    return result


def _surveys(ids: list[int]) -> dict[int, Any]:
    rows = CsatSurvey.objects.filter(ticket_id__in=ids).values("ticket_id", "score", "sent_at")
    return {row["ticket_id"]: row for row in rows}


def _repeat_complaints(complaints: list[dict[str, Any]]) -> set[int]:
    """The complaints whose customer made another complaint in the same category within
    the 30 days before."""
    if not complaints:
        return set()
    earliest = min(row["created_at"] for row in complaints) - REPEAT_WINDOW
    latest = max(row["created_at"] for row in complaints)
    earlier = Ticket.objects.filter(
        kind=Kind.COMPLAINT,
        customer_id__in={row["customer_id"] for row in complaints},
        category__isnull=False,
        created_at__gte=earliest,
        created_at__lte=latest,
    ).values_list("id", "customer_id", "category_id", "created_at")
    by_key: dict[tuple[int, int], list[tuple[datetime, int]]] = defaultdict(list)
    for pk, customer, category, created in earlier:
        by_key[(customer, category)].append((created, pk))
    repeats = set()
    for row in complaints:
        if row["category_id"] is None:
            continue
        for created, pk in by_key[(row["customer_id"], row["category_id"])]:
            before = (created, pk) < (row["created_at"], row["id"])
            if before and row["created_at"] - created <= REPEAT_WINDOW:
                repeats.add(row["id"])
                break
    return repeats


def refresh(ticket_ids: Iterable[int]) -> set[date]:
    """Compute the facts of these tickets again and mark their days stale; returns the days."""
    ids = sorted(set(ticket_ids))
    facts = compute(ids)
    with transaction.atomic():
        old_days = set(TicketFact.objects.filter(ticket_id__in=ids).values_list("day", flat=True))
        TicketFact.objects.filter(ticket_id__in=ids).delete()
        TicketFact.objects.bulk_create(facts)
        days = old_days | {fact.day for fact in facts}
        StaleDay.objects.bulk_create([StaleDay(day=day) for day in days], ignore_conflicts=True)
    return days


def _grouped_insert(table: str, dimensions: list[str], *, histograms: bool) -> str:
    columns = dimensions + list(MEASURES)
    selects = dimensions + [f"SUM({name})" for name in MEASURES]
    if histograms:
        for measure, flag in zip(HISTOGRAMS, ("frb_bucket", "hb_bucket"), strict=True):
            for index, column in enumerate(histogram_columns(measure)):
                columns.append(column)
                selects.append(f"SUM(CASE WHEN {flag} = {index} THEN 1 ELSE 0 END)")
    # every name comes from measures.py and the models, none from input
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(selects)} FROM {TicketFact._meta.db_table} WHERE day = %s "
        f"GROUP BY {', '.join(dimensions)} "
        # rows of one kind and tier side by side: a filtered read touches fewer pages
        f"ORDER BY {', '.join(reversed(dimensions))}"
    )


COARSE = ["day", "team_id", "category_id", "channel"]
FINE = [*COARSE, "kind", "tier_id"]
AGENT = [*COARSE, "assignee_id"]
AGENT_KIND = ["day", "team_id", "kind", "tier_id", "assignee_id"]
INSERTS = (
    _grouped_insert(DailyRollup._meta.db_table, COARSE, histograms=True),
    _grouped_insert(DailyDetailRollup._meta.db_table, FINE, histograms=True),
    _grouped_insert(AgentDailyRollup._meta.db_table, AGENT, histograms=False),
    _grouped_insert(AgentKindRollup._meta.db_table, AGENT_KIND, histograms=False),
)


def rebuild_days(days: Iterable[date]) -> None:
    """Recompute the rollups of these days from the facts (one day per transaction; the
    rebuilds of a database are serialised so that two never interleave on a day)."""
    for day in sorted(set(days)):
        with transaction.atomic():
            _serialise_rebuilds()
            StaleDay.objects.filter(day=day).delete()
            for model in (DailyRollup, DailyDetailRollup, AgentDailyRollup, AgentKindRollup):
                model.objects.filter(day=day).delete()
            with connection.cursor() as cursor:
                for insert in INSERTS:
                    cursor.execute(insert, [day])


def _serialise_rebuilds() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('serviceloop.rollups'))")


def rebuild_stale_days() -> int:
    days = list(StaleDay.objects.values_list("day", flat=True)[:400])
    rebuild_days(days)
    return len(days)


def rebuild_all(batch: int = BATCH) -> int:
    """Facts and rollups of every ticket again (demo data, after a restore, a new measure).
    Returns the number of tickets."""
    done = 0
    every = Ticket.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=batch)
    for ids in _batches(every, batch):
        refresh(ids)
        done += len(ids)
    gone = ~Exists(Ticket.objects.filter(pk=OuterRef("ticket_id")))  # an anti-join
    TicketFact.objects.filter(gone).delete()
    while rebuild_stale_days():
        pass
    return done


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
