"""PostgreSQL chores of the benchmark: (re)creating the database, the loaded-data marker,
dropping and rebuilding secondary indexes around a bulk load."""

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from .config import Database

MARKER_TABLE = "bench_dataset"


def connect(database: Database, *, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(database.conninfo, autocommit=autocommit)


def recreate_database(database: Database) -> None:
    """Drop the benchmark database (closing its sessions) and create it empty."""
    with psycopg.connect(_conninfo(database.maintenance_url), autocommit=True) as conn:
        name = sql.Identifier(database.name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def database_exists(database: Database) -> bool:
    with psycopg.connect(_conninfo(database.maintenance_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database.name]
        ).fetchone()
    return row is not None


def _conninfo(url: str) -> str:
    return Database(url).conninfo


def server_version(database: Database) -> str:
    with connect(database, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


# --- the marker: which data set is loaded ---------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    tickets: int
    generator_version: int
    load_seconds: float
    loaded_at: datetime


def read_marker(database: Database) -> Dataset | None:
    """The data set the generator finished loading, or None (missing or half-loaded)."""
    if not database_exists(database):
        return None
    with connect(database, autocommit=True) as conn:
        if not _has_marker_table(conn):
            return None
        row = conn.execute(
            f"SELECT tickets, generator_version, load_seconds, loaded_at FROM {MARKER_TABLE}"
            " WHERE load_seconds >= 0"
        ).fetchone()
    return Dataset(*row) if row else None


def foreign_database(database: Database) -> bool:
    """True when the database exists, has tables and was not made by the generator: the
    benchmark will not drop it (DATABASE_URL may name someone's working database)."""
    if not database_exists(database):
        return False
    with connect(database, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
        return bool(tables and tables[0]) and not _has_marker_table(conn)


def _has_marker_table(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()
    return bool(row and row[0] is not None)


def write_marker(conn: psycopg.Connection, dataset: Dataset | None) -> None:
    """Mark the database as the generator's; `dataset` None means "being loaded"."""
    conn.execute(
        f"""CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (
                tickets integer NOT NULL, generator_version integer NOT NULL,
                load_seconds double precision NOT NULL, loaded_at timestamptz NOT NULL)"""
    )
    conn.execute(f"DELETE FROM {MARKER_TABLE}")
    if dataset is None:
        dataset = Dataset(0, 0, -1.0, datetime.now(UTC))
    conn.execute(
        f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s)",
        [dataset.tickets, dataset.generator_version, dataset.load_seconds, dataset.loaded_at],
    )


# --- secondary indexes ----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class IndexDef:
    table: str
    name: str
    definition: str


def all_indexes(conn: psycopg.Connection) -> set[IndexDef]:
    """Every index of the schema, as pg_indexes spells it."""
    rows = conn.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    ).fetchall()
    return {IndexDef(*row) for row in rows}


def droppable_indexes(conn: psycopg.Connection, tables: Iterable[str]) -> list[IndexDef]:
    """Indexes of `tables` that back no constraint (primary keys and unique constraints stay)."""
    rows = conn.execute(
        """SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
            ORDER BY t.relname, i.relname""",
        [list(tables)],
    ).fetchall()
    return [IndexDef(*row) for row in rows]


def drop_indexes(conn: psycopg.Connection, indexes: Iterable[IndexDef]) -> None:
    for index in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index.name)))


def rebuild_indexes(
    database: Database, indexes: list[IndexDef], *, parallel: int = 2
) -> dict[str, float]:
    """CREATE every index again (largest first, `parallel` sessions); seconds each.

    The GIN index of the search documents takes longest and gains most from memory
    (1M tickets: ~50 s with 512 MB, ~33 s with 1.5 GB)."""
    order = sorted(indexes, key=lambda index: _build_cost(index), reverse=True)

    def build(index: IndexDef) -> tuple[str, float]:
        started = time.perf_counter()
        memory = "1GB" if " USING gin " in index.definition else "256MB"
        with connect(database, autocommit=True) as conn:
            conn.execute(sql.SQL("SET maintenance_work_mem = {}").format(sql.Literal(memory)))
            conn.execute(index.definition)  # from pg_get_indexdef: our own catalogue
        return index.name, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return dict(pool.map(build, order))


def _build_cost(index: IndexDef) -> int:
    """Rough order of build time: GIN first, then the biggest tables."""
    weight = {"audit_auditevent": 4, "tickets_interaction": 3, "tickets_ticket": 2}
    return (10 if " USING gin " in index.definition else 0) + weight.get(index.table, 0)


# --- foreign keys ---------------------------------------------------------------------------


def orphan_counts(
    database: Database, tables: Iterable[str], *, parallel: int = 2
) -> dict[str, int]:
    """For every foreign key of `tables`, the rows pointing at nothing: what VALIDATE
    CONSTRAINT would check, for a load that ran with the foreign-key triggers off."""
    with connect(database, autocommit=True) as conn:
        keys = conn.execute(
            """SELECT c.conname, c.conrelid::regclass::text, a.attname,
                      c.confrelid::regclass::text, af.attname
                 FROM pg_constraint c
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                 JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
                WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
                  AND c.conrelid::regclass::text = ANY(%s)""",
            [list(tables)],
        ).fetchall()

    def count(key: tuple[str, str, str, str, str]) -> tuple[str, int]:
        name, table, column, target, target_column = key
        query = sql.SQL(
            "SELECT count(*) FROM {t} c WHERE c.{col} IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM {p} p WHERE p.{pcol} = c.{col})"
        ).format(
            t=sql.Identifier(table),
            col=sql.Identifier(column),
            p=sql.Identifier(target),
            pcol=sql.Identifier(target_column),
        )
        with connect(database, autocommit=True) as conn:
            row = conn.execute(query).fetchone()
        return name, int(row[0]) if row else 0

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return dict(pool.map(count, keys))
