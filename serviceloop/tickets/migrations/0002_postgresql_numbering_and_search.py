"""PostgreSQL only: the per-day number sequences and the full-text index.

SQLite counts numbers in TicketNumberCounter and searches with an FTS5 table that
tickets.search.ensure_sqlite_index keeps (post_migrate).
"""

from django.db import migrations

NEXT_NUMBER = """
CREATE OR REPLACE FUNCTION serviceloop_next_ticket_number(day date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    sequence_name text := 'ticket_number_' || to_char(day, 'YYYYMMDD');
BEGIN
    RETURN nextval(sequence_name::regclass);
EXCEPTION WHEN undefined_table THEN
    -- First ticket of the day. Another session may be creating the same sequence;
    -- CREATE ... IF NOT EXISTS then waits for it and the unique violation is harmless.
    BEGIN
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', sequence_name);
    EXCEPTION WHEN unique_violation THEN
        RAISE NOTICE 'sequence % created concurrently', sequence_name;
    END;
    RETURN nextval(sequence_name::regclass);
END
$$;
"""

SEARCH_INDEX = """
CREATE INDEX ticket_search ON tickets_ticket
    USING gin (array_to_tsvector(array_remove(string_to_array(search_document, ' '), '')));
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NEXT_NUMBER, params=None)
        schema_editor.execute(SEARCH_INDEX, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_search")
        schema_editor.execute("DROP FUNCTION IF EXISTS serviceloop_next_ticket_number(date)")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
