"""The import run itself (import_service.services.runs): set-based writes, failure without partial writes, progress."""

import gc
import io
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from import_service import readers
from import_service.models import ImportLog, ImportStatus
from import_service.services import inputs, runs
from leads.models import Lead, LeadInquiry, LeadStatusChange
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def write_csv(path, rows, header="Name,Phone,Course"):
    path.write_text(header + "\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def people(count, start=0, prefix="90"):
    return [f"Person {i},+998 {prefix} {7000000 + i:07d},IELTS" for i in range(start, start + count)]


def run_file(path, **kwargs):
    table, mapping = inputs.import_open_file(path=path)
    log = runs.import_log_start(table=table, mapping=mapping, source=None, **kwargs)
    return runs.import_execute(log=log, table=table, mapping=mapping).log


def statement(query) -> str:
    """The SQL of a captured query; Django logs an executemany as "3 times: INSERT …"."""
    sql = query["sql"].lstrip()
    return sql.split(": ", 1)[1] if re.match(r"\d+ times: ", sql) else sql


def insert_statements(queries) -> int:
    return sum(1 for q in queries if statement(q).upper().startswith(("INSERT", "UPDATE")))


def inserts_per_table(queries) -> Counter:
    return Counter(statement(q).split()[2] for q in queries if statement(q).upper().startswith("INSERT"))


def test_no_per_row_queries(tmp_path):
    """A chunk costs the same queries whatever its number of rows: new leads,
    their history and the row log are a few INSERT statements (or one COPY)
    each, the new leads' ids one read-back. Repeats of known leads add UPDATE
    batches."""
    small = write_csv(tmp_path / "small.csv", [*people(20), "Bad,123,IELTS", *people(5)])  # 5 in-file repeats
    rows = (
        people(400, start=1000) + ["Bad,123,IELTS"] * 30 + [p.replace("IELTS", "SAT") for p in people(100, start=1000)]
    )
    big = write_csv(tmp_path / "big.csv", rows)
    with CaptureQueriesContext(connection) as few:
        run_file(small)
    with CaptureQueriesContext(connection) as many:
        run_file(big)
    assert Lead.objects.count() == 420
    assert len(many) - insert_statements(many) == len(few) - insert_statements(few)
    # Where there is no COPY, a table's rows go in at most ten statements (of 500, 256, 128 … rows).
    assert set(inserts_per_table(many)) == set(inserts_per_table(few))
    assert max(inserts_per_table(many).values()) <= 10
    # A second run over known phones: repeats are bulk updates.
    with CaptureQueriesContext(connection) as repeat_few:
        run_file(write_csv(tmp_path / "again_small.csv", [p.replace("IELTS", "Python") for p in people(20)]))
    with CaptureQueriesContext(connection) as repeat_many:
        run_file(write_csv(tmp_path / "again_big.csv", [p.replace("IELTS", "Python") for p in people(400, start=1000)]))
    assert len(repeat_many) - insert_statements(repeat_many) == len(repeat_few) - insert_statements(repeat_few)
    assert len(repeat_many) < 400 / 10


def test_history_is_complete_for_in_file_repeats_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_ROWS", 10)
    rows = people(15) + [
        p.replace("IELTS", "SAT") for p in people(15)
    ]  # every phone twice, the repeat in a later chunk
    log = run_file(write_csv(tmp_path / "twice.csv", rows))
    assert (log.total, log.created, log.duplicates, log.errors) == (30, 15, 15, 0)
    assert Lead.objects.filter(inquiry_count=2).count() == 15
    assert LeadInquiry.objects.filter(is_repeat=True).count() == 15
    assert LeadStatusChange.objects.count() == 15
    assert set(log.rows.values_list("reason", flat=True)) == {
        f"Phone {p} appears earlier in this file." for p in Lead.objects.values_list("phone", flat=True)
    }


def test_dry_run_matches_the_real_run_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_ROWS", 7)
    LeadFactory(phone="+998907000003")
    rows = [*people(12), "No phone,,IELTS", *people(6, start=8)]
    path = write_csv(tmp_path / "mixed.csv", rows)
    dry = run_file(path, dry_run=True)
    real = run_file(path)
    assert (dry.total, dry.created, dry.duplicates, dry.errors) == (
        real.total,
        real.created,
        real.duplicates,
        real.errors,
    )
    assert list(dry.rows.values_list("row_number", "outcome", "reason")) == list(
        real.rows.values_list("row_number", "outcome", "reason")
    )
    assert (real.created, real.duplicates, real.errors) == (13, 5, 1)


def test_a_database_error_midway_fails_the_log_and_writes_no_lead(tmp_path, monkeypatch):
    """A real database error in the second chunk, raised by a trigger."""
    monkeypatch.setattr(runs, "CHUNK_ROWS", 50)
    poison = "+998907000070"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.phone = '{poison}' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END;"
                " $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON leads_lead FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_poison BEFORE INSERT ON leads_lead WHEN NEW.phone = '{poison}' "
                "BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END"
            )
    existing = LeadFactory(phone="+998907000001")
    path = write_csv(tmp_path / "poisoned.csv", people(100))
    with pytest.raises(Exception, match="disk full"):
        run_file(path)
    log = ImportLog.objects.get()
    assert log.status == ImportStatus.FAILED
    assert "disk full (simulated)" in log.failure_reason
    assert log.finished_at is not None
    assert list(Lead.objects.all()) == [existing]
    existing.refresh_from_db()
    assert existing.inquiry_count == 1
    assert LeadInquiry.objects.count() == 1 and not log.rows.exists()


def test_a_bad_file_discovered_late_fails_before_any_write(tmp_path):
    path = tmp_path / "late.csv"
    huge_field = "x" * 200_000  # over the csv module's field limit, far down the file
    path.write_text(
        "Name,Phone\n" + "".join(f"P{i},+998 90 {7000000 + i}\n" for i in range(3000)) + f'"{huge_field}",901234567\n',
        encoding="utf-8",
    )
    with pytest.raises(readers.ImportFileError, match="could not be parsed as CSV at row 3002"):
        run_file(path)
    log = ImportLog.objects.get()
    assert log.status == ImportStatus.FAILED and "row 3002" in log.failure_reason
    assert not Lead.objects.exists()


def test_the_garbage_collector_is_off_during_a_run_and_back_on_after_it(tmp_path, monkeypatch):
    during = []
    real = runs._read_all
    monkeypatch.setattr(runs, "_read_all", lambda **kw: during.append(gc.isenabled()) or real(**kw))
    run_file(write_csv(tmp_path / "ok.csv", people(3)))
    with pytest.raises(readers.ImportFileError):
        run_file(write_csv(tmp_path / "broken.csv", [*people(40), '"' + "x" * 200_000 + '",901234567']))
    assert during == [False, False]
    assert gc.isenabled()


def test_progress_is_saved_while_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_ROWS", 100)
    seen = []
    path = write_csv(tmp_path / "progress.csv", people(250))
    table, mapping = inputs.import_open_file(path=path)
    log = runs.import_log_start(table=table, mapping=mapping, source=None)
    runs.import_execute(
        log=log,
        table=table,
        mapping=mapping,
        progress=lambda n: seen.append(ImportLog.objects.get(pk=log.pk).processed_rows),
    )
    assert seen == [100, 200, 250]
    log.refresh_from_db()
    assert log.read_finished_at is not None and log.read_finished_at <= log.finished_at


def test_command_failure_names_the_failed_log(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "late.csv"
    path.write_text("Name,Phone\n" + "A,901234567\n" * 100 + f'"{"y" * 200_000}",901234568\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"Import failed, no lead was written \(ImportLog #\d+\)"):
        call_command("import_leads", str(path), stdout=io.StringIO())


def test_a_language_column_sets_each_leads_language(tmp_path):
    path = write_csv(
        tmp_path / "langs.csv",
        [
            "Aziz,+998 90 700 00 01,Русский",
            "Bekzod,+998 90 700 00 02,oʻzbekcha",
            "Carol,+998 90 700 00 03,English",
            "Dilnoza,+998 90 700 00 04,ru",
            "Eldor,+998 90 700 00 05,Deutsch",  # none of ours: the centre's default
            "Farrux,+998 90 700 00 06,",
        ],
        header="Ism,Telefon,Til",
    )
    run_file(path)
    assert dict(Lead.objects.values_list("full_name", "language")) == {
        "Aziz": "ru",
        "Bekzod": "uz",
        "Carol": "en",
        "Dilnoza": "ru",
        "Eldor": "en",
        "Farrux": "en",
    }


def test_a_parsed_row_gives_back_its_cells_even_with_a_separator_in_one(settings):
    from django.utils import timezone

    from import_service.services.rows import parse_row

    mapping = {0: "full_name", 1: "phone"}
    for cells in (["Anna", "+998 90 123 45 67"], ["An\x1fna", "+998 90 123 45 67"], ["", "+998 90 123 45 67"]):
        row = parse_row(2, cells, mapping, now=timezone.now())
        assert row.values == tuple(cells) and row.phone == "+998901234567"
