"""Numbers grouped for people ("1 250 000") must not leak into values machines read:
ids in option values and links; day and time inputs carry the house format
(07.12.2026, 09:30) in every language, never a localized or 12-hour form."""

import datetime

import pytest
from django.urls import reverse

from analytics.views import DateRangeForm
from scheduling.forms import FreeRoomForm, TimetableFilterForm
from tests.factories import TeacherFactory
from tests.scheduling.factories import RoomFactory
from trials.forms import SessionChoiceForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_timetable_filter_options_carry_plain_ids(manager_client, language):
    room = RoomFactory(id=12345)
    teacher = TeacherFactory(id=23456)
    page = manager_client.get(
        reverse("admin:scheduling_room_timetable"), {"room": room.pk}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert 'value="12345"' in page
    assert f'value="{teacher.pk}"' in page
    assert "12\xa0345" not in page.split("<select", 1)[1].split("</form>", 1)[0]


def test_free_room_links_carry_plain_ids(manager_client):
    RoomFactory(id=12345, capacity=20)
    page = manager_client.get(
        reverse("admin:scheduling_room_free_rooms"),
        {"days": "mon_wed_fri", "start_time": "09:00", "end_time": "10:00", "start_date": "2026-12-07"},
        HTTP_ACCEPT_LANGUAGE="ru",
    ).content.decode()
    assert "?room=12345&" in page


@pytest.mark.parametrize(
    ("form", "field", "value", "expected"),
    [
        (DateRangeForm, "first", datetime.date(2026, 12, 7), 'value="07.12.2026"'),
        (TimetableFilterForm, "week", datetime.date(2026, 12, 7), 'value="07.12.2026"'),
        (FreeRoomForm, "start_date", datetime.date(2026, 12, 7), 'value="07.12.2026"'),
        (FreeRoomForm, "start_time", datetime.time(9, 30), 'value="09:30"'),
    ],
)
def test_day_and_time_inputs_render_the_house_format_in_every_language(form, field, value, expected):
    from django.utils import translation

    for language in ("uz", "ru", "en"):
        with translation.override(language):
            assert expected in str(form(initial={field: value})[field])


def test_trial_time_input_renders_hours_and_minutes():
    from django.utils import translation

    with translation.override("uz"):
        html = str(SessionChoiceForm(options=[], initial={"time": datetime.time(18, 0)})["time"])
    assert 'value="18:00"' in html
