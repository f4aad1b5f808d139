"""The timetable staff read at a glance: a seeded room's week grid with
colour-coded groups, a teacher's week, and the free-room finder."""

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from scheduling import demo as scheduling_demo
from tests.factories import UserFactory
from tests.scheduling.factories import ensure_role_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED = "rgb(198, 40, 40)"  # .badge-red in core/static/core/admin.css


class Quiet:
    def write(self, *args, **kwargs):
        pass


@pytest.fixture
def seeded():
    ensure_role_groups()
    accounts_demo.seed(Quiet())
    scheduling_demo.seed(Quiet())


def test_room_week_grid_shows_coloured_groups(page, admin_login, seeded):
    admin_login(UserFactory(username="boss", is_superuser=True))

    page.get_by_role("link", name="Timetable & free rooms").click()
    expect(page.locator("#content h1")).to_contain_text("Timetable — Room 101")
    page.select_option("select[name=room]", label="101 (16)")
    page.click("#timetable-filter input[type=submit]")

    grid = page.locator("#timetable")
    # IELTS Evening A meets Mon/Wed/Fri at 18:00 and is full (14 of 14): red, three times a week.
    full = grid.locator('a.tt-entry[data-group="IELTS Evening A"]')
    expect(full).to_have_count(3)
    expect(full.first).to_have_css("background-color", RED)
    expect(full.first).to_contain_text("18:00–19:30")
    expect(full.first).to_contain_text("14/14")
    # Tue/Thu evening group in the same room, and no group from another room.
    expect(grid.locator('a.tt-entry[data-group="IELTS Evening B"]')).to_have_count(2)
    expect(grid).not_to_contain_text("Python Beginners A")
    # Every group cell is coloured by its occupancy.
    colours = grid.locator("a.tt-entry").evaluate_all("els => els.map(e => e.dataset.colour)")
    assert colours and set(colours) <= {"green", "orange", "red"}
    assert len(set(colours)) >= 2

    page.click("text=Next week →")
    expect(page.locator('a.tt-entry[data-group="IELTS Evening A"]')).to_have_count(3)

    page.locator('a.tt-entry[data-group="IELTS Evening A"]').first.click()
    expect(page.locator("#id_name")).to_have_value("IELTS Evening A")


def test_teacher_week_and_free_room_finder(page, admin_login, seeded):
    admin_login(UserFactory(username="boss2", is_superuser=True))
    page.goto("/admin/scheduling/room/timetable/")
    page.select_option("select[name=room]", value="")
    page.select_option("select[name=teacher]", label="Jamshid Nazarov")
    page.click("#timetable-filter input[type=submit]")
    expect(page.locator("#content h1")).to_contain_text("Teacher Jamshid Nazarov")
    grid = page.locator("#timetable")
    expect(grid.locator('a.tt-entry[data-group="Python Beginners A"]')).to_have_count(3)
    expect(grid.locator('a.tt-entry[data-group="SAT Math Weekday"]')).to_have_count(2)
    expect(grid).not_to_contain_text("IELTS Evening A")

    page.get_by_role("link", name="Find a free room").first.click()
    page.select_option("#id_days", value="tue_thu")
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "10:30")
    page.click("#free-room-form input[type=submit]")
    rooms = page.locator("#free-rooms .free-room-name")
    expect(page.locator("#free-rooms")).to_be_visible()
    names = rooms.all_inner_texts()
    # 101 has Mon/Wed/Fri 9:00 only; 202 has odd- and even-day groups at 9:00, which meet on Tue/Thu.
    assert "101" in names and "Lab 1" in names
    assert "202" not in names
    expect(page.locator("#free-rooms")).to_contain_text("16")  # capacity of 101
