"""A salesperson's morning and a manager's morning on the start page, at a
desktop (1366×900) and a phone (390×844) size. Screenshots of each go to
test-artifacts/screenshots/ (README "Start pages"), which CI keeps."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from leads.models import Lead, LeadSource
from reminders.models import LeadReminder
from tests.analytics.factories import LeadMetricsFactory
from tests.browser.conftest import ARTIFACTS
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.reminders.factories import LeadReminderFactory
from tests.trials.factories import book, group_meeting_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TZ = ZoneInfo("Asia/Tashkent")
# A morning just ahead of the real clock (browser cookies keep real time), Wednesday 10:00.
NOW = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=TZ)
SCREENSHOTS = ARTIFACTS / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_fits(page, width):
    """No sideways scrolling, and every button of the start page is a 44 px touch target."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sizes = page.locator("#start-page .button, #start-page .start-table a").evaluate_all(
        "els => els.map(e => [e.textContent.trim(), e.getBoundingClientRect().height, e.getBoundingClientRect().width])"
    )
    assert sizes
    small = [s for s in sizes if s[1] < 44 or s[2] < 44]
    assert not small, small


def followup(salesperson, *, due, **lead):
    lead = LeadFactory(assigned_to=None, **lead)
    return LeadReminderFactory(lead=lead, salesperson=salesperson, due_at=due, next_notify_at=due)


@pytest.mark.parametrize("size", SIZES)
def test_salesperson_morning(page, admin_login, salesperson, size):
    late = followup(
        salesperson,
        due=NOW - datetime.timedelta(days=1, hours=2),
        full_name="Kamila Yusupova",
        phone="+998905550201",
        telegram_chat_id="5550201",
    )
    followup(
        salesperson, due=NOW + datetime.timedelta(hours=2, minutes=30, seconds=59), full_name="", phone="+998905550202"
    )
    group = group_meeting_on(NOW.date(), start=datetime.time(9, 0), end=datetime.time(10, 30), name="IELTS B2 morning")
    trial_lead = LeadFactory(
        full_name="Oybek Nazarov", phone="+998905550301", assigned_to=salesperson, whatsapp_id="998905550301"
    )
    book(lead=trial_lead, group=group, date=NOW.date(), by=salesperson, at=NOW - datetime.timedelta(days=1))
    waiting = LeadFactory(
        full_name="Dilnoza Karimova", phone="+998905550401", created_at=NOW - datetime.timedelta(days=2)
    )
    Lead.objects.filter(pk=waiting.pk).update(assigned_to=salesperson)

    page.set_viewport_size(SIZES[size])
    admin_login(salesperson)

    expect(page.locator("h1")).to_have_text("Your day")
    counts = page.locator(".start-counts")
    expect(counts).to_contain_text("1 Overdue follow-ups")
    expect(counts).to_contain_text("1 Trials today")
    overdue = page.locator("#section-overdue")
    expect(overdue).to_contain_text("Kamila Yusupova")
    expect(overdue).to_contain_text("1 d 2 h overdue")
    expect(overdue.locator('a[href="tel:+998905550201"]')).to_be_visible()
    expect(overdue.get_by_role("link", name="Telegram")).to_have_attribute("href", "tg://user?id=5550201")
    trials = page.locator("#section-trials")
    expect(trials).to_contain_text("attendance due")
    expect(trials.get_by_role("link", name="WhatsApp")).to_have_attribute("href", "https://wa.me/998905550301")
    expect(page.locator("#section-due_today")).to_contain_text("Unnamed")
    expect(page.locator("#section-due_today")).to_contain_text("in 2 h 30 min")
    expect(page.locator("#section-new")).to_contain_text("Dilnoza Karimova")
    expect(page.locator("#section-new")).to_contain_text("waiting 2 d")
    assert_fits(page, SIZES[size]["width"])
    shoot(page, f"start-salesperson-{size}")

    # One click: the call is recorded and the day is shorter, still on the start page.
    overdue.get_by_role("button", name="Record contact").click()
    expect(page.locator(".messagelist")).to_contain_text("Contact with Kamila Yusupova")
    expect(page.locator("h1")).to_have_text("Your day")
    expect(page.locator("#section-overdue")).to_contain_text("Nothing overdue")
    assert not LeadReminder.objects.filter(pk=late.pk, status__in=["pending", "sent"]).exists()

    # The usual app list is still there.
    page.get_by_role("link", name="All sections").first.click()
    expect(page.locator('#all-sections a[href="/admin/leads/lead/"]').first).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_manager_morning(page, admin_login, manager, size):
    anvar = SalespersonFactory(first_name="Anvar", last_name="Rustamov")
    SalespersonFactory(first_name="Malika", last_name="Tosheva")
    for n, source in enumerate([LeadSource.INSTAGRAM, LeadSource.TELEGRAM, LeadSource.LANDING]):
        LeadFactory(full_name=f"Waiting {n + 1}", source=source, created_at=NOW - datetime.timedelta(hours=n + 1))
    followup(anvar, due=NOW - datetime.timedelta(days=2, hours=3), full_name="Late one")
    group = group_meeting_on(NOW.date(), start=datetime.time(16, 0), end=datetime.time(17, 30), name="Kids English 3")
    book(lead=LeadFactory(full_name="Trial kid", assigned_to=anvar), group=group, date=NOW.date(), by=anvar)
    LeadMetricsFactory(date=NOW.date() - datetime.timedelta(days=1), total_leads=23, enrolled=4)

    page.set_viewport_size(SIZES[size])
    admin_login(manager)

    expect(page.locator("h1")).to_have_text("This morning")
    expect(page.locator(".start-counts")).to_contain_text("3 Unassigned leads")
    behind = page.locator("#section-behind")
    expect(behind.locator("tbody tr").first).to_contain_text("Anvar Rustamov")
    expect(behind).to_contain_text("2 d 3 h overdue")
    expect(page.locator("#section-trials")).to_contain_text("Kids English 3")
    expect(page.locator("#section-trials")).to_contain_text("Trial kid")
    expect(page.locator("#section-trials")).to_contain_text("Anvar Rustamov")  # whose lead it is
    expect(page.locator("#section-yesterday")).to_contain_text("23")
    expect(page.locator("#section-yesterday").get_by_role("link", name="Open the dashboard")).to_be_visible()
    assert_fits(page, SIZES[size]["width"])
    shoot(page, f"start-manager-{size}")

    # Hard to undo, so it asks first, saying who gets how many.
    page.get_by_role("link", name="Assign all 3 round-robin…").click()
    expect(page.locator(".start-shares")).to_contain_text("Anvar Rustamov")
    assert_fits(page, SIZES[size]["width"])
    page.get_by_role("button", name="Yes, assign 3 leads").click()
    expect(page.locator(".messagelist")).to_contain_text("3 leads assigned round-robin")
    expect(page.locator("#section-unassigned")).to_contain_text("Every open lead has a salesperson.")
    assert not Lead.objects.filter(full_name__startswith="Waiting", assigned_to__isnull=True).exists()


@pytest.mark.parametrize("size", SIZES)
def test_teacher_week(page, admin_login, teacher, salesperson, size):
    today = NOW.date()
    group = group_meeting_on(today, start=datetime.time(16, 0), end=datetime.time(17, 30), teacher=teacher)
    book(lead=LeadFactory(full_name="Sevara Alimova", assigned_to=salesperson), group=group, date=today, by=salesperson)
    friday = today + datetime.timedelta(days=2)
    group_meeting_on(friday, teacher=teacher, name="Friday juniors")

    page.set_viewport_size(SIZES[size])
    admin_login(teacher)

    expect(page.locator("h1")).to_have_text("Your lessons")
    expect(page.locator("#section-lessons-today")).to_contain_text(group.name)
    expect(page.locator("#section-lessons-today")).to_contain_text("Sevara Alimova")
    expect(page.locator("#section-lessons-later")).to_contain_text("Friday juniors")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    shoot(page, f"start-teacher-{size}")
