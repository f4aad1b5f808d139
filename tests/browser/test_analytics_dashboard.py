"""The morning numbers in a real browser: the analytics dashboard, reached from
the admin index, drawing the stored rollups for a chosen date range."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.models import RoomDayUsage
from analytics.services.rollup import analytics_rollup_range
from scheduling.patterns import DayPattern
from tests.analytics import factories as f
from tests.analytics.helpers import local, walk
from tests.factories import SalespersonFactory, UserFactory
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import GroupFactory, RoomFactory, ensure_role_groups
from trials import services as trials

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
D = datetime.date(2026, 11, 16)  # a Monday


@pytest.fixture
def history():
    """Three days of real leads, rolled up by the real rollup, plus spend and room usage."""
    ensure_role_groups()
    aziz = SalespersonFactory(first_name="Aziz", last_name="Rahimov")
    malika = SalespersonFactory(first_name="Malika", last_name="Tursunova")
    rooms = {name: RoomFactory(name=name) for name in ("Room 101", "Room 102")}
    group = GroupFactory(
        days=DayPattern.MON_WED_FRI,
        start_time=datetime.time(20),
        end_time=datetime.time(21, 30),
        room=rooms["Room 101"],
    )
    sources = ["instagram", "telegram", "instagram", "landing", "whatsapp", "telegram"]
    for n, source in enumerate(sources * 2):
        day = D + datetime.timedelta(days=n % 3)
        person = aziz if n % 2 else malika
        lead = LeadFactory(created_at=local(day, 9 + n % 8), source=source, assigned_to=person)
        walk(lead, [("contacted", local(day, 17))], by=person)
        if n % 3 == 0:  # n = 0, 3, 6, 9 (all on Monday): at a trial that evening; n = 0, 6 enrol
            trial = trials.trial_book(lead=lead, group=group, date=day, by=person, at=local(day, 17, 30))
            trials.trial_mark_attended(trial=trial, by=person, at=local(day, 21, 40))
            if n % 6 == 0:
                trials.trial_record_result(trial=trial, result="accepted", by=person, at=local(day, 21, 50))
    f.MarketingSpendFactory(date=D, channel="instagram", cost=Decimal("800000"), impressions=40000, clicks=500)
    f.MarketingSpendFactory(date=D, channel="telegram", cost=Decimal("300000"), impressions=20000, clicks=400)
    analytics_rollup_range(first=D, last=D + datetime.timedelta(days=2))
    for name, values in (("Room 101", [40, 85, 100]), ("Room 102", [10, 55, 70])):
        room = rooms[name]
        for n, value in enumerate(values):
            # Room 101's lessons are rolled up already: known figures replace them.
            RoomDayUsage.objects.update_or_create(
                date=D + datetime.timedelta(days=n), room=room, defaults={"occupancy_percent": Decimal(value)}
            )


def test_manager_reads_the_dashboard_for_a_date_range(page, admin_login, history):
    admin_login(UserFactory(username="director", is_superuser=True))
    page.click('a[href="/admin/analytics/dashboard/"]')
    # Typed as staff type a day (core/widgets.py DayInput), whatever the browser's locale.
    page.fill("#id_first", f"{D:%d.%m.%Y}")
    page.fill("#id_last", f"{D + datetime.timedelta(days=2):%d.%m.%Y}")
    page.click("#analytics-dashboard input[type=submit]")

    funnel = page.locator('svg[data-chart="funnel"]')
    expect(funnel).to_be_visible()
    # 12 leads, all contacted; 4 at a trial (n = 0, 3, 6, 9) and 2 enrolled (n = 0 and 6).
    expect(funnel.locator('[data-label="New leads"]')).to_have_attribute("data-value", "12")
    expect(funnel.locator('[data-label="First contacts"]')).to_have_attribute("data-value", "12")
    expect(funnel.locator('[data-label="Trials booked"]')).to_have_attribute("data-value", "4")
    expect(funnel.locator('[data-label="Trials attended"]')).to_have_attribute("data-value", "4")
    expect(funnel.locator('[data-label="Enrolled"]')).to_have_attribute("data-value", "2")
    # The leaderboard's total row is the funnel; the days are complete.
    expect(page.locator("table.leaderboard tr.total")).to_have_text(re.compile(r"Total\s*12\s*4\s*4\s*2\s*0"))
    expect(page.locator("p.freshness")).to_have_text(re.compile(r"^Updated \d\d:\d\d$"))

    sources = page.locator('svg[data-chart="leads-by-source"]')
    expect(sources.locator("g.column")).to_have_count(3)
    expect(sources.locator(f'g.column[data-label="{D:%d.%m.%Y}"]')).to_have_attribute("data-value", "4")

    board = page.locator('svg[data-chart="leaderboard"]')
    expect(board.locator("g.bar")).to_have_count(2)
    expect(page.locator("table.leaderboard")).to_contain_text("Malika Tursunova")

    # Instagram: 800 000 UZS for 4 leads over the range.
    expect(page.locator('svg[data-chart="cpl"] [data-label="Instagram"]')).to_have_attribute("data-value", "200000")
    heat = page.locator('svg[data-chart="room-occupancy"]')
    expect(heat.locator("g.cell")).to_have_count(14)
    expect(heat.locator('[data-label="Room 101 Wed 18.11"]')).to_have_attribute("data-value", "100.0")

    # Real rendered geometry, not just markup: every chart has a visible size.
    for chart in ("funnel", "leads-by-source", "leaderboard", "cpl", "room-occupancy"):
        box = page.locator(f'svg[data-chart="{chart}"]').bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50, chart
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analytics-dashboard.png"), full_page=True)

    # On a phone: no sideways scrolling of the page, and a quick range is a tap away.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The leaderboard is a card per salesperson there, nothing to scroll sideways.
    assert page.evaluate(
        "(t => t.scrollWidth <= t.parentElement.clientWidth)(document.querySelector('table.leaderboard'))"
    )
    expect(page.locator("table.leaderboard thead")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "analytics-dashboard-phone.png"), full_page=True)
    page.click("nav.quick-ranges a >> text=Yesterday")
    expect(page.locator('nav.quick-ranges a[aria-current="page"]')).to_have_text("Yesterday")
    box = page.locator("nav.quick-ranges a").first.bounding_box()
    assert box and box["height"] >= 44
