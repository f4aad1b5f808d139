"""Import admin: the log list and detail, the error CSV, and upload → preview → confirm."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from import_service.models import ImportLog, ImportStatus, RowOutcome
from leads.models import Lead
from tests.factories import SalespersonFactory
from tests.import_service.factories import ImportLogFactory, ImportRowFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:import_service_importlog_changelist")
UPLOAD = reverse("admin:import_service_importlog_upload")


def upload(client, path, **data):
    file = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(UPLOAD, {"file": file, "source": "", "sheet": "", "assign": "", "column_map": "", **data})


# --- smoke and query counts ------------------------------------------------------


def test_changelist_search_and_detail_pages(manager_client):
    log = ImportLogFactory(file_name="partners-november.xlsx")
    ImportRowFactory(log=log, values=["Someone", ""])
    assert manager_client.get(CHANGELIST).status_code == 200
    response = manager_client.get(CHANGELIST, {"q": "november"})
    assert response.status_code == 200 and "partners-november.xlsx" in response.text
    assert "badge-green" in response.text  # completed
    detail = manager_client.get(reverse("admin:import_service_importlog_change", args=[log.pk]))
    assert detail.status_code == 200
    assert "No phone number." in detail.text
    assert "Download error and duplicate rows (CSV)" in detail.text
    assert 'http-equiv="refresh"' not in detail.text


def test_running_import_detail_refreshes_itself_and_shows_progress(manager_client):
    log = ImportLogFactory(status=ImportStatus.RUNNING, processed_rows=4000, total=0, created=0, duplicates=0, errors=0)
    response = manager_client.get(reverse("admin:import_service_importlog_change", args=[log.pk]))
    assert 'http-equiv="refresh"' in response.text
    assert "4000 rows read" in response.text
    assert "badge-blue" in response.text


def test_running_import_past_reading_says_it_is_writing(manager_client):
    from django.utils import timezone

    log = ImportLogFactory(
        status=ImportStatus.RUNNING,
        processed_rows=100000,
        read_finished_at=timezone.now(),
        total=0,
        created=0,
        duplicates=0,
        errors=0,
    )
    response = manager_client.get(reverse("admin:import_service_importlog_change", args=[log.pk]))
    assert "All 100000 rows read and checked; writing them in one transaction" in response.text


def test_changelist_queries_do_not_grow_with_rows(manager_client, manager):
    ImportLogFactory.create_batch(2, created_by=manager)
    with CaptureQueriesContext(connection) as two:
        assert manager_client.get(CHANGELIST).status_code == 200
    ImportLogFactory.create_batch(18, created_by=manager)
    with CaptureQueriesContext(connection) as twenty:
        assert manager_client.get(CHANGELIST).status_code == 200
    assert len(twenty) == len(two)


def test_changelist_links_to_the_upload_page_and_index_has_an_entry(manager_client):
    assert str(UPLOAD) in manager_client.get(CHANGELIST).text
    index = manager_client.get(reverse("admin:index")).text
    assert "Import leads" in index
    entry = manager_client.get(reverse("admin:import_service_leadimportupload_changelist"))
    assert entry.status_code == 302 and entry.url == UPLOAD


def test_salespeople_cannot_see_or_run_imports(sales_client):
    log = ImportLogFactory()
    assert sales_client.get(CHANGELIST).status_code == 403
    assert sales_client.get(UPLOAD).status_code == 403
    assert sales_client.get(reverse("admin:import_service_importlog_rows_csv", args=[log.pk])).status_code == 403
    assert sales_client.get(reverse("admin:import_service_importlog_preview", args=[log.pk])).status_code == 403
    assert "Import leads" not in sales_client.get(reverse("admin:index")).text


# --- error / duplicate CSV ------------------------------------------------------------


def test_problem_rows_csv_keeps_the_file_columns_and_neutralises_formulas(manager_client):
    log = ImportLogFactory(headers=["Name", "Phone"])
    ImportRowFactory(log=log, row_number=4, values=['=HYPERLINK("http://evil.example")', ""], reason="No phone number.")
    ImportRowFactory(
        log=log,
        row_number=2,
        outcome=RowOutcome.DUPLICATE,
        values=["@Ali", "+998901234567"],
        reason="Phone +998901234567 already belongs to a lead.",
    )
    response = manager_client.get(reverse("admin:import_service_importlog_rows_csv", args=[log.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Phone", "import_row", "import_outcome", "import_reason"]
    assert rows[1] == ["'@Ali", "'+998901234567", "2", "duplicate", "Phone +998901234567 already belongs to a lead."]
    assert rows[2] == ['\'=HYPERLINK("http://evil.example")', "", "4", "error", "No phone number."]


def test_problem_rows_csv_can_be_fixed_and_reimported(manager_client, files, tmp_path):
    from django.core.management import call_command

    call_command("import_leads", str(files / "partner_leads.xlsx"), "--json", stdout=io.StringIO())
    log = ImportLog.objects.get()
    exported = manager_client.get(reverse("admin:import_service_importlog_rows_csv", args=[log.pk])).content
    # An Excel upload's error file is an Excel workbook: fix the phone in it and import it again.
    workbook = openpyxl.load_workbook(io.BytesIO(exported))
    for row in workbook.active.iter_rows():
        for cell in row:
            if cell.value == "12345":
                cell.value = "+998 90 111 01 05"
    path = tmp_path / "fixed.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command("import_leads", str(path), "--json", stdout=out)
    assert '"created": 1' in out.getvalue()
    assert Lead.objects.filter(phone="+998901110105", full_name="Xato raqam").exists()


# --- upload → preview → confirm -----------------------------------------------------------


def test_upload_shows_a_preview_with_outcomes_and_totals_and_writes_no_lead(manager_client, files):
    response = upload(manager_client, files / "landing_dump_utf8_bom.csv")
    assert response.status_code == 302
    preview = manager_client.get(response.url)
    assert preview.status_code == 200
    assert not Lead.objects.exists()
    text = preview.text
    assert '<td id="total-rows">7</td>' in text and '<td id="total-created">4</td>' in text
    assert '<td id="total-duplicates">1</td>' in text and '<td id="total-errors">2</td>' in text
    assert "Анна Иванова" in text and "badge-red" in text and "badge-orange" in text
    assert "=cmd|" in text.replace("&#x27;", "'")  # shown as text, escaped
    dry = ImportLog.objects.get()
    assert dry.dry_run and dry.file.name.startswith("imports/")


def test_confirm_runs_the_import_and_shows_the_completed_log(manager_client, manager, files):
    preview_url = upload(manager_client, files / "landing_dump_utf8_bom.csv").url
    response = manager_client.post(preview_url)
    run = ImportLog.objects.get(dry_run=False)
    assert response.status_code == 302
    assert response.url == reverse("admin:import_service_importlog_change", args=[run.pk])
    assert (run.status, run.total, run.created, run.duplicates, run.errors) == (ImportStatus.COMPLETED, 7, 4, 1, 2)
    assert run.created_by == manager
    assert Lead.objects.count() == 4
    assert set(Lead.objects.values_list("status_changes__changed_by", flat=True)) == {manager.pk}
    # A second click on Confirm does not import again.
    again = manager_client.post(preview_url)
    assert again.url == response.url
    assert ImportLog.objects.filter(dry_run=False).count() == 1


def test_large_upload_runs_in_the_background_through_celery(
    manager_client, files, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROW_THRESHOLD = 3
    preview_url = upload(manager_client, files / "landing_dump_utf8_bom.csv").url
    assert "import in the background" in manager_client.get(preview_url).text
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        manager_client.post(preview_url)
    run = ImportLog.objects.get(dry_run=False)
    assert run.status == ImportStatus.QUEUED and not Lead.objects.exists()
    assert (
        "Waiting for the worker"
        in manager_client.get(reverse("admin:import_service_importlog_change", args=[run.pk])).text
    )
    for callback in callbacks:
        callback()  # the task, run eagerly (CELERY_TASK_ALWAYS_EAGER)
    run.refresh_from_db()
    assert (run.status, run.created, run.processed_rows) == (ImportStatus.COMPLETED, 4, 7)
    from import_service.tasks import import_run_task

    import_run_task.delay(run.pk)  # a redelivered task does nothing
    assert Lead.objects.count() == 4


def test_upload_with_assignment_and_column_map(manager_client, salesperson, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Mijoz;Aloqa\nSobir;+998 90 444 01 01\n", encoding="utf-8")
    preview_url = upload(
        manager_client, path, assign=salesperson.username, column_map="Aloqa=phone\nMijoz=full_name"
    ).url
    manager_client.post(preview_url)
    lead = Lead.objects.get()
    assert (lead.full_name, lead.assigned_to) == ("Sobir", salesperson)


@pytest.mark.parametrize(
    "name, message",
    [
        ("no_phone_column.csv", "No phone column found. Headers seen: “Name”, “Email”, “Course”"),
        ("password_protected.xlsx", "password-protected"),
        ("corrupt.xlsx", "not a valid .xlsx workbook"),
    ],
)
def test_bad_uploads_are_explained_on_the_form_and_nothing_is_kept(manager_client, files, settings, name, message):
    response = upload(manager_client, files / name)
    assert response.status_code == 200
    assert message in response.text.replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert not ImportLog.objects.exists()
    stored = settings.MEDIA_ROOT / "imports"
    assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]


def test_upload_size_and_type_limits(manager_client, settings, tmp_path):
    settings.IMPORT_MAX_FILE_MB = 1
    big = tmp_path / "big.csv"
    big.write_bytes(b"name,phone\n" + b"x,901234567\n" * 100_000)
    assert "the limit is 1 MB" in upload(manager_client, big).text
    other = tmp_path / "leads.json"
    other.write_text("{}")
    assert "Upload a .csv or .xlsx file." in upload(manager_client, other).text
    assert not ImportLog.objects.exists()


def test_bad_column_map_is_refused_on_the_form(manager_client, files):
    response = upload(manager_client, files / "landing_dump_utf8_bom.csv", column_map="Phone=telephone")
    assert response.status_code == 200
    assert "Unknown lead field" in response.text


def test_upload_form_offers_only_active_salespeople(manager_client):
    active = SalespersonFactory(username="aziz", first_name="Aziz", last_name="Karimov")
    SalespersonFactory(username="left_in_spring", is_active=False)
    form = manager_client.get(UPLOAD).context["form"]
    assert [value for value, _ in form.fields["assign"].choices] == ["", "round-robin", active.username]
