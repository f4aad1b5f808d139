"""Concurrent writers on PostgreSQL: an import never makes a second lead for a
phone a webhook or another import creates at the same moment."""

import threading
import time

import pytest
from django.db import connection, transaction

from import_service.models import ImportStatus
from import_service.services import inputs, runs
from leads.models import Lead, LeadInquiry
from leads.services import lead_register_inquiry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def write_csv(path, numbers, label="Person"):
    path.write_text("Name,Phone\n" + "".join(f"{label} {n},+998 90 {n:07d}\n" for n in numbers), encoding="utf-8")
    return path


def run_file(path):
    table, mapping = inputs.import_open_file(path=path)
    log = runs.import_log_start(table=table, mapping=mapping, source=None)
    return runs.import_execute(log=log, table=table, mapping=mapping).log


def in_thread(target, results, key):
    def wrapper():
        try:
            results[key] = target()
        except Exception as exc:  # surfaced by the test
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=wrapper)
    thread.start()
    return thread


@pytest.fixture(autouse=True)
def _log_info(caplog):
    caplog.set_level("INFO", logger="leads.bulk")


def test_webhook_creating_the_same_phone_mid_import_is_counted_as_a_duplicate(tmp_path, caplog):
    numbers = list(range(7100000, 7100300))
    path = write_csv(tmp_path / "leads.csv", numbers)
    webhook_phone = "+998907100150"
    inserted = threading.Event()
    results = {}

    def webhook():
        with transaction.atomic():
            lead = lead_register_inquiry(phone=webhook_phone, source="telegram", full_name="From Telegram").lead
            inserted.set()
            time.sleep(1.0)  # the import reaches its insert while this is uncommitted
        return lead

    def importer():
        inserted.wait(5)
        return run_file(path)

    threads = [in_thread(webhook, results, "webhook"), in_thread(importer, results, "import")]
    for thread in threads:
        thread.join(30)
    log = results["import"]
    assert not isinstance(log, Exception), log
    assert log.status == ImportStatus.COMPLETED
    assert (log.total, log.created, log.duplicates, log.errors) == (300, 299, 1, 0)
    assert Lead.objects.count() == 300
    lead = Lead.objects.get(phone=webhook_phone)
    assert (lead.full_name, lead.source, lead.inquiry_count) == ("From Telegram", "telegram", 2)
    assert LeadInquiry.objects.filter(lead=lead).count() == 2
    assert log.rows.get().lead == lead
    # The import's insert met the webhook's uncommitted row: the constraint, not a look-up, caught it.
    assert "1 phone(s) were created concurrently by another writer: +998907100150" in caplog.text


def test_two_imports_of_overlapping_files_make_one_lead_per_phone(tmp_path):
    first = write_csv(tmp_path / "a.csv", range(7200000, 7200400))
    second = write_csv(tmp_path / "b.csv", range(7200200, 7200600), label="Partner list")
    results = {}
    start = threading.Barrier(2)

    def importer(path):
        def go():
            start.wait(5)
            return run_file(path)

        return go

    threads = [in_thread(importer(first), results, "a"), in_thread(importer(second), results, "b")]
    for thread in threads:
        thread.join(60)
    a, b = results["a"], results["b"]
    assert not isinstance(a, Exception), a
    assert not isinstance(b, Exception), b
    assert Lead.objects.count() == 600
    assert a.created + b.created == 600
    assert a.duplicates + b.duplicates == 200
    for log in (a, b):
        assert log.total == log.created + log.duplicates + log.errors == 400
    assert Lead.objects.filter(inquiry_count=2).count() == 200


def test_a_double_click_on_upload_makes_one_preview_even_when_both_requests_overlap(settings, tmp_path, monkeypatch):
    from unittest import mock

    from django.core.files.uploadedfile import SimpleUploadedFile

    from import_service.models import ImportLog
    from import_service.services import previews, uploads
    from tests.factories import ManagerFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD = 3
    manager = ManagerFactory()
    data = ("Name,Phone\n" + "".join(f"Person {n},+998 90 {n:07d}\n" for n in range(7300000, 7300010))).encode()
    estimate = previews.import_estimate_rows
    both_started = threading.Barrier(2)

    def slow_estimate(**kwargs):
        time.sleep(0.5)  # inside the first request's transaction: the second one arrives meanwhile
        return estimate(**kwargs)

    monkeypatch.setattr(previews, "import_estimate_rows", slow_estimate)
    results = {}

    def click():
        both_started.wait()
        return uploads.import_upload_preview(upload=SimpleUploadedFile("list.csv", data), by=manager).pk

    with mock.patch("core.tasks.enqueue") as queued:
        threads = [in_thread(click, results, n) for n in range(2)]
        for thread in threads:
            thread.join()
    assert results[0] == results[1], results
    assert ImportLog.objects.count() == 1 and queued.call_count == 1
