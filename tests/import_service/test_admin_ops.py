"""Imports as ops read them: a confirmed preview is not listed twice, a run's page
says who got the new leads, and the error file goes back as the file came in."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from import_service.models import ImportLog
from import_service.selectors import import_problem_rows_format
from tests.factories import SalespersonFactory
from tests.import_service.factories import ImportLogFactory, ImportRowFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:import_service_importlog_changelist")
UPLOAD = reverse("admin:import_service_importlog_upload")


def upload(client, name: str, data: bytes, **fields):
    file = SimpleUploadedFile(name, data)
    return client.post(UPLOAD, {"file": file, "source": "", "sheet": "", "assign": "", "column_map": "", **fields})


def confirm(client, name: str, data: bytes, **fields) -> ImportLog:
    client.post(upload(client, name, data, **fields).url)
    return ImportLog.objects.get(dry_run=False)


def change_page(client, log):
    return client.get(reverse("admin:import_service_importlog_change", args=[log.pk])).text


def problem_rows(client, log):
    return client.get(reverse("admin:import_service_importlog_rows_csv", args=[log.pk]))


def listed(client, **params) -> list[int]:
    return [log.pk for log in client.get(CHANGELIST, params).context["cl"].result_list]


FILE = "Name;Phone\nAli;+998 90 111 22 33\nBad;12345\n"


# --- previews ----------------------------------------------------------------------


def test_a_confirmed_preview_is_shown_on_its_run_not_listed_beside_it(manager_client):
    run = confirm(manager_client, "first.csv", FILE.encode())
    preview = ImportLog.objects.get(dry_run=True)
    pending_url = upload(manager_client, "second.csv", b"Name;Phone\nVali;+998 90 111 22 44\n").url
    pending = ImportLog.objects.get(dry_run=True, file_name="second.csv")
    assert pending_url.endswith(f"/{pending.pk}/preview/")

    assert listed(manager_client) == [pending.pk, run.pk]
    assert listed(manager_client, kind="runs") == [run.pk]
    assert listed(manager_client, kind="previews") == [pending.pk, preview.pk]
    assert listed(manager_client, kind="all") == [pending.pk, run.pk, preview.pk]

    run_page = change_page(manager_client, run)
    assert "Previewed as" in run_page
    assert reverse("admin:import_service_importlog_change", args=[preview.pk]) in run_page
    preview_page = change_page(manager_client, preview)
    assert "Confirmed as" in preview_page
    assert reverse("admin:import_service_importlog_change", args=[run.pk]) in preview_page
    assert "Not confirmed yet." in change_page(manager_client, pending)
    # Back on a confirmed preview's page: a link to its run instead of a second Confirm button.
    again = manager_client.get(reverse("admin:import_service_importlog_preview", args=[preview.pk])).text
    assert 'id="confirm-import"' not in again
    assert reverse("admin:import_service_importlog_change", args=[run.pk]) in again
    assert 'id="confirm-import"' in manager_client.get(pending_url).text


def test_the_default_list_says_what_it_shows(manager_client):
    ImportLogFactory()
    text = manager_client.get(CHANGELIST).text
    assert "Runs and open previews" in text
    assert "Runs only" in text


# --- who got the leads ------------------------------------------------------------------


def test_a_round_robin_runs_page_counts_the_new_leads_per_salesperson(manager_client):
    aziz = SalespersonFactory(username="aziz", first_name="Aziz", last_name="Karimov")
    dilnoza = SalespersonFactory(username="dilnoza", first_name="Dilnoza", last_name="Rahimova")
    rows = "".join(f"Person {n};+998 90 200 00 {n:02d}\n" for n in range(5))
    rows += "Repeat;+998 90 200 00 00\nBad;123\n"  # neither is a new lead: not counted
    preview_url = upload(manager_client, "rr.csv", f"Name;Phone\n{rows}".encode(), assign="round-robin").url
    first, second = sorted([aziz, dilnoza], key=lambda u: u.pk)
    preview = ImportLog.objects.get(dry_run=True)
    assert preview.assigned_counts == {str(first.pk): 3, str(second.pk): 2}  # who would get them
    preview_page = manager_client.get(preview_url).text
    assert "New leads would go to" in preview_page and f"<td>{first}</td><td>3</td>" in preview_page
    manager_client.post(preview_url)
    run = ImportLog.objects.get(dry_run=False)

    assert run.created == 5
    assert run.assigned_counts == preview.assigned_counts
    page = change_page(manager_client, run)
    table = page[page.index('class="import-assignments"') :]
    table = table[: table.index("</table>")]
    assert f"<td>{first}</td><td>3</td>" in table
    assert f"<td>{second}</td><td>2</td>" in table


def test_a_run_without_assignment_says_so_and_a_deleted_salesperson_is_named_as_such(manager_client):
    plain = ImportLogFactory()
    assert 'class="import-assignments"' not in change_page(manager_client, plain)
    gone = ImportLogFactory(assigned_counts={"987654": 4})
    assert "<td>a deleted user</td><td>4</td>" in change_page(manager_client, gone)


# --- the error file keeps the upload's habits ---------------------------------------------------


def test_a_semicolon_cp1251_upload_gets_its_error_file_back_in_semicolons_and_cp1251(manager_client):
    data = "ФИО;Телефон\nАнна Иванова;+998 90 300 00 01\n=1+2;12345\nБорис;\n".encode("cp1251")
    run = confirm(manager_client, "excel-ru.csv", data)
    assert (run.csv_delimiter, run.csv_encoding) == (";", "cp1251")

    response = problem_rows(manager_client, run)
    assert response["Content-Type"] == "text/csv; charset=windows-1251"
    assert response["Content-Disposition"].endswith('.csv"')
    assert not response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("cp1251")), delimiter=";"))
    assert rows[0] == ["ФИО", "Телефон", "import_row", "import_outcome", "import_reason"]
    assert rows[1][:3] == ["'=1+2", "12345", "3"]  # still neutralised against formulas
    assert rows[2][:4] == ["Борис", "", "4", "error"]


def test_a_cp1251_error_file_with_text_cp1251_cannot_hold_falls_back_to_utf8_with_bom(manager_client):
    log = ImportLogFactory(headers=["Ism", "Telefon"], csv_delimiter=";", csv_encoding="cp1251")
    ImportRowFactory(log=log, values=["Gʻayrat 😀", ""])
    response = problem_rows(manager_client, log)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "Gʻayrat 😀"


def test_a_semicolon_utf8_bom_upload_keeps_semicolons_and_the_bom(manager_client, files):
    run = confirm(manager_client, "google_form_semicolon.csv", (files / "google_form_semicolon.csv").read_bytes())
    assert run.csv_delimiter == ";"
    log = ImportLogFactory(csv_delimiter=";", csv_encoding="utf-8")  # a UTF-8 file without a BOM
    ImportRowFactory(log=log, row_number=2, values=["Комил", ""])
    response = problem_rows(manager_client, log)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    assert response.content.decode("utf-8-sig").splitlines()[1] == "Комил;;2;error;No phone number."
    assert problem_rows(manager_client, run).content.decode("utf-8-sig").splitlines()[0].count(";") >= 3


def test_a_utf16_tab_separated_meta_export_gets_utf16_tabs_back(manager_client):
    data = "full_name\tphone_number\nLola\t+998903000002\nXato\t999\n".encode("utf-16")
    run = confirm(manager_client, "meta.csv", data)
    assert (run.csv_delimiter, run.csv_encoding) == ("\t", "utf-16")
    response = problem_rows(manager_client, run)
    assert response["Content-Type"] == "text/csv; charset=utf-16"
    assert response.content.startswith(b"\xff\xfe")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-16")), delimiter="\t"))
    assert rows[1][:4] == ["Xato", "999", "3", "error"]


def test_an_excel_upload_gets_an_excel_error_file(manager_client, files):
    run = confirm(manager_client, "partner_leads.xlsx", (files / "partner_leads.xlsx").read_bytes())
    assert import_problem_rows_format(log=run).kind == "xlsx"
    assert "Download error and duplicate rows (Excel)" in change_page(manager_client, run)
    response = problem_rows(manager_client, run)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header[-3:] == ("import_row", "import_outcome", "import_reason")


def test_a_google_sheet_or_an_old_log_gets_comma_separated_utf8_with_bom(manager_client):
    log = ImportLogFactory(input_kind="google_sheet")
    ImportRowFactory(log=log, values=["Someone", ""])
    response = problem_rows(manager_client, log)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines()[0] == "Name,Phone,import_row,import_outcome,import_reason"
