"""leads.bulk: thousands of inquiries at once with the same rules as one
(leads.services.lead_register_inquiry / lead_save_new)."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from leads import bulk, hooks
from leads.bulk import BulkEntry, leads_bulk_register
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus, LeadStatusChange
from leads.services import inquiry_row, lead_register_inquiry
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 11, 19, 5, 15, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
DETAILS = {"full_name": "Anna Ivanova", "course_interest": "IELTS", "utm_source": "instagram"}


def register(entries, *, source=LeadSource.CSV, seen=None, **kwargs):
    with transaction.atomic():
        return leads_bulk_register(entries=entries, source=source, seen={} if seen is None else seen, now=NOW, **kwargs)


def lead_values(lead):
    values = Lead.objects.filter(pk=lead.pk).values().get()
    for name in ("id", "phone", "phone_raw", "updated_at"):
        values.pop(name)
    return values


def test_a_lead_registered_in_bulk_looks_like_one_registered_alone(manager):
    alone = lead_register_inquiry(phone="+998901110001", source=LeadSource.CSV, at=AT, by=manager, **DETAILS).lead
    [outcome] = register([BulkEntry(key=1, phone="+998901110002", at=AT, details=DETAILS, timed=True)], by=manager)
    bulk = Lead.objects.get(pk=outcome.lead_id)

    assert outcome.created
    assert lead_values(bulk) == lead_values(alone)
    assert (bulk.status, bulk.status_changed_at, bulk.last_inquiry_at) == (LeadStatus.NEW, AT, AT)
    history = ("from_status", "to_status", "changed_by", "changed_at", "note")
    assert list(bulk.status_changes.values_list(*history)) == list(alone.status_changes.values_list(*history))
    inquiry = ("source", "received_at", "is_repeat", "note", "fingerprint")
    assert list(bulk.inquiries.values_list(*inquiry)) == list(alone.inquiries.values_list(*inquiry))


def test_an_imported_inquiry_keeps_its_note_and_fingerprint_apart():
    entry = BulkEntry(key=1, phone="+998901110003", at=AT, fingerprint="0123456789abcdef", note="list.csv row 2")
    [outcome] = register([entry])
    assert list(LeadInquiry.objects.filter(lead_id=outcome.lead_id).values_list("note", "fingerprint")) == [
        ("list.csv row 2", "0123456789abcdef")
    ]


def test_a_recorded_fingerprint_makes_a_duplicate_without_a_second_inquiry():
    first = BulkEntry(key=1, phone="+998901110004", at=NOW, fingerprint="00000000000000aa", note="a.csv row 2")
    register([first])
    again = BulkEntry(key=1, phone="+998901110004", at=NOW, fingerprint="00000000000000aa", note="a.csv row 2")
    other = BulkEntry(key=2, phone="+998901110004", at=NOW, fingerprint="00000000000000bb", note="b.csv row 2")
    outcomes = register([again, other])
    assert [o.created for o in outcomes] == [False, False]
    lead = Lead.objects.get(phone="+998901110004")
    assert lead.inquiry_count == 2
    assert sorted(lead.inquiries.values_list("fingerprint", flat=True)) == ["00000000000000aa", "00000000000000bb"]


def test_a_repeat_fills_blanks_and_never_overwrites():
    existing = LeadFactory(phone="+998901110005", full_name="Bobur", email="", course_interest="")
    details = {"full_name": "Someone else", "email": "bobur@example.uz", "course_interest": "SAT"}
    [outcome] = register([BulkEntry(key=1, phone=existing.phone, at=AT, details=details, timed=True)])
    existing.refresh_from_db()
    assert not outcome.created and outcome.lead_id == existing.pk
    assert (existing.full_name, existing.email, existing.course_interest) == ("Bobur", "bobur@example.uz", "SAT")
    assert existing.inquiry_count == 2
    assert existing.inquiries.filter(is_repeat=True, source=LeadSource.CSV, received_at=AT).count() == 1


def test_a_repeat_reopens_a_lost_lead_through_the_status_service(manager):
    from leads.services import lead_mark_lost

    lost = LeadFactory(phone="+998901110006")
    lead_mark_lost(lead=lost, reason="No answer", by=manager)
    register([BulkEntry(key=1, phone=lost.phone, at=AT, timed=True)])
    lost.refresh_from_db()
    assert lost.status == LeadStatus.NEW
    assert LeadStatusChange.objects.filter(lead=lost).order_by("pk").last().note == (
        "Reopened by a repeat inquiry (csv import)"
    )


def test_each_assigned_new_lead_is_announced_once_as_lead_assign_does(monkeypatch, salesperson, manager):
    announced = []
    monkeypatch.setitem(hooks._subscribers, hooks.LeadAssigned, [announced.append])
    entries = [BulkEntry(key=n, phone=f"+99890111{n:04d}", at=AT) for n in range(3)]
    entries += [BulkEntry(key=9, phone="+998901110000", at=AT), BulkEntry(key=10, phone="+998901110001", at=AT)]
    register(entries, assign=lambda: salesperson, by=manager)  # two of the five rows repeat a phone
    assert sorted(e.lead.phone for e in announced) == ["+998901110000", "+998901110001", "+998901110002"]
    assert {(e.salesperson, e.by, e.at) for e in announced} == {(salesperson, manager, NOW)}


def test_a_dry_run_writes_nothing_and_reports_the_same_outcomes():
    LeadFactory(phone="+998901110007")
    entries = [
        BulkEntry(key=1, phone="+998901110007", at=AT),
        BulkEntry(key=2, phone="+998901110008", at=AT),
        BulkEntry(key=3, phone="+998901110008", at=AT),
    ]
    before = (Lead.objects.count(), LeadInquiry.objects.count(), LeadStatusChange.objects.count())
    dry = register(entries, dry_run=True)
    assert (Lead.objects.count(), LeadInquiry.objects.count(), LeadStatusChange.objects.count()) == before
    real = register(entries)
    assert [(o.created, o.earlier_in_run) for o in dry] == [(o.created, o.earlier_in_run) for o in real]
    assert [o.created for o in real] == [False, True, False]


# --- the values insert_rows hands to the driver -------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores datetimes as text")
@settings(max_examples=1000, deadline=None)
@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_a_datetime_is_stored_as_djangos_own_adapter_stores_it(moment):
    assert bulk._sqlite_datetime()(moment) == connection.ops.adapt_datetimefield_value(moment)


def test_values_shared_by_several_inserts_are_adapted_as_when_each_is_alone():
    columns = [LeadInquiry._meta.get_field(name) for name in ("lead_id", "received_at", "note")]
    rows = [(1, AT, "a"), (2, NOW, "b"), (3, AT, "c"), (4, None, "d")]
    memo: dict = {}
    first = bulk._adapted(columns, rows, memo)
    again = bulk._adapted(columns, [(5, NOW, "e"), (6, AT, "f")], memo)
    assert list(map(tuple, first)) == list(map(tuple, bulk._adapted(columns, rows)))
    assert [tuple(r) for r in again] == [tuple(r) for r in bulk._adapted(columns, [(5, NOW, "e"), (6, AT, "f")])]


@pytest.mark.parametrize("count", [1, 7, 250, 251, 1234])
def test_rows_inserted_many_to_a_statement_land_each_once_in_order(monkeypatch, count):
    """Statements of MAX_ROWS_PER_INSERT rows, then of the powers of two the rest
    is made of; where the parameter limit allows fewer rows, the limit decides."""
    monkeypatch.setattr(bulk, "MAX_ROWS_PER_INSERT", 250)
    lead = LeadFactory()
    rows = [
        inquiry_row(lead_id=lead.pk, source=LeadSource.CSV, at=AT, is_repeat=i % 2 == 0, note=f"row {i} 100%")
        for i in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_rows(LeadInquiry, rows)
    stored = list(
        LeadInquiry.objects.filter(lead=lead, received_at=AT)
        .order_by("pk")
        .values_list("note", "is_repeat", "received_at")
    )
    assert stored == [(r["note"], r["is_repeat"], AT) for r in rows]
    if connection.vendor == "sqlite":  # the full statements are one executemany, the rest 128, 64, … rows each
        assert len(queries) == (count >= 250) + bin(count % 250).count("1")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="COPY has no parameters")
def test_a_statement_never_has_more_parameters_than_sqlite_allows(monkeypatch):
    monkeypatch.setattr(bulk, "_max_query_params", lambda: 15)  # 2 rows of 7 columns
    lead = LeadFactory()
    rows = [inquiry_row(lead_id=lead.pk, source=LeadSource.CSV, at=AT, is_repeat=False, note=str(i)) for i in range(5)]
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(max(len(p) for p in params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        bulk.insert_rows(LeadInquiry, rows)
    assert statements == [14, 7]  # statements of two rows (14 parameters each), then the last row alone
    assert sorted(LeadInquiry.objects.filter(lead=lead, received_at=AT).values_list("note", flat=True)) == list("01234")


def test_leads_registered_in_bulk_take_their_ids_as_any_other_lead_would():
    """On PostgreSQL the ids come from the table's sequence before COPY: a lead
    created afterwards the usual way gets the next one, no collision."""
    outcomes = register([BulkEntry(key=i, phone=f"+99890111{i:04d}", at=AT) for i in range(3)])
    ids = [o.lead_id for o in outcomes]
    assert sorted(Lead.objects.values_list("pk", flat=True)) == sorted(ids)
    assert dict(Lead.objects.values_list("pk", "phone")) == {o.lead_id: f"+99890111{o.key:04d}" for o in outcomes}
    later = LeadFactory()
    assert later.pk > max(ids)
