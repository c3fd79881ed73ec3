"""Full-text search over tickets in Chinese and English.

A ticket keeps a `search_document`: its words, and its Chinese/Japanese/Korean text as
overlapping character pairs (物流延迟 -> 物流 流延 延迟), which finds Chinese words without a
segmentation dictionary (see docs/decisions/0003-search-with-cjk-bigrams.md). PostgreSQL
indexes the tokens with a GIN index (migration 0002); SQLite with an FTS5 table kept in step
by triggers (`ensure_sqlite_index`, run after every migrate).
"""

import re
import unicodedata
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ebef"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[^\W_]+")
_MAX_TOKEN = 60


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(piece, is_cjk) in order of appearance, after NFKC and case folding."""
    text = unicodedata.normalize("NFKC", text).casefold()
    spaced = _CJK_RUN.sub(lambda match: f" {match.group()} ", text)
    return [(word, bool(_CJK_RUN.fullmatch(word))) for word in _WORD.findall(spaced)]


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def document(*texts: str) -> str:
    """The tokens of `texts`, each once, space-separated."""
    seen: dict[str, None] = {}
    for text in texts:
        for piece, is_cjk in _pieces(text):
            for token in _bigrams(piece) if is_cjk else [piece[:_MAX_TOKEN]]:
                seen.setdefault(token, None)
    return " ".join(seen)


def query_terms(text: str) -> list[tuple[str, bool]]:
    """(token, is_prefix) pairs that must all match: words match as prefixes."""
    terms: dict[tuple[str, bool], None] = {}
    for piece, is_cjk in _pieces(text[:200]):
        if is_cjk:
            for token in _bigrams(piece):
                terms.setdefault((token, len(piece) == 1), None)
        else:
            terms.setdefault((piece[:_MAX_TOKEN], True), None)
    return list(terms)[:12]


def matching(tickets: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Narrow `tickets` to those whose document holds every term of `text`."""
    terms = query_terms(text)
    if not terms:
        return tickets
    # The SQL is ours (table names from the model); the user's words are bound parameters,
    # and tokens hold only letters and digits.
    table = tickets.model._meta.db_table
    if connection.vendor == "postgresql":
        query = " & ".join(f"'{token}'{':*' if prefix else ''}" for token, prefix in terms)
        # the same expression as the GIN index of migration 0002, or the index is not used
        vector = (
            f"array_to_tsvector(array_remove(string_to_array({table}.search_document, ' '), ''))"
        )
        return tickets.filter(
            RawSQL(f"{vector} @@ %s::tsquery", [query], output_field=BooleanField())  # noqa: S611
        )
    match = " ".join(f'"{token}"{"*" if prefix else ""}' for token, prefix in terms)
    fts = f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s"  # noqa: S608
    return tickets.filter(id__in=RawSQL(fts, [match]))  # noqa: S611


SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS tickets_ticket_fts
       USING fts5(search_document, content='tickets_ticket', content_rowid='id')""",
    """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_insert AFTER INSERT ON tickets_ticket
       BEGIN
           INSERT INTO tickets_ticket_fts(rowid, search_document)
               VALUES (new.id, new.search_document);
       END""",
    """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_delete AFTER DELETE ON tickets_ticket
       BEGIN
           INSERT INTO tickets_ticket_fts(tickets_ticket_fts, rowid, search_document)
               VALUES ('delete', old.id, old.search_document);
       END""",
    """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_update
       AFTER UPDATE OF search_document ON tickets_ticket
       BEGIN
           INSERT INTO tickets_ticket_fts(tickets_ticket_fts, rowid, search_document)
               VALUES ('delete', old.id, old.search_document);
           INSERT INTO tickets_ticket_fts(rowid, search_document)
               VALUES (new.id, new.search_document);
       END""",
]


def ensure_sqlite_index(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Create the FTS5 table and its triggers if missing (post_migrate).

    Idempotent; it also restores the triggers after a migration has rebuilt the tickets
    table, which SQLite does for many column changes and which drops triggers.
    """
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'tickets_ticket_fts'")
        existed = cursor.fetchone() is not None
        for statement in SQLITE_INDEX:
            cursor.execute(statement)
        if not existed:
            cursor.execute("INSERT INTO tickets_ticket_fts(tickets_ticket_fts) VALUES ('rebuild')")
