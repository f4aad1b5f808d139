import datetime
import io

import pytest
from openpyxl import load_workbook

from core.exports import safe_cell, xlsx_response


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
