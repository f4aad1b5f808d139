"""Regenerates the binary fixtures in this folder (the CSVs are written by hand).

    .venv/bin/python tests/import_service/files/generate.py

The encrypted workbook needs msoffcrypto-tool, which the project does not
depend on: `pip install --target /tmp/msoff msoffcrypto-tool` and run with
PYTHONPATH=/tmp/msoff. Without it, that one file is left as it is.
"""

import datetime
import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent


def partner_workbook() -> openpyxl.Workbook:
    """A partner's list as it really comes: a title row, a blank row, then the
    header; phones as numbers and as scientific text; a date typed into the
    course column; a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Leads"
    ws.append(["Hamkor: Registan Academy — noyabr ro‘yxati"])
    ws.append([])
    ws.append(["F.I.Sh", "Telefon raqami", "Kurs", "Izoh", "Sana", "E-mail"])
    ws.append(
        [
            "Aziza Karimova",
            998901110101,
            "IELTS",
            "ertalab qo‘ng‘iroq",
            datetime.datetime(2026, 11, 20, 9, 30),
            "aziza@example.uz",
        ]
    )
    ws.append(["Bekzod Rahimov", 998901110102.0, "SAT", None, datetime.datetime(2026, 11, 20, 10, 0), None])
    ws.append(
        [
            "Dilshod Ergashev",
            "9.98901110103E+11",
            datetime.datetime(2026, 12, 1),
            "kurs sanasi",
            "21.11.2026 11:15",
            None,
        ]
    )
    ws.append([None, None, None, None, None, None])
    ws.append(["Gulnora", "90 111 01 04", "Python", None, None, "not-an-email"])
    ws.append(
        ["Ikkinchi marta", "+998 90 111 01 01", "IELTS", "takroriy", datetime.datetime(2026, 11, 22, 12, 0), None]
    )
    ws.append(["Xato raqam", "12345", "IELTS", None, None, None])
    ws.append(['=HYPERLINK("http://evil.example","click")', "", "IELTS", "telefonsiz", None, None])
    other = wb.create_sheet("Archive")
    other.append(["Ism", "Telefon"])
    other.append(["Arxiv Odam", "+998 90 111 09 09"])
    return wb


def main():
    wb = partner_workbook()
    wb.save(HERE / "partner_leads.xlsx")
    data = (HERE / "partner_leads.xlsx").read_bytes()
    (HERE / "corrupt.xlsx").write_bytes(data[: len(data) // 2])
    try:
        import msoffcrypto
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        print("msoffcrypto-tool not installed: password_protected.xlsx left as it is")
    else:
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(data)).encrypt("secret-2026", out)
        (HERE / "password_protected.xlsx").write_bytes(out.getvalue())
        assert msoffcrypto.OfficeFile(io.BytesIO(out.getvalue())).is_encrypted()


if __name__ == "__main__":
    main()
