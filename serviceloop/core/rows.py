"""Inserting one row without the ORM's per-call statement compilation.

`Model.objects.create` builds and compiles its INSERT afresh on every call; on the
two-core reference machine that is ~0.3-0.5 ms, more than the database spends on the
insert. The hot paths (ticket intake, audit records, the new ticket's SLA clock, the task
queue) insert through `insert_row` / `insert_new` / `insert_ignoring`, which keep one
statement per (model, columns) and prepare each value with the field's own
`get_db_prep_save` — the model stays the single description of the table.
"""

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_save, pre_save


@cache
def _statement(
    model: type[models.Model], names: tuple[str, ...], vendor: str, conflict: bool = False
) -> tuple[str, tuple[Any, ...]]:
    fields = tuple(model._meta.get_field(name) for name in names)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(getattr(field, "column", ""))) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    if conflict:
        return f"{sql} ON CONFLICT DO NOTHING", fields
    primary_key = model._meta.pk
    assert primary_key is not None
    assert primary_key.column is not None
    return f"{sql} RETURNING {quote(primary_key.column)}", fields


def _params(
    db: BaseDatabaseWrapper, fields: tuple[Any, ...], values: Mapping[str, Any]
) -> list[Any]:
    # `db` rather than the `connection` proxy, which looks the connection up again (a
    # context-local read) on every attribute the fields' preparation asks for
    return [
        field.get_db_prep_save(value, db)
        for field, value in zip(fields, values.values(), strict=True)
    ]


def insert_row(model: type[models.Model], values: Mapping[str, Any]) -> Any:
    """Insert one row of `model` from {field name or attname: value}; returns its primary key
    (as the database gives it: an int for the usual auto id).

    Defaults are not applied: give every column that has no database default.
    """
    db = connections[DEFAULT_DB_ALIAS]
    sql, fields = _statement(model, tuple(values), db.vendor)
    with db.cursor() as cursor:
        cursor.execute(sql, _params(db, fields, values))
        row = cursor.fetchone()
    return row[0]


def insert_ignoring(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """Insert one row as `insert_row` does, unless it conflicts with a unique constraint
    (`INSERT ... ON CONFLICT DO NOTHING`, as `bulk_create(ignore_conflicts=True)`)."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, fields = _statement(model, tuple(values), db.vendor, conflict=True)
    with db.cursor() as cursor:
        cursor.execute(sql, _params(db, fields, values))


def insert_new(instance: models.Model) -> None:
    """`instance.save(force_insert=True)` for a model without parents or database defaults:
    the pre_save and post_save signals, each field's `pre_save` (auto_now_add...), one INSERT
    of every concrete column (the auto id left to the database when it is unset), and the
    instance marked as saved."""
    model = type(instance)
    meta = model._meta
    alias = connection.alias
    pre_save.send(sender=model, instance=instance, raw=False, using=alias, update_fields=None)
    fields = [
        field
        for field in meta.local_concrete_fields
        if not (field is meta.auto_field and instance.pk is None)
    ]
    values = {field.attname: field.pre_save(instance, True) for field in fields}
    if any(hasattr(value, "resolve_expression") for value in values.values()):
        raise TypeError(f"insert_new() takes plain values; {meta.label} has an expression")
    pk = insert_row(model, values)
    if instance.pk is None:
        instance.pk = pk
    instance._state.adding = False
    instance._state.db = alias
    post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=alias
    )


@cache
def _reader(
    model: type[models.Model], alias: str, vendor: str
) -> tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """The select list of `model`'s concrete columns under a table alias, their attnames, and
    the converters the ORM would apply to each (time zones on SQLite, JSON, booleans...)."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(f"{alias}.{quote(str(field.column))}" for field in fields)
    converters = tuple(
        tuple(
            (convert, column)
            for column in (field.get_col(alias),)
            for convert in connection.ops.get_db_converters(column)
            + field.get_db_converters(connection)
        )
        for field in fields
    )
    return columns, tuple(field.attname for field in fields), converters


def columns_of(model: type[models.Model], alias: str) -> str:
    """`alias.col1, alias.col2, ...`: the select list `fetch_one` expects first."""
    return _reader(model, alias, connection.vendor)[0]


def placeholders(count: int) -> str:
    """`%s, %s, ...` for an IN list of `count` values."""
    return ", ".join(["%s"] * count)


Joined = tuple[tuple[str, type[models.Model], str], ...]


def fetch_one[M: models.Model](
    model: type[M],
    sql: str,
    params: list[Any],
    *,
    alias: str,
    joined: Joined = (),
    extra: tuple[str, ...] = (),
) -> M | None:
    """Run a hand-written SELECT whose select list starts with `columns_of(model, alias)`,
    goes on with the `columns_of` each `joined` (attribute, model, alias) in that order, and
    ends with the columns named `extra`; the first row as a model instance, or None.

    Each joined row becomes the attribute's cached related object (None when a LEFT JOIN
    found nothing), as `select_related` would do; extra values become plain attributes.
    `Model.objects.raw` and the ORM's compiler redo this mapping on every call; the reads on
    every request's path (token, customer match, the ticket page) go through here instead.
    """
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _instance(db, model, alias, row, joined, extra)


def fetch_all[M: models.Model](
    model: type[M],
    sql: str,
    params: list[Any],
    *,
    alias: str,
    joined: Joined = (),
    extra: tuple[str, ...] = (),
) -> list[M]:
    """As `fetch_one`, every row."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [_instance(db, model, alias, row, joined, extra) for row in found]


def _instance[M: models.Model](
    db: BaseDatabaseWrapper,
    model: type[M],
    alias: str,
    row: tuple[Any, ...],
    joined: Joined,
    extra: tuple[str, ...],
) -> M:
    instance, start = _one(db, model, alias, row, 0)
    for attribute, related_model, related_alias in joined:
        related, start = _one(db, related_model, related_alias, row, start)
        setattr(instance, attribute, None if related.pk is None else related)
    for name, value in zip(extra, row[start:], strict=True):
        setattr(instance, name, value)
    return instance


def _one[M: models.Model](
    db: BaseDatabaseWrapper, model: type[M], alias: str, row: tuple[Any, ...], start: int
) -> tuple[M, int]:
    """The instance of `model` in the row's columns from `start`, and where its columns end."""
    _columns, attnames, converters = _reader(model, alias, db.vendor)
    end = start + len(attnames)
    values = list(row[start:end])
    for index, field_converters in enumerate(converters):
        for convert, column in field_converters:
            values[index] = convert(values[index], column, db)
    return model.from_db(db.alias, attnames, values), end
