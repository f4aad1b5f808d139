"""Reading real exports: encodings, delimiters, header rows, spreadsheet cell types, broken files."""

import datetime
import zipfile

import pytest

from import_service import readers
from import_service.readers import ImportFileError, open_file


def rows_of(table):
    try:
        return [(n, [readers.cell_text(c) for c in cells]) for n, cells in table.rows()]
    finally:
        table.close()


def test_utf16_tab_separated_meta_export(samples):
    table = open_file(samples / "meta_lead_ads_export.csv")
    assert table.headers[:3] == ["id", "created_time", "ad_id"]
    assert "phone_number" in table.headers
    rows = rows_of(table)
    assert [n for n, _ in rows] == [2, 3, 4]
    assert rows[0][1][table.headers.index("full_name")] == "Malika Tursunova"
    assert (table.delimiter, table.encoding) == ("\t", "utf-16")


def test_cp1251_semicolon_partner_list(samples):
    table = open_file(samples / "partner_list_cp1251.csv")
    assert table.headers == ["ФИО", "Телефон", "Курс", "Комментарий"]
    assert rows_of(table)[0][1] == ["Иванова Анна", "8 (90) 555-01-01", "Английский", "перезвонить вечером"]
    assert (table.delimiter, table.encoding) == (";", "cp1251")


def test_utf8_bom_comma_with_quoted_newline_keeps_the_field_whole(files):
    table = open_file(files / "landing_dump_utf8_bom.csv")
    assert table.headers[0] == "Name"  # the BOM is not part of the first header
    assert (table.delimiter, table.encoding) == (",", "utf-8-sig")
    rows = rows_of(table)
    assert rows[0][1][4] == "Просила перезвонить вечером,\nпосле 18:00"
    assert rows[1][0] == 3  # a record spanning two lines is still one row


def test_utf8_semicolon_without_bom(files):
    table = open_file(files / "google_form_semicolon.csv")
    assert table.headers == ["Отметка времени", "Имя", "Номер телефона", "Какой курс?", "Примечание"]
    assert len(rows_of(table)) == 3
    assert (table.delimiter, table.encoding) == (";", "utf-8")


def test_utf16_without_bom_is_detected(tmp_path):
    path = tmp_path / "no_bom.csv"
    path.write_bytes("Имя\tТелефон\nАли\t+998901234567\n".encode("utf-16-le"))
    table = open_file(path)
    assert table.headers == ["Имя", "Телефон"]
    assert rows_of(table) == [(2, ["Али", "+998901234567"])]
    assert table.encoding == "utf-16-le"


def test_delimiter_detection_ignores_commas_inside_quoted_fields(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text('name;phone;comment\n"Ali, Vali";901234567;"a, b, c"\n"Sobir";901234568;x\n', encoding="utf-8")
    assert rows_of(open_file(path))[0][1] == ["Ali, Vali", "901234567", "a, b, c"]


def test_header_row_is_found_below_title_and_blank_rows(files):
    table = open_file(files / "partner_leads.xlsx")
    assert table.header_row == 3
    assert table.headers == ["F.I.Sh", "Telefon raqami", "Kurs", "Izoh", "Sana", "E-mail"]
    assert table.sheet_name == "Leads"
    table.close()


def test_csv_header_row_is_found_below_a_title(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Leads from the fair, November\n\nName,Phone\nAli,901234567\n", encoding="utf-8")
    table = open_file(path)
    assert (table.header_row, table.headers) == (3, ["Name", "Phone"])
    assert rows_of(table) == [(4, ["Ali", "901234567"])]


def test_excel_numbers_and_dates_read_as_a_person_sees_them(files):
    table = open_file(files / "partner_leads.xlsx")
    rows = rows_of(table)
    by_name = {values[0]: values for _, values in rows if values[0]}
    assert by_name["Aziza Karimova"][1] == "998901110101"
    assert by_name["Bekzod Rahimov"][1] == "998901110102"  # stored as a float
    assert by_name["Dilshod Ergashev"][1] == "9.98901110103E+11"
    assert by_name["Dilshod Ergashev"][2] == "2026-12-01"  # a date typed into the course column
    assert by_name["Aziza Karimova"][4] == "2026-11-20 09:30:00"


def test_excel_other_sheet_by_name(files):
    table = open_file(files / "partner_leads.xlsx", sheet="Archive")
    assert table.headers == ["Ism", "Telefon"]
    assert rows_of(table) == [(2, ["Arxiv Odam", "+998 90 111 09 09"])]


def test_excel_unknown_sheet_lists_the_sheets(files):
    with pytest.raises(ImportFileError, match="There is no sheet “Nope”.*Sheets: Leads, Archive"):
        open_file(files / "partner_leads.xlsx", sheet="Nope")


def test_password_protected_workbook_is_refused_clearly(files):
    with pytest.raises(ImportFileError, match="password-protected"):
        open_file(files / "password_protected.xlsx")


def test_corrupt_workbook_is_refused(files):
    with pytest.raises(ImportFileError, match="not a valid .xlsx workbook"):
        open_file(files / "corrupt.xlsx")


def test_zip_bomb_is_refused_before_parsing(tmp_path, settings):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_MB = 1
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>")
    assert path.stat().st_size < 50_000
    with pytest.raises(ImportFileError, match="unpacks to 3 MB, more than the 1 MB allowed"):
        open_file(path)


def test_file_over_the_size_limit_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "big.csv"
    path.write_bytes(b"name,phone\n" + b"x,901234567\n" * 100_000)
    with pytest.raises(ImportFileError, match="more than the 1 MB allowed"):
        open_file(path)


@pytest.mark.parametrize("name", ["leads.json", "leads.xls", "leads.txt", "leads"])
def test_unknown_extension_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text("name,phone\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="only .csv and .xlsx"):
        open_file(path)


def test_workbook_saved_as_csv_is_explained(files, tmp_path):
    path = tmp_path / "really_excel.csv"
    path.write_bytes((files / "partner_leads.xlsx").read_bytes())
    with pytest.raises(ImportFileError, match="is an Excel workbook, not a CSV file"):
        open_file(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ImportFileError, match="Cannot read “absent.csv”"):
        open_file(tmp_path / "absent.csv")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(ImportFileError, match="is empty"):
        open_file(path)


@pytest.mark.parametrize(
    "value, text",
    [
        (998901234567, "998901234567"),
        (998901234567.0, "998901234567"),
        (None, ""),
        (datetime.datetime(2026, 11, 1), "2026-11-01"),
        (datetime.date(2026, 11, 1), "2026-11-01"),
        (datetime.datetime(2026, 11, 1, 9, 5), "2026-11-01 09:05:00"),
        ("  Ali ", "Ali"),
        (1.5, "1.5"),
    ],
)
def test_cell_text(value, text):
    assert readers.cell_text(value) == text


def test_sheet_name_with_a_csv_is_refused(files):
    with pytest.raises(ImportFileError, match="only applies to .xlsx workbooks"):
        open_file(files / "google_form_semicolon.csv", sheet="Leads")


def with_sheet_xml(files, path, change):
    """partner_leads.xlsx with its first sheet's XML passed through ``change``."""
    with zipfile.ZipFile(files / "partner_leads.xlsx") as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(item, data)
    return path


def test_workbook_whose_cell_points_at_a_local_file_is_refused_without_reading_it(files, tmp_path):
    """XXE: a sheet declaring an external entity on a file of the server and using
    it in a cell. The workbook is refused as damaged; the file's contents reach no
    cell and no message. (Without defusedxml the entity-expansion test below fails.)"""
    secret = tmp_path / "secret.env"
    secret.write_text("SECRET_KEY=never-in-a-lead")
    doctype = f'<!DOCTYPE worksheet [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    path = with_sheet_xml(files, tmp_path / "xxe.xlsx", lambda xml: doctype + xml.replace("Aziza Karimova", "&leak;"))
    with pytest.raises(ImportFileError, match="not a valid .xlsx workbook") as exc:
        rows_of(open_file(path))
    assert "never-in-a-lead" not in str(exc.value)


def test_xml_entity_expansion_in_a_workbook_is_refused(files, tmp_path):
    """A "billion laughs" sheet: defusedxml refuses the entity declarations."""
    doctype = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    bomb = with_sheet_xml(
        files, tmp_path / "laughs.xlsx", lambda xml: doctype + xml.replace("Aziza Karimova", "&lol3;")
    )
    with pytest.raises(ImportFileError, match="not a valid .xlsx workbook") as exc:
        table = open_file(bomb)
        rows_of(table)
    refused = exc.value.__cause__
    while refused is not None and type(refused).__name__ != "EntitiesForbidden":
        refused = refused.__cause__ or refused.__context__
    assert refused is not None  # defusedxml's refusal, wrapped by openpyxl


def test_workbook_with_a_wrong_recorded_size_is_read_whole(files, tmp_path):
    """Some exporters write <dimension ref="A1"/>; read-only openpyxl would trust it."""
    path = tmp_path / "wrong_dimension.xlsx"
    with zipfile.ZipFile(files / "partner_leads.xlsx") as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:F11" />', b'<dimension ref="A1" />')
                assert b'<dimension ref="A1" />' in data
            target.writestr(item, data)
    table = open_file(path)
    assert table.headers == ["F.I.Sh", "Telefon raqami", "Kurs", "Izoh", "Sana", "E-mail"]
    assert len([r for r in rows_of(table) if any(r[1])]) == 7
