"""Migrations leads 0012 and import_service 0009 drop the indexes other indexes
begin with (and PostgreSQL's LIKE copy of the phone index), and put them back
when reversed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

DROPPED = {
    "leads_lead": {"leads_lead_assigne_92225c_idx", "leads_lead_assigned_to_id_d7a91e6c"},
    "import_service_importrow": {"import_service_importrow_log_id_5fa6de14"},
}
if connection.vendor == "postgresql":
    DROPPED["leads_lead"].add("leads_lead_phone_894df808_like")
KEPT = {
    "leads_lead": {"lead_mine_newest_idx", "lead_mine_status_idx", "lead_mine_source_idx"},
    "import_service_importrow": {"import_serv_log_id_63bff2_idx"},
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def test_the_redundant_indexes_are_gone_and_come_back_when_reversed():
    for table, names in DROPPED.items():
        assert not names & indexes(table), table
        assert KEPT[table] <= indexes(table)
    try:
        migrate([("leads", "0011_lead_owner"), ("import_service", "0008_estimated_rows")])
        for table, names in DROPPED.items():
            assert names <= indexes(table), table
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    for table, names in DROPPED.items():
        assert not names & indexes(table), table
