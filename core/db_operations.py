"""Migration operations for indexes on tables that are already large.

On PostgreSQL both build the index CONCURRENTLY, so a deploy does not lock the
leads table for writes while a million rows are indexed; a migration using them
sets ``atomic = False`` (CONCURRENTLY cannot run in a transaction). On SQLite
they do what a plain migration would.
"""

from __future__ import annotations

from django.db import migrations


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    """AddIndex, built CONCURRENTLY on PostgreSQL (django.contrib.postgres's
    AddIndexConcurrently refuses every other database)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class TrigramIndexOnPostgres(migrations.RunPython):
    """A pg_trgm GIN index on ``expression`` of ``table``, on PostgreSQL only.

    Not part of the model state: SQLite has no GIN indexes, and the expression
    must be exactly the one the search runs (leads.search), e.g.
    ``"search_text"::text`` for ``search_text__contains``.
    Needs the pg_trgm extension (TrigramExtension earlier in the migration).
    """

    def __init__(self, *, name: str, table: str, expression: str):
        self.index_name, self.table, self.expression = name, table, expression
        super().__init__(self._create, self._drop, elidable=False)

    def _create(self, apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{self.index_name}" '
                f'ON "{self.table}" USING gin (({self.expression}) gin_trgm_ops)'
            )

    def _drop(self, apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{self.index_name}"')

    def describe(self):
        return f"Trigram index {self.index_name} on {self.table} ({self.expression}), PostgreSQL only"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"name": self.index_name, "table": self.table, "expression": self.expression},
        )


class CopyLeadOwner(migrations.RunPython):
    """Fill ``lead_owner`` (leads.models.lead_owner_field) of a table of rows
    about a lead from the lead's ``assigned_to``, ``batch`` ids at a time.

    In a migration with ``atomic = False`` each batch commits by itself, so a
    table of millions of rows is not locked in one long transaction, and a
    deploy interrupted halfway resumes where it stopped (rows already right
    are written again, harmlessly). Rows written meanwhile by the new code
    carry their owner already.
    """

    def __init__(self, *, app_label: str, model_name: str, batch: int = 50_000):
        self.app_label, self.model_name, self.batch = app_label, model_name, batch
        super().__init__(self._fill, migrations.RunPython.noop, elidable=False)

    def _fill(self, apps, schema_editor):
        model = apps.get_model(self.app_label, self.model_name)
        quote = schema_editor.connection.ops.quote_name
        table = quote(model._meta.db_table)
        leads = quote(apps.get_model("leads", "Lead")._meta.db_table)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
            low, high = cursor.fetchone()
            if low is None:
                return
            for start in range(low, high + 1, self.batch):
                cursor.execute(
                    f"UPDATE {table} SET lead_owner_id = "
                    f"(SELECT {leads}.assigned_to_id FROM {leads} WHERE {leads}.id = {table}.lead_id) "
                    f"WHERE {table}.id >= %s AND {table}.id < %s AND {table}.lead_id IS NOT NULL",
                    [start, start + self.batch],
                )
            if schema_editor.connection.vendor == "postgresql":
                # The planner's estimates of a salesperson's lists (core.admin_lists)
                # need the new column's statistics now, not at autovacuum's next pass.
                cursor.execute(f"ANALYZE {table}")

    def describe(self):
        return f"Copy each {self.model_name}'s lead's salesperson into lead_owner, in batches"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"app_label": self.app_label, "model_name": self.model_name, "batch": self.batch},
        )


class DropIndexByName(migrations.RunPython):
    """Drop the index ``name`` (CONCURRENTLY on PostgreSQL, so a deploy does not
    queue reads and writes of a large table behind it; the migration sets
    ``atomic = False``); ``create`` is the ``CREATE INDEX`` that puts it back,
    for reversing (CONCURRENTLY added on PostgreSQL).

    For an index the model state no longer has, or never had (the
    ``varchar_pattern_ops`` copy PostgreSQL gets for an indexed text column),
    where Django's own operation would do more than drop it: an AlterField of a
    foreign key's ``db_index`` drops and re-adds the constraint on PostgreSQL
    (checking every row under a lock) and copies the table on SQLite.
    """

    def __init__(self, *, name: str, create: str, postgres_only: bool = False):
        self.index_name, self.create, self.postgres_only = name, create, postgres_only
        super().__init__(self._drop, self._create, elidable=False)

    def _applies(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql" or not self.postgres_only

    def _drop(self, apps, schema_editor):
        if self._applies(schema_editor):
            concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
            schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{self.index_name}"')

    def _create(self, apps, schema_editor):
        if self._applies(schema_editor):
            sql = self.create
            if schema_editor.connection.vendor == "postgresql":
                sql = sql.replace("CREATE INDEX ", "CREATE INDEX CONCURRENTLY ", 1)
            schema_editor.execute(sql)

    def describe(self):
        return f"Drop index {self.index_name}" + (", PostgreSQL only" if self.postgres_only else "")

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"name": self.index_name, "create": self.create, "postgres_only": self.postgres_only},
        )
