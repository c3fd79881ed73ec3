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
