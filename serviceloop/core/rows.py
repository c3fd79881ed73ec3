"""Inserting one row without the ORM's per-call statement compilation.

`Model.objects.create` builds and compiles its INSERT afresh on every call; on the
two-core reference machine that is ~0.3-0.5 ms, more than the database spends on the
insert. The hot paths (ticket intake, audit records) insert through `insert_row`, which
keeps one statement per (model, columns) and prepares each value with the field's own
`get_db_prep_save` — the model stays the single description of the table.
"""

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.db import connection, models


@cache
def _statement(
    model: type[models.Model], names: tuple[str, ...], vendor: str
) -> tuple[str, tuple[Any, ...]]:
    fields = tuple(model._meta.get_field(name) for name in names)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(getattr(field, "column", ""))) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    primary_key = model._meta.pk
    assert primary_key is not None
    assert primary_key.column is not None
    pk = quote(primary_key.column)
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING {pk}"  # noqa: S608
    return sql, fields


def insert_row(model: type[models.Model], values: Mapping[str, Any]) -> int:
    """Insert one row of `model` from {field name or attname: value}; returns its primary key.

    Defaults are not applied: give every column that has no database default.
    """
    sql, fields = _statement(model, tuple(values), connection.vendor)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0])


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


def fetch_one[M: models.Model](
    model: type[M], sql: str, params: list[Any], *, alias: str, extra: tuple[str, ...] = ()
) -> M | None:
    """Run a hand-written SELECT whose select list starts with `columns_of(model, alias)` and
    goes on with the columns named `extra`; the first row as a model instance (with the extra
    values as attributes), or None.

    `Model.objects.raw` maps columns to fields anew on every call; the hot paths (token
    authentication, customer matching) read their one row through here instead.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _instance(model, alias, row, extra)


def fetch_all[M: models.Model](
    model: type[M],
    sql: str,
    params: list[Any],
    *,
    alias: str,
    joined: tuple[tuple[str, type[models.Model], str], ...] = (),
) -> list[M]:
    """As `fetch_one`, every row. `joined` names (attribute, model, alias) of LEFT JOINed
    rows whose `columns_of` follow the model's own columns, in that order: each becomes the
    attribute's cached related object (None when the join found nothing), as
    `select_related` would do."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    instances = []
    for row in found:
        instance = _instance(model, alias, row, ())
        start = len(_reader(model, alias, connection.vendor)[1])
        for attribute, related_model, related_alias in joined:
            width = len(_reader(related_model, related_alias, connection.vendor)[1])
            part = row[start : start + width]
            related = None if part[0] is None else _instance(related_model, related_alias, part, ())
            setattr(instance, attribute, related)
            start += width
        instances.append(instance)
    return instances


def _instance[M: models.Model](
    model: type[M], alias: str, row: tuple[Any, ...], extra: tuple[str, ...]
) -> M:
    _columns, attnames, converters = _reader(model, alias, connection.vendor)
    values = list(row[: len(attnames)])
    for index, field_converters in enumerate(converters):
        for convert, column in field_converters:
            values[index] = convert(values[index], column, connection)
    instance = model.from_db(connection.alias, attnames, values)
    for name, value in zip(extra, row[len(attnames) :], strict=bool(extra)):
        setattr(instance, name, value)
    return instance
