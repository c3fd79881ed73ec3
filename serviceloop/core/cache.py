"""The cache in the database, for installations without Redis, with increments that count
every request: the rate limits (django-ratelimit: `add` the first request of a window, then
`incr` each one after) hold under a burst, across all the server's processes.

Django's DatabaseCache increments by reading the value and writing it back, so two requests
at once read the same count and both pass: 14 of 40 simultaneous sign-ins got past a limit
of 10. Here the read and the write are one transaction that holds the row: SELECT ... FOR
UPDATE on PostgreSQL; on SQLite, whose transactions here begin IMMEDIATE, the transaction
alone lets one writer in at a time. The entry keeps its expiry (Django's resets it).

(A cache in the process's memory, locmem, would count per process: a limit of 10 would let
10 through each of the server's workers. Redis, the other configured cache, increments
atomically by itself.)
"""

import base64
import pickle
from datetime import datetime
from typing import Any

from django.core.cache.backends import db
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.timezone import now


class DatabaseCache(db.DatabaseCache):
    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        using = router.db_for_write(self.cache_model_class)
        connection = connections[using]
        quote = connection.ops.quote_name
        table = quote(self.cache_model_class._meta.db_table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} "  # noqa: S608
                f"WHERE {quote('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expires(connection, row[1]) < now():
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            # the cache's own rows, written by this server (as Django's DatabaseCache reads them)
            value = pickle.loads(base64.b64decode(stored.encode(), validate=True))  # noqa: S301
            value += delta
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"), key],
            )
        return int(value)

    @staticmethod
    def _expires(connection: BaseDatabaseWrapper, value: Any) -> datetime:
        """The row's expiry as a datetime, the way Django's DatabaseCache reads it."""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression)
        for converter in converters + expression.get_db_converters(connection):
            value = converter(value, expression, connection)
        assert isinstance(value, datetime)
        return value
