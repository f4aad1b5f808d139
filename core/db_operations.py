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
