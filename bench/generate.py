"""Load BENCH_TICKETS tickets (default 1,000,000) into the PostgreSQL database of DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/serviceloop_bench \
        .venv/bin/python bench/generate.py [--tickets N]

The database is dropped and created again, migrated, and filled with: 5 teams with agents,
a category tree, ~N/10 customers with e-mail (and some phone) contacts, N tickets over the
last 90 days (about 20 % open, most of them recent), about 3 interactions a ticket (some
tickets exactly 20, for the detail benchmark) and the audit trail (`ticket.created` for every
ticket, `interaction.added` / `note.added` for every interaction).

Rows go in with COPY ... FREEZE in one transaction, with the secondary indexes dropped and
foreign-key triggers off (session_replication_role = replica: the generator writes
consistent ids itself). The indexes are then built again from their own definitions and
checked against the catalogue as it was before; identity sequences and the per-day ticket
number sequences are moved past the loaded values; VACUUM ANALYZE ends the load.
"""

import argparse
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as `python bench/generate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

import orjson
import psycopg

from .config import DEFAULT_TICKETS, Database, database_url, env_int
from .database import (
    MARKER_TABLE,
    Dataset,
    IndexDef,
    all_indexes,
    connect,
    drop_indexes,
    droppable_indexes,
    foreign_database,
    orphan_counts,
    rebuild_indexes,
    recreate_database,
    write_marker,
)
from .django_env import close_django_connections, setup_django
from .reference import AREAS, Reference, create_reference
from .texts import (
    CUSTOMER_EN,
    CUSTOMER_ZH,
    NOTES,
    REPLIES_EN,
    REPLIES_ZH,
    RESOLUTIONS,
    person_name,
    ticket_texts,
)

GENERATOR_VERSION = 2  # bump when the data set changes: run.py then loads it again
SEED = 20261122
DAYS = 90
CHUNK = 25_000
TEXTS_PER_AREA = 1_500
DETAIL_INTERACTIONS = 20
MS_PER_DAY = 86_400_000
NULL = "\\N"

TICKET_COLUMNS = (
    "id", "number", "subject", "description", "kind", "urgency", "channel", "status",
    "order_ref", "custom_fields", "resolution", "reopen_count", "version", "content_hash",
    "search_document", "created_at", "updated_at", "first_response_at", "resolved_at",
    "closed_at", "assignee_id", "category_id", "customer_id", "merged_into_id", "submitter_id",
    "submitter_organisation_id", "team_id",
)  # fmt: skip
INTERACTION_COLUMNS = (
    "id", "occurred_at", "channel", "direction", "content", "emotion", "is_internal",
    "created_at", "edited_at", "author_id", "ticket_id", "kind",
)  # fmt: skip
AUDIT_COLUMNS = (
    "id", "occurred_at", "actor_label", "action", "target_type", "target_id", "ticket_id",
    "before", "after", "note", "actor_id",
)  # fmt: skip
CUSTOMER_COLUMNS = (
    "id", "name", "external_id", "language", "notes", "created_at", "updated_at", "user_id",
    "tier_id", "organisation_id",
)  # fmt: skip
# the customers are established ones: staff confirmed their contacts when they registered them
CONTACT_COLUMNS = (
    "id", "kind", "value", "is_primary", "created_at", "customer_id", "verified_at",
    "verified_via", "verification_note",
)  # fmt: skip
COLUMNS = {
    "customers_customer": CUSTOMER_COLUMNS,
    "customers_customercontact": CONTACT_COLUMNS,
    "tickets_ticket": TICKET_COLUMNS,
    "tickets_interaction": INTERACTION_COLUMNS,
    "audit_auditevent": AUDIT_COLUMNS,
}

# Weighted choices, as lists to index with int(random() * len).
KINDS = (
    ["inquiry"] * 45 + ["complaint"] * 25 + ["fault"] * 15 + ["suggestion"] * 10 + ["praise"] * 5
)
URGENCIES = ["critical"] * 2 + ["high"] * 18 + ["medium"] * 55 + ["low"] * 25
CHANNELS = (
    ["phone"] * 30 + ["web"] * 25 + ["email"] * 15 + ["chat"] * 20 + ["sms"] * 5 + ["onsite"] * 5
)
OPEN = ["new"] * 35 + ["in_progress"] * 45 + ["waiting_customer"] * 20
DONE = ["resolved"] * 35 + ["closed"] * 65
EMOTIONS = ["satisfied"] * 20 + ["neutral"] * 45 + ["dissatisfied"] * 25 + ["angry"] * 10
MORE_INTERACTIONS = [1, 2, 2, 3, 3, 3, 4, 4, 5, 6]  # tickets past "new": mean 3.3
RECENT_DAYS, OPEN_IF_RECENT, OPEN_IF_OLDER = 14, 0.6, 0.126  # ~20 % open overall
PARTNER_SHARE = 0.05


@dataclass(frozen=True)
class LoadResult:
    tickets: int
    interactions: int
    audit_events: int
    customers: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)


class Clock:
    """Timestamps as integer milliseconds since the epoch, formatted from lookup tables
    (datetime.isoformat for ten million values would cost more than the COPY itself)."""

    def __init__(self, first_day: date, days: int) -> None:
        self.base_day = (first_day - date(1970, 1, 1)).days
        self.day_text = [f"{first_day + timedelta(days=i):%Y-%m-%d}" for i in range(days)]
        self.hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]
        self.copy_ms = [f".{ms:03d}+00" for ms in range(1000)]
        # DjangoJSONEncoder: milliseconds when there are microseconds, "Z" for UTC
        self.json_ms = ["Z"] + [f".{ms:03d}Z" for ms in range(1, 1000)]

    def copy(self, ms: int) -> str:
        """COPY text for a timestamptz."""
        day, rest = divmod(ms, MS_PER_DAY)
        seconds, millis = divmod(rest, 1000)
        return f"{self.day_text[day - self.base_day]} {self.hms[seconds]}{self.copy_ms[millis]}"

    def json(self, ms: int) -> str:
        day, rest = divmod(ms, MS_PER_DAY)
        seconds, millis = divmod(rest, 1000)
        return f"{self.day_text[day - self.base_day]}T{self.hms[seconds]}{self.json_ms[millis]}"


@dataclass(frozen=True)
class Text:
    """One ticket text with what the service derives from it (computed once per text)."""

    subject: str
    description: str
    content_hash: str
    tokens: tuple[str, ...]
    subject_json: str  # JSON string literal, quotes included


def copy_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class Generator:
    """Writes customers, tickets, interactions and audit events with COPY."""

    def __init__(self, conn: psycopg.Connection, ref: Reference, tickets: int, seed: int) -> None:
        from django.conf import settings

        from serviceloop.tickets import search
        from serviceloop.tickets.services.creation import content_hash

        self.conn = conn
        self.ref = ref
        self.count = tickets
        self.rng = random.Random(seed)
        self.prefix = settings.TICKET_NUMBER_PREFIX
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.search_document = search.document
        now = datetime.now(UTC).replace(microsecond=0)
        self.now_ms = int(now.timestamp() * 1000)
        self.start_ms = self.now_ms - DAYS * MS_PER_DAY
        first_day = (now - timedelta(days=2 * DAYS + 2)).date()
        self.clock = Clock(first_day, 2 * DAYS + 5)
        self.customers = max(100, tickets // 10)
        self.areas = [area[0] for area in AREAS]
        self.texts = {
            area: [self._text(t.subject, t.description, content_hash) for t in pool]
            for area in self.areas
            for pool in [ticket_texts(area, TEXTS_PER_AREA, self.rng)]
        }
        self.replies = [copy_escape(t) for t in REPLIES_EN + REPLIES_ZH]
        self.customer_lines = [copy_escape(t) for t in CUSTOMER_EN + CUSTOMER_ZH]
        self.notes = [copy_escape(t) for t in NOTES]
        self.resolutions = [copy_escape(t) for t in RESOLUTIONS]
        self.interaction_id = 0
        self.audit_id = 0
        self.day_counts: dict[date, int] = {}
        self.checked_documents = 0

    def _text(self, subject: str, description: str, content_hash: Callable[..., str]) -> Text:
        return Text(
            subject=copy_escape(subject),
            description=copy_escape(description),
            content_hash=content_hash(subject, description),
            tokens=tuple(self.search_document(subject, description).split(" ")),
            subject_json=copy_escape(orjson.dumps(subject).decode()),
        )

    # --- customers ---------------------------------------------------------------------------

    def load_customers(self) -> int:
        rng, clock = self.rng, self.clock
        customers, contacts = [], []
        contact_id = 0
        for cid in range(1, self.customers + 1):
            created = clock.copy(self.start_ms - rng.randrange(DAYS * MS_PER_DAY))
            external = f"CRM-{cid:07d}" if rng.random() < 0.3 else NULL
            language = ("zh-hans", "en", "")[rng.randrange(3)]
            tier = str(self.ref.tier_ids[rng.randrange(3)]) if rng.random() < 0.3 else NULL
            org = str(rng.choice(self.ref.company_ids)) if rng.random() < 0.1 else NULL
            name = copy_escape(person_name(rng))
            customers.append(
                f"{cid}\t{name}\t{external}\t{language}\t\t{created}\t{created}\t{NULL}\t{tier}\t{org}\n"
            )
            contact_id += 1
            contacts.append(
                f"{contact_id}\temail\tbench-{cid}@example.com\tt\t{created}\t{cid}\t{created}\tstaff\t\n"
            )
            if rng.random() < 0.5:
                contact_id += 1
                contacts.append(
                    f"{contact_id}\tphone\t+86138{cid:08d}\tt\t{created}\t{cid}\t{created}\tstaff\t\n"
                )
        self._copy("customers_customer", customers)
        self._copy("customers_customercontact", contacts)
        return len(customers)

    # --- tickets -----------------------------------------------------------------------------

    def load_tickets(self, log: Callable[[str], None]) -> tuple[int, int]:
        rng = self.rng
        span = self.now_ms - self.start_ms - 60_000
        created = sorted(self.start_ms + rng.randrange(span) for _ in range(self.count))
        detail = set(rng.sample(range(self.count), max(300, self.count // 1000)))
        day_starts, days = self._local_days()
        started = time.perf_counter()
        for first in range(0, self.count, CHUNK):
            tickets: list[str] = []
            interactions: list[str] = []
            audit: list[str] = []
            for index in range(first, min(first + CHUNK, self.count)):
                at = created[index]
                day = days[bisect_right(day_starts, at) - 1]
                sequence = self.day_counts.get(day, 0) + 1
                self.day_counts[day] = sequence
                self._ticket(
                    index + 1, at, day, sequence, index in detail, tickets, interactions, audit
                )
            self._copy("tickets_ticket", tickets)
            self._copy("tickets_interaction", interactions)
            self._copy("audit_auditevent", audit)
            done = min(first + CHUNK, self.count)
            if done % (CHUNK * 8) == 0 or done == self.count:
                rate = done / (time.perf_counter() - started)
                log(f"  {done:,}/{self.count:,} tickets ({rate:,.0f}/s)")
        return self.interaction_id, self.audit_id

    def _local_days(self) -> tuple[list[int], list[date]]:
        """Start (epoch ms) of every local day in the range, in settings.TIME_ZONE."""
        day = datetime.fromtimestamp(self.start_ms / 1000, self.zone).date() - timedelta(days=1)
        starts: list[int] = []
        days: list[date] = []
        while True:
            midnight = datetime(day.year, day.month, day.day, tzinfo=self.zone)
            ms = int(midnight.timestamp() * 1000)
            if ms > self.now_ms:
                return starts, days
            starts.append(ms)
            days.append(day)
            day += timedelta(days=1)

    def _ticket(
        self,
        tid: int,
        at: int,
        day: date,
        sequence: int,
        detailed: bool,
        tickets: list[str],
        interactions: list[str],
        audit: list[str],
    ) -> None:
        rng, random_, clock, ref = self.rng, self.rng.random, self.clock, self.ref
        area = self.areas[int(random_() * len(self.areas))]
        text = self.texts[area][int(random_() * TEXTS_PER_AREA)]
        category = ref.category_ids[area][int(random_() * 3)]
        team = ref.team_ids[area]
        agents = ref.agents[area]
        recent = self.now_ms - at < RECENT_DAYS * MS_PER_DAY
        is_open = random_() < (OPEN_IF_RECENT if recent else OPEN_IF_OLDER)
        status = OPEN[int(random_() * 100)] if is_open else DONE[int(random_() * 100)]
        if detailed and status == "new":
            status = "in_progress"
        kind = KINDS[int(random_() * 100)]
        urgency = URGENCIES[int(random_() * 100)]
        partner = random_() < PARTNER_SHARE
        channel = "api" if partner else CHANNELS[int(random_() * 100)]
        customer = 1 + int(random_() * self.customers)
        assigned = random_() < (0.3 if status == "new" else 0.93)
        handler = agents[int(random_() * len(agents))]
        assignee = str(handler[0]) if assigned else NULL
        number = f"{self.prefix}-{day:%Y%m%d}-{sequence:06d}"
        order_ref = f"SO{day:%Y%m%d}{int(random_() * 1_000_000):06d}" if random_() < 0.4 else ""
        head = [self.prefix.lower(), f"{day:%Y%m%d}", f"{sequence:06d}"]
        tail = [order_ref.lower()] if order_ref else []
        document = " ".join(dict.fromkeys([*head, *text.tokens, *tail]))
        if tid % 997 == 1:  # the service's own function must agree with the shortcut
            expected = self.search_document(number, text.subject, text.description, order_ref)
            assert document == expected, (document, expected)
            self.checked_documents += 1

        # the conversation, then the status times, all between creation and now
        if status == "new":
            count = 0
        elif detailed:
            count = DETAIL_INTERACTIONS
        else:
            count = MORE_INTERACTIONS[int(random_() * 10)]
        gaps = [rng.expovariate(1 / 10_800_000)] + [
            rng.expovariate(1 / 36_000_000) for _ in range(count - 1)
        ]
        done = status in ("resolved", "closed")
        resolve_gap = rng.expovariate(1 / 21_600_000) if done else 0.0
        close_gap = 86_400_000 * (1 + 2 * random_()) if status == "closed" else 0.0
        room = self.now_ms - at - 1_000
        total = sum(gaps) + resolve_gap + close_gap
        scale = min(1.0, room / total) if total else 1.0
        moment = at
        first_response = NULL
        last_ms = at
        author_id, author_name = handler
        for i in range(count):
            moment += int(gaps[i] * scale) + 1
            last_ms = moment
            internal = i > 0 and random_() < 0.1
            if internal:
                direction, emotion, content = "", "", self.notes[int(random_() * len(self.notes))]
                entry = "note"
            elif i % 2 == 0:
                direction, emotion, entry = "outbound", "", "reply"
                content = self.replies[int(random_() * len(self.replies))]
            else:  # what the customer said, logged by the agent who handled it
                direction, emotion, entry = "inbound", EMOTIONS[int(random_() * 100)], "log"
                content = self.customer_lines[int(random_() * len(self.customer_lines))]
            when = clock.copy(moment)
            if i == 0:
                first_response = when
            self.interaction_id += 1
            iid = self.interaction_id
            medium = channel if channel in ("phone", "email", "chat") else "phone"
            flag = "t" if internal else "f"
            interactions.append(
                f"{iid}\t{when}\t{medium}\t{direction}\t{content}\t{emotion}\t{flag}\t{when}"
                f"\t{NULL}\t{author_id}\t{tid}\t{entry}\n"
            )
            self.audit_id += 1
            after = (
                f'{{"kind": "{entry}", "channel": "{medium}", "direction": "{direction}", '
                f'"emotion": "{emotion}", '
                f'"is_internal": {"true" if internal else "false"}, '
                f'"occurred_at": "{clock.json(moment)}", "author": {author_id}}}'
            )
            action = "note.added" if internal else "interaction.added"
            audit.append(
                f"{self.audit_id}\t{when}\t{author_name}\t{action}\tinteraction\t{iid}\t{tid}"
                f"\t{{}}\t{after}\t\t{author_id}\n"
            )
        resolved_at = closed_at = NULL
        resolution = ""
        updated = last_ms
        if done:
            updated = last_ms + int(resolve_gap * scale) + 1
            resolved_at = clock.copy(updated)
            resolution = self.resolutions[int(random_() * len(self.resolutions))]
            if status == "closed":
                updated += int(close_gap * scale) + 1
                closed_at = clock.copy(updated)
        reopened = 1 if done and random_() < 0.03 else 0
        created_at = clock.copy(at)
        submitter = organisation = NULL
        actor_id, actor_name = handler
        if partner:
            submitter, organisation = str(ref.partner_user[0]), str(ref.partner_org_id)
            actor_id, actor_name = ref.partner_user
        tickets.append(
            f"{tid}\t{number}\t{text.subject}\t{text.description}\t{kind}\t{urgency}\t{channel}"
            f"\t{status}\t{order_ref}\t{{}}\t{resolution}\t{reopened}\t1\t{text.content_hash}"
            f"\t{document}\t{created_at}\t{clock.copy(updated)}\t{first_response}\t{resolved_at}"
            f"\t{closed_at}\t{assignee}\t{category}\t{customer}\t{NULL}"
            f"\t{submitter}\t{organisation}\t{team}\n"
        )
        self.audit_id += 1
        created = (
            f'{{"number": "{number}", "subject": {text.subject_json}, "kind": "{kind}", '
            f'"urgency": "{urgency}", "channel": "{channel}", "status": "new", '
            f'"category": {category}, "team": {team}, "assignee": null, "customer": {customer}, '
            f'"order_ref": "{order_ref}", "custom_fields": {{}}, '
            f'"submitter_organisation": {"null" if organisation == NULL else organisation}}}'
        )
        audit.append(
            f"{self.audit_id}\t{created_at}\t{actor_name}\tticket.created\tticket\t{tid}\t{tid}"
            f"\t{{}}\t{created}\t\t{actor_id}\n"
        )

    def _copy(self, table: str, lines: list[str]) -> None:
        columns = ", ".join(COLUMNS[table])
        with self.conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FREEZE)") as copy:
            copy.write("".join(lines))


# --- the load, step by step ------------------------------------------------------------------


def check_columns(conn: psycopg.Connection) -> None:
    """Every NOT NULL column without a default must be one we write (COPY applies no Django
    defaults): a new model field would otherwise fail the load halfway."""
    rows = conn.execute(
        """SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY(%s)
              AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'""",
        [list(COLUMNS)],
    ).fetchall()
    missing = sorted(f"{table}.{column}" for table, column in rows if column not in COLUMNS[table])
    if missing:
        raise SystemExit(f"bench/generate.py does not fill these NOT NULL columns: {missing}")


def model_index_sql(index: IndexDef) -> IndexDef:
    """The index as the migrations create it, when a model declares it (Meta.indexes):
    pg_get_indexdef spells the partial queue indexes' IN (...) differently, and the
    planner must see the same predicate as on a migrated database."""
    from django.apps import apps
    from django.db import connection

    for model in apps.get_models():
        if model._meta.db_table != index.table:
            continue
        for declared in model._meta.indexes:
            if declared.name == index.name:
                with connection.schema_editor(collect_sql=True) as editor:
                    statement = str(declared.create_sql(model, editor))
                return IndexDef(index.table, index.name, statement)
    return index


def generate(database: Database, tickets: int, log: Callable[[str], None] = print) -> LoadResult:
    """Drop, create, migrate and fill the database; returns what was loaded and how fast."""
    from django.core.management import call_command

    from serviceloop.tickets import numbering

    phases: dict[str, float] = {}
    started = mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 2)
        log(f"  {name}: {now - mark:.1f}s")
        mark = now

    log(f"generating {tickets:,} tickets into {database.name}")
    close_django_connections()
    if foreign_database(database):
        raise SystemExit(
            f"{database.name} has tables but no {MARKER_TABLE} table: it was not made by the "
            "benchmark, which drops and creates its database. Point DATABASE_URL at a "
            "database of its own (or drop this one yourself)."
        )
    recreate_database(database)
    with connect(database, autocommit=True) as conn:
        write_marker(conn, None)  # ours, being loaded
    call_command("migrate", interactive=False, verbosity=0)
    reference = create_reference()
    close_django_connections()
    phase("create, migrate, reference data")

    with connect(database) as conn:
        indexes_before = all_indexes(conn)
        check_columns(conn)
        dropped = [model_index_sql(index) for index in droppable_indexes(conn, COLUMNS)]
        superuser = conn.execute("SELECT current_setting('is_superuser')").fetchone()
        if superuser and superuser[0] == "on":
            conn.execute("SET LOCAL session_replication_role = replica")
        else:
            log("  (not a superuser: foreign keys are checked row by row, the load is slower)")
        drop_indexes(conn, dropped)
        # COPY FREEZE needs the table emptied in the same transaction (it is empty anyway)
        conn.execute(f"TRUNCATE {', '.join(COLUMNS)} CASCADE")
        generator = Generator(conn, reference, tickets, SEED)
        customers = generator.load_customers()
        phase(f"customers ({customers:,})")
        interactions, audit_events = generator.load_tickets(log)
        conn.commit()
        phase(
            f"tickets, interactions, audit events ({tickets + interactions + audit_events:,} rows)"
        )

    timings = rebuild_indexes(database, dropped)
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:3]
    phase(f"indexes ({len(dropped)}; slowest {', '.join(f'{n} {s:.0f}s' for n, s in slowest)})")
    with connect(database, autocommit=True) as conn:
        indexes_after = all_indexes(conn)
        if indexes_after != indexes_before:
            raise SystemExit(
                "the indexes after the load differ from the migrations' indexes: "
                f"missing {sorted(indexes_before - indexes_after)}, "
                f"unexpected {sorted(indexes_after - indexes_before)}"
            )
        for table in COLUMNS:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    orphans = {name: n for name, n in orphan_counts(database, COLUMNS).items() if n}
    if orphans:
        raise SystemExit(f"rows that break foreign keys: {orphans}")
    phase("foreign keys checked")
    for day, last in sorted(generator.day_counts.items()):
        numbering.advance_to(day, last)
    close_django_connections()
    with connect(database, autocommit=True) as conn:
        conn.execute(f"VACUUM ANALYZE {', '.join(COLUMNS)}")
        conn.execute("ANALYZE")
    phase("sequences, VACUUM ANALYZE")

    seconds = round(time.perf_counter() - started, 1)
    with connect(database) as conn:
        write_marker(conn, Dataset(tickets, GENERATOR_VERSION, seconds, datetime.now(UTC)))
    log(
        f"loaded {tickets:,} tickets, {interactions:,} interactions, {audit_events:,} audit "
        f"events, {customers:,} customers in {seconds:.1f}s "
        f"(search documents checked against the service: {generator.checked_documents})"
    )
    return LoadResult(tickets, interactions, audit_events, customers, seconds, phases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=env_int("BENCH_TICKETS", DEFAULT_TICKETS))
    args = parser.parse_args()
    database = Database(database_url())
    setup_django(database.url)
    result = generate(database, args.tickets)
    print(f"load_{args.tickets // 1000}k_s = {result.seconds}")


if __name__ == "__main__":
    main()
