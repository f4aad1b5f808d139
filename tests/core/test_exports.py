import datetime
import io

import pytest
from openpyxl import load_workbook

from core.exports import csv_response, safe_cell, xlsx_response


@pytest.mark.parametrize("dangerous", ["=1+2", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_cells_are_neutralised(dangerous):
    assert safe_cell(dangerous) == "'" + dangerous


@pytest.mark.parametrize("value, expected", [("Kamila", "Kamila"), (12, 12), (None, ""), ("+998 90", "'+998 90")])
def test_plain_values_pass_through(value, expected):
    assert safe_cell(value) == expected


def test_xlsx_cells_are_text_not_formulas():
    response = xlsx_response("x.xlsx", ["name"], [["=cmd|' /C calc'!A0"]])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A2"].data_type == "s"


def test_decimals_are_numbers_not_neutralised_text():
    from decimal import Decimal

    assert safe_cell(Decimal("-1250.50")) == Decimal("-1250.50")  # not "'-1250.50"
    response = xlsx_response("x.xlsx", ["cost"], [[Decimal("400000.50")]])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == (400000.5, "n")


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime.time(18, 30), "18:30"),
        (datetime.time(9, 5, 7), "09:05:07"),
        (datetime.date(2026, 12, 1), "2026-12-01"),
        (datetime.datetime(2026, 12, 1, 5, 0, tzinfo=datetime.UTC), "2026-12-01 10:00:00+05:00"),  # Tashkent time
    ],
)
def test_times_dates_and_moments_are_written_as_text_people_read(value, expected):
    assert safe_cell(value) == expected


def test_csv_goes_out_with_the_delimiter_and_encoding_asked_for_and_stays_formula_safe():
    response = csv_response(
        "x.csv", ["Ism", "Izoh"], [["Анна", "=SUM(A1)"], ["a;b", "+998"]], delimiter=";", encoding="cp1251"
    )
    assert response["Content-Type"] == "text/csv; charset=windows-1251"
    assert response.content.decode("cp1251").splitlines() == ["Ism;Izoh", "Анна;'=SUM(A1)", '"a;b";\'+998']


def test_csv_that_cp1251_cannot_hold_is_written_whole_as_utf8_with_bom_not_with_question_marks():
    response = csv_response("x.csv", ["Ism"], [["Oʻgʻiloy"]], delimiter=";", encoding="cp1251")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content == "\ufeffIsm\r\nOʻgʻiloy\r\n".encode()


def test_csv_default_is_comma_separated_utf8_with_bom():
    response = csv_response("x.csv", ["a", "b"], [[1, "Юлия"]])
    assert response.content == "\ufeffa,b\r\n1,Юлия\r\n".encode()
