"""House formats (crm_project/formats/): the same dates, times and numbers in every language."""

import datetime
import json
import re
import zoneinfo
from decimal import Decimal

import pytest
from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.template import Context, Template
from django.utils import translation

LANGUAGES = ["uz", "ru", "en"]
TASHKENT = zoneinfo.ZoneInfo("Asia/Tashkent")
NBSP = "\xa0"


class DatesForm(forms.Form):
    day = forms.DateField()
    moment = forms.DateTimeField(required=False)
    at = forms.TimeField(required=False)


class AmountForm(forms.Form):
    plain = forms.IntegerField(required=False)
    grouped = forms.DecimalField(required=False, localize=True, decimal_places=2)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_dd_mm_yyyy_date_and_a_24_hour_time_are_accepted_in_every_language(language):
    with translation.override(language):
        form = DatesForm({"day": "07.12.2026", "moment": "07.12.2026 14:30", "at": "18:45"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 7)
    assert form.cleaned_data["moment"] == datetime.datetime(2026, 12, 7, 14, 30, tzinfo=TASHKENT)
    assert form.cleaned_data["at"] == datetime.time(18, 45)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-07", datetime.date(2026, 12, 7)),  # what <input type="date"> sends
        ("07.12.26", datetime.date(2026, 12, 7)),
        (" 07.12.2026 ", datetime.date(2026, 12, 7)),
    ],
)
def test_iso_and_short_year_dates_are_accepted_too(language, typed, expected):
    with translation.override(language):
        form = DatesForm({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_us_style_date_is_refused_rather_than_read_as_another_day(language):
    with translation.override(language):
        form = DatesForm({"day": "12/07/2026"})
        assert not form.is_valid()
        assert "day" in form.errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_and_times_display_as_dd_mm_yyyy_and_24_hour(language):
    moment = datetime.datetime(2026, 12, 7, 16, 5, tzinfo=TASHKENT)
    with translation.override(language):
        text = render(
            "{{ day }}|{{ moment }}|{{ at }}|{{ day|date:'SHORT_DATE_FORMAT' }}",
            day=moment.date(),
            moment=moment,
            at=moment.time(),
        )
    assert text == "07.12.2026|07.12.2026 16:05|16:05|07.12.2026"


def test_day_and_month_read_naturally_in_each_language():
    day = datetime.date(2026, 12, 7)
    results = {}
    for language in LANGUAGES:
        with translation.override(language):
            results[language] = render("{{ d|date:'MONTH_DAY_FORMAT' }} / {{ d|date:'YEAR_MONTH_FORMAT' }}", d=day)
    assert results == {
        "uz": "7-dekabr / Dekabr 2026-yil",
        "ru": "7 декабря / Декабрь 2026 г.",
        "en": "7 December / December 2026",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_money_reads_with_no_break_spaces_between_thousands(language):
    with translation.override(language):
        assert render("{{ amount }} UZS", amount=1250000) == f"1{NBSP}250{NBSP}000 UZS"
        assert render("{{ amount }}", amount=Decimal("1250000.50")).startswith(f"1{NBSP}250{NBSP}000")


def test_decimals_keep_each_language_separator():
    values = {}
    for language in LANGUAGES:
        with translation.override(language):
            values[language] = render("{{ v|floatformat:1 }}", v=12.5)
    assert values == {"uz": "12,5", "ru": "12,5", "en": "12.5"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_number_inputs_keep_plain_digits_unless_the_field_is_localized(language):
    with translation.override(language):
        form = AmountForm(initial={"plain": 1250000, "grouped": Decimal("1250000.00")})
        html = str(form["plain"]) + str(form["grouped"])
        assert 'value="1250000"' in html
        assert f'value="1{NBSP}250{NBSP}000' in html
        decimal = "," if language != "en" else "."
        bound = AmountForm({"plain": "1250000", "grouped": f"1 250 000{decimal}50"})
        assert bound.is_valid(), bound.errors
    assert bound.cleaned_data == {"plain": 1250000, "grouped": Decimal("1250000.50")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_date_and_time_widgets_show_the_house_format(language):
    with translation.override(language):
        date_html = admin_widgets.AdminDateWidget().render("day", datetime.date(2026, 12, 7))
        time_html = admin_widgets.AdminTimeWidget().render("at", datetime.time(14, 30))
    assert 'value="07.12.2026"' in date_html
    assert 'value="14:30"' in time_html


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_calendar_starts_weeks_on_monday_and_writes_dd_mm_yyyy(admin_client, language):
    response = admin_client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE=language)
    match = re.search(r"django\.formats = (\{.*?\});", response.content.decode(), re.S)
    js_formats = json.loads(match.group(1))
    assert js_formats["FIRST_DAY_OF_WEEK"] == 1
    assert js_formats["DATE_INPUT_FORMATS"][0] == "%d.%m.%Y"
    assert js_formats["TIME_INPUT_FORMATS"][0] == "%H:%M"
