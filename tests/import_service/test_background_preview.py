"""A large upload is previewed by the worker: the upload answers at once with a
queued preview, the task fills it in, and the preview page shows each state."""

import datetime
import io
import json
from unittest import mock

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from import_service.models import ImportLog, ImportStatus
from import_service.services import previews, runs, uploads
from import_service.tasks import import_preview_task
from leads.models import Lead
from tests.import_service.factories import ImportLogFactory, ImportRowFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:import_service_importlog_upload")


def upload(client, path, **data):
    file = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(UPLOAD, {"file": file, "source": "", "sheet": "", "assign": "", "column_map": "", **data})


def preview_url(log):
    return reverse("admin:import_service_importlog_preview", args=[log.pk])


@pytest.fixture
def big(settings):
    """Every upload of more than 3 rows counts as large."""
    settings.IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD = 3


# --- the upload ------------------------------------------------------------------------


def test_a_large_upload_answers_with_a_queued_preview_and_queues_one_task_on_commit(
    manager_client, files, big, django_capture_on_commit_callbacks
):
    with mock.patch("core.tasks.enqueue") as queued:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = upload(manager_client, files / "landing_dump_utf8_bom.csv")
        log = ImportLog.objects.get()
        assert response.status_code == 302 and response.url == preview_url(log)
        assert queued.call_count == 0 and len(callbacks) == 1  # queued on commit, not before
        for callback in callbacks:
            callback()
    assert queued.call_count == 1
    assert queued.call_args.args == (import_preview_task, log.pk)
    assert (log.dry_run, log.status, log.processed_rows, log.total) == (True, ImportStatus.QUEUED, 0, 0)
    assert log.estimated_rows == 8  # records below the header, the blank row included (a quoted line break is not)
    assert log.file.name.startswith("imports/") and log.options["language"] == "en"
    assert not log.rows.exists() and not Lead.objects.exists()


def test_the_task_fills_in_the_preview_and_the_page_then_offers_confirm(
    manager_client, files, big, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        url = upload(manager_client, files / "landing_dump_utf8_bom.csv").url
    log = ImportLog.objects.get()
    assert (log.status, log.total, log.created, log.duplicates, log.errors) == (ImportStatus.COMPLETED, 7, 4, 1, 2)
    assert log.processed_rows == 7 and log.read_finished_at is not None and len(log.preview) == 7
    page = manager_client.get(url).text
    assert '<td id="total-created">4</td>' in page and 'id="confirm-import"' in page
    assert 'http-equiv="refresh"' not in page
    assert not Lead.objects.exists()
    manager_client.post(url)
    assert ImportLog.objects.get(dry_run=False).created == Lead.objects.count() == 4


def test_the_preview_saves_its_progress_as_it_reads(manager, monkeypatch, tmp_path, big):
    monkeypatch.setattr(runs, "CHUNK_ROWS", 2)
    rows = "".join(f"Talaba {n},+998 91 {n:07d}\n" for n in range(3000100, 3000107))
    data = f"Ism,Telefon\n{rows}".encode()
    log = uploads.import_upload_preview(upload=SimpleUploadedFile("list.csv", data), by=manager)
    assert (log.status, log.estimated_rows) == (ImportStatus.QUEUED, 7)
    with CaptureQueriesContext(connection) as queries:
        import_preview_task.delay(log.pk)
    progress = [q["sql"] for q in queries if 'SET "processed_rows"' in q["sql"]]
    assert len(progress) == 4  # after rows 2, 4 and 6, then all 7
    log.refresh_from_db()
    assert (log.status, log.processed_rows, log.created) == (ImportStatus.COMPLETED, 7, 7)
    import_preview_task.delay(log.pk)  # a redelivered task does nothing
    log.refresh_from_db()
    assert log.processed_rows == 7 and log.rows.count() == 0


def test_a_small_upload_is_still_previewed_in_the_request(manager_client, files):
    upload(manager_client, files / "landing_dump_utf8_bom.csv")
    assert ImportLog.objects.get().status == ImportStatus.COMPLETED


def test_a_double_click_uploads_one_preview(manager_client, files, big, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = upload(manager_client, files / "landing_dump_utf8_bom.csv")
        second = upload(manager_client, files / "landing_dump_utf8_bom.csv")
    assert first.url == second.url
    assert ImportLog.objects.count() == 1 and len(callbacks) == 1
    # Another choice for the same file is another preview.
    upload(manager_client, files / "landing_dump_utf8_bom.csv", source="instagram")
    assert ImportLog.objects.count() == 2


def test_a_workbook_is_estimated_from_its_recorded_size(manager, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ism", "Telefon"])
    for n in range(40):
        sheet.append([f"Talaba {n}", f"+998 91 300 {n:04d}"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    log = uploads.import_upload_preview(upload=SimpleUploadedFile("list.xlsx", path.read_bytes()), by=manager)
    assert log.estimated_rows == 40
    assert previews.preview_in_background(estimated_rows=None, size=10 * 1024 * 1024)


def test_a_large_workbook_is_not_opened_in_the_request_and_the_worker_reads_its_header(
    manager_client, files, settings, django_capture_on_commit_callbacks
):
    inline = upload(manager_client, files / "partner_leads.xlsx")
    small = ImportLog.objects.get(pk=int(inline.url.rstrip("/").split("/")[-2]))
    settings.IMPORT_PREVIEW_BACKGROUND_KB = 1
    with (
        mock.patch("import_service.readers.open_file") as opened,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        url = upload(manager_client, files / "partner_leads.xlsx", source="excel", assign="").url
        assert opened.call_count == 0
    log = ImportLog.objects.exclude(pk=small.pk).get()
    assert (log.status, log.input_kind, log.headers) == (ImportStatus.QUEUED, "xlsx", [])
    assert "is large" in manager_client.get(url).text
    for callback in callbacks:
        callback()
    log.refresh_from_db()
    assert log.status == ImportStatus.COMPLETED, log.failure_reason
    fields = ["headers", "header_row", "columns", "sheet_name", "total", "created", "duplicates", "errors"]
    assert [getattr(log, f) for f in fields] == [getattr(small, f) for f in fields]


def test_a_large_workbook_is_still_refused_on_the_form_when_its_container_is_bad(manager_client, files, settings):
    settings.IMPORT_PREVIEW_BACKGROUND_KB = 1
    response = upload(manager_client, files / "password_protected.xlsx")
    assert response.status_code == 200 and "password-protected" in response.text
    assert not ImportLog.objects.exists()
    assert not [p for p in (settings.MEDIA_ROOT / "imports").rglob("*") if p.is_file()]


def test_a_large_workbook_without_a_phone_column_fails_in_the_worker_with_the_reason(
    manager_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_PREVIEW_BACKGROUND_KB = 1
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Email"])
    for n in range(200):
        workbook.active.append([f"Talaba {n}", f"t{n}@example.uz"])
    path = tmp_path / "no-phone.xlsx"
    workbook.save(path)
    with django_capture_on_commit_callbacks(execute=True):
        url = upload(manager_client, path).url
    log = ImportLog.objects.get()
    assert log.status == ImportStatus.FAILED and "No phone column found" in log.failure_reason
    assert log.estimated_rows == 200
    assert "No phone column found" in manager_client.get(url).text.replace("&ldquo;", "“")


def test_a_workbook_that_records_no_size_is_counted_by_the_worker(
    manager_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_PREVIEW_BACKGROUND_KB = 1
    workbook = openpyxl.Workbook(write_only=True)  # streams rows and records no size, as exporters do
    sheet = workbook.create_sheet("Leads")
    sheet.append(["Ism", "Telefon"])
    for n in range(300):
        sheet.append([f"Talaba {n}", f"+998 91 {3000900 + n:07d}"])
    path = tmp_path / "streamed.xlsx"
    workbook.save(path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(manager_client, path)
    log = ImportLog.objects.get()
    assert (log.status, log.estimated_rows) == (ImportStatus.QUEUED, None)
    for callback in callbacks:
        callback()
    log.refresh_from_db()
    assert (log.status, log.estimated_rows, log.total) == (ImportStatus.COMPLETED, 300, 300)


# --- the page in each state ----------------------------------------------------------


def _log(state: str, **fields) -> ImportLog:
    common = {"dry_run": True, "created_by": None, "estimated_rows": 100_000}
    if state == "queued":
        return ImportLogFactory(status=ImportStatus.QUEUED, total=0, created=0, duplicates=0, errors=0, **common)
    if state == "running":
        return ImportLogFactory(
            status=ImportStatus.RUNNING, processed_rows=40_000, total=0, created=0, duplicates=0, errors=0, **common
        )
    if state == "failed":
        return ImportLogFactory(status=ImportStatus.FAILED, failure_reason="Disk gone.", total=0, **common)
    return ImportLogFactory(
        preview=[{"row": 2, "values": ["Ali", ""], "outcome": "error", "reason": "No phone number."}],
        assigned_counts={"1": 1},
        **common,
    )


@pytest.mark.parametrize(
    "state, says, refreshes",
    [
        ("queued", "Waiting for the worker… The file is stored; nothing is lost.", True),
        ("running", "40\xa0000 of about 100\xa0000 rows read…", True),
        ("failed", "The file could not be read: Disk gone.", False),
        ("ready", 'id="confirm-import"', False),
    ],
)
def test_the_preview_page_in_each_state_with_a_flat_query_count(manager_client, state, says, refreshes):
    log = _log(state)
    with CaptureQueriesContext(connection) as one:
        page = manager_client.get(preview_url(log))
    assert page.status_code == 200
    assert says in page.text
    assert ('http-equiv="refresh"' in page.text) is refreshes
    assert ('id="preview-progress-bar"' in page.text) is refreshes
    # More preview and problem rows do not add queries.
    more = _log(state)
    more.preview = [{"row": n, "values": ["Ali", ""], "outcome": "error", "reason": "x"} for n in range(2, 22)]
    more.assigned_counts = {"1": 3, "2": 4}
    more.save()
    ImportRowFactory.create_batch(30, log=more)
    with CaptureQueriesContext(connection) as many:
        assert manager_client.get(preview_url(more)).status_code == 200
    assert len(many) == len(one)


def test_a_preview_past_reading_says_it_is_checking_the_rows(manager_client):
    log = _log("running")
    log.read_finished_at = timezone.now()
    log.save()
    assert "All 40\xa0000 rows read; checking them against known leads…" in manager_client.get(preview_url(log)).text


def test_a_confirmed_run_counts_its_progress_against_its_previews_total(manager_client, settings):
    settings.IMPORT_BACKGROUND_ROW_THRESHOLD = 2
    preview = _log("ready")
    preview.file = "imports/x.csv"
    preview.save()
    run = uploads.import_confirm(dry_run_log=preview, by=None)
    assert (run.status, run.estimated_rows) == (ImportStatus.QUEUED, preview.total)
    ImportLog.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, processed_rows=2)
    page = manager_client.get(reverse("admin:import_service_importlog_change", args=[run.pk])).text
    assert "2 of about 3 rows read…" in page


def test_a_preview_the_worker_has_not_started_says_how_ops_run_it(manager_client):
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5)):
        late = _log("queued")
    fresh = _log("queued")
    assert "manage.py run_queued_imports" in manager_client.get(preview_url(late)).text
    assert "manage.py run_queued_imports" not in manager_client.get(preview_url(fresh)).text


def test_an_unfinished_preview_cannot_be_confirmed(manager_client):
    log = _log("running")
    response = manager_client.post(preview_url(log), follow=True)
    assert response.redirect_chain[-1][0] == preview_url(log)
    assert "This preview is not finished yet" in response.text
    assert not ImportLog.objects.filter(dry_run=False).exists()


def test_salespeople_cannot_open_a_background_preview(sales_client):
    assert sales_client.get(preview_url(_log("running"))).status_code == 403
    assert sales_client.post(preview_url(_log("ready"))).status_code == 403


def test_a_failure_in_the_worker_is_kept_and_shown_in_the_uploaders_language(
    client, manager, files, big, django_capture_on_commit_callbacks
):
    manager.language = "ru"
    manager.save()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        url = upload(client, files / "landing_dump_utf8_bom.csv").url
    log = ImportLog.objects.get()
    log.file.storage.delete(log.file.name)  # the stored copy is lost before the worker reads it
    for callback in callbacks:
        callback()
    log.refresh_from_db()
    assert log.status == ImportStatus.FAILED
    assert log.failure_reason.startswith("Не удалось прочитать «landing_dump_utf8_bom.csv»")
    page = client.get(url).text
    assert "Не удалось прочитать файл: Не удалось прочитать «landing_dump_utf8_bom.csv»" in page


# --- the worker is down -------------------------------------------------------------------


def test_ops_run_queued_previews_and_imports_by_hand(manager, big):
    rows = "".join(f"Talaba {n},+998 91 {n:07d}\n" for n in range(3000200, 3000206))
    data = f"Ism,Telefon\n{rows}".encode()
    log = uploads.import_upload_preview(upload=SimpleUploadedFile("list.csv", data), by=manager)
    assert log.status == ImportStatus.QUEUED
    out = io.StringIO()
    call_command("run_queued_imports", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"previews": 1, "runs": 0, "failed": 0}
    log.refresh_from_db()
    assert (log.status, log.created) == (ImportStatus.COMPLETED, 6)


def test_the_safety_net_queues_a_lost_preview_again(manager, big):
    rows = "".join(f"Talaba {n},+998 91 {n:07d}\n" for n in range(3000300, 3000305))
    log = uploads.import_upload_preview(upload=SimpleUploadedFile("l.csv", f"Ism,Telefon\n{rows}".encode()), by=manager)
    assert uploads.import_runs_requeue_stale(now=timezone.now()) == 0  # too fresh to be lost
    assert uploads.import_runs_requeue_stale(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    log.refresh_from_db()
    assert (log.status, log.total) == (ImportStatus.COMPLETED, 5)
