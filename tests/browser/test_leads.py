"""Staff's daily lead flow in a real browser: log in, list, filter by source, open a lead."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import user_language_set
from leads.models import LeadSource
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_filters_leads_by_source_and_opens_one(page, admin_login, manager):
    LeadFactory(full_name="Kamila Yusupova", phone="+998905550201", source=LeadSource.LANDING)
    LeadFactory(full_name="Oybek Nazarov", phone="+998905550301", source=LeadSource.TELEGRAM)
    admin_login(manager)

    page.click('#content-main th a[href="/admin/leads/lead/"]')
    expect(page.locator("#result_list")).to_contain_text("Kamila Yusupova")
    expect(page.locator("#result_list")).to_contain_text("Oybek Nazarov")
    expect(page.locator("#result_list .badge-teal").first).to_have_text("Landing page")

    page.locator("#changelist-filter").get_by_role("link", name="Telegram").click()
    expect(page.locator("#result_list")).to_contain_text("Oybek Nazarov")
    expect(page.locator("#result_list")).not_to_contain_text("Kamila Yusupova")

    page.get_by_role("link", name="Oybek Nazarov").click()
    expect(page.locator("h2, h1").filter(has_text="Oybek Nazarov").first).to_be_visible()
    expect(page.locator("#id_phone")).to_have_value("+998905550301")
    expect(page.locator("#status_changes-group")).to_contain_text("New")


def test_salesperson_searches_by_phone_as_typed_and_changes_status(page, admin_login, salesperson, other_salesperson):
    LeadFactory(full_name="Mine Lead", phone="+998901234567", assigned_to=salesperson)
    LeadFactory(full_name="Someone Else", phone="+998901234568", assigned_to=other_salesperson)
    admin_login(salesperson)

    page.goto("/admin/leads/lead/")
    expect(page.locator("#result_list")).not_to_contain_text("Someone Else")
    page.fill("#searchbar", "90 123 45 67")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list")).to_contain_text("Mine Lead")

    page.get_by_role("link", name="Mine Lead").click()
    page.select_option("#id_new_status", "contacted")
    page.locator("input[name=_save]").last.click()  # Save is at the top too (save_on_top)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("#result_list")).to_contain_text("Contacted")


def test_a_russian_manager_types_a_day_into_the_date_filter_in_an_en_us_browser(page, admin_login, manager):
    """The browser's locale is en-US (mm/dd/yyyy for a native date input); ours reads дд.мм.гггг."""
    user_language_set(user=manager, language="ru")
    LeadFactory(full_name="Today Lead")
    LeadFactory(full_name="Old Lead", created_at=timezone.now() - datetime.timedelta(days=40))
    admin_login(manager)
    page.goto("/admin/leads/lead/")
    day_from = page.locator('#changelist-filter input[name="created_at__date_from"]')
    expect(day_from).to_have_attribute("placeholder", "дд.мм.гггг")
    day_from.fill(f"{timezone.localdate():%d.%m.%Y}")
    day_from.press("Enter")
    expect(page.locator("#result_list")).to_contain_text("Today Lead")
    expect(page.locator("#result_list")).not_to_contain_text("Old Lead")
    expect(day_from).to_have_value(f"{timezone.localdate():%d.%m.%Y}")
    expect(page.locator(".paginator")).to_contain_text("Лиды: 1")

    day_from.fill("12/01/2026")
    day_from.press("Enter")
    expect(page.locator("#changelist-filter .errornote")).to_have_text(
        "Введите дату в виде дд.мм.гггг, например 07.12.2026."
    )
    expect(page.locator("#result_list")).to_contain_text("Old Lead")
