"""Django's own admin texts in Uzbek (our supplement, locale_django/uz/), in a real browser:
an Uzbek browser and an Uzbek centre default, a superuser's first minutes. Our own texts
are still English at this stage; these checks are about Django's.

Screenshots at 1366×900 go to test-artifacts/ (uz-login.png, uz-index.png, ...)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PASSWORD
from tests.factories import UserFactory
from tests.scheduling.factories import GroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH_OF_DJANGO = [
    "Log in",
    "Log out",
    "Home",
    "Save and add another",
    "Save and continue editing",
    "Recent actions",
    "Change password",
    "Welcome,",
    "0 of 2 selected",
    "1 of 2 selected",
    "Today",
    "Run the selected action",
]


@pytest.fixture
def uz_page(browser, live_server, settings):
    settings.LANGUAGE_CODE = "uz"
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1366, "height": 900},
        locale="uz-UZ",
        extra_http_headers={"Accept-Language": "uz-UZ,uz;q=0.9"},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"uz-{name}.png"), full_page=False)


def assert_no_english_of_django(page):
    text = page.locator("body").inner_text()
    assert [english for english in ENGLISH_OF_DJANGO if english in text] == [], text


def test_superuser_meets_django_admin_in_uzbek(uz_page):
    page = uz_page
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    GroupFactory(name="IELTS Morning A")
    GroupFactory(name="IELTS Evening B")

    page.goto("/admin/login/?next=/admin/")
    expect(page.locator("input[type=submit]")).to_have_value("Kirish")
    expect(page.locator("label[for=id_username]")).to_have_text("Login:")
    expect(page.locator("label[for=id_password]")).to_have_text("Parol:")
    shot(page, "login")
    assert_no_english_of_django(page)
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    expect(page.locator("html")).to_have_attribute("lang", "uz")
    expect(page.locator("#user-tools")).to_contain_text("Xush kelibsiz,")
    expect(page.locator("#user-tools")).to_contain_text("Parolni oʻzgartirish")
    expect(page.locator("#logout-form button")).to_have_text("Chiqish")
    expect(page.locator("#recent-actions-module h2")).to_have_text("Soʻnggi amallar")
    expect(page.locator("#content-main a.addlink").first).to_have_text("Qoʻshish")
    shot(page, "index")
    assert_no_english_of_django(page)

    page.goto("/admin/scheduling/group/")
    expect(page.locator(".breadcrumbs")).to_contain_text("Bosh sahifa")
    expect(page.locator("#changelist-filter h2")).to_have_text("Filtr")
    expect(page.locator("#changelist-search input[type=submit]")).to_have_value("Qidirish")
    expect(page.locator(".actions label")).to_contain_text("Amal:")
    expect(page.locator(".actions button[name=index]")).to_have_text("Bajarish")
    expect(page.locator(".action-counter")).to_have_text("2 tadan 0 tasi tanlandi")
    page.locator("#result_list tbody input.action-select").first.check()
    expect(page.locator(".action-counter")).to_have_text("2 tadan 1 tasi tanlandi")
    shot(page, "changelist")
    assert_no_english_of_django(page)

    page.get_by_role("link", name="IELTS Morning A").click()
    # The group page has Save at the top and at the bottom (save_on_top).
    expect(page.locator("input[name=_save]")).to_have_count(2)
    expect(page.locator("input[name=_save]").first).to_have_value("Saqlash")
    expect(page.locator("input[name=_addanother]").first).to_have_value("Saqlash va yana qoʻshish")
    expect(page.locator("input[name=_continue]").first).to_have_value("Saqlash va tahrirlashda davom etish")
    expect(page.locator("a.deletelink").first).to_have_text("Oʻchirish")
    expect(page.locator("a.historylink")).to_have_text("Tarix")
    expect(page.locator("#id_start_date")).to_have_value("01.09.2026")
    shortcuts = page.locator("#id_start_date").locator("xpath=following-sibling::span[@class='datetimeshortcuts']")
    expect(shortcuts).to_contain_text("Bugun")
    shortcuts.locator("a").last.click()  # the calendar icon
    calendar = page.locator(".calendarbox").first
    expect(calendar).to_be_visible()
    expect(calendar.locator("caption")).to_have_text("Sentabr 2026")
    expect(calendar.locator("th").first).to_have_text("Du")  # weeks start on Monday
    expect(calendar.locator(".calendar-shortcuts")).to_contain_text("Kecha")
    expect(calendar.locator(".calendar-cancel")).to_contain_text("Bekor qilish")
    shot(page, "change-form-calendar")
    calendar.locator("td a", has_text="15").click()
    expect(page.locator("#id_start_date")).to_have_value("15.09.2026")
    assert_no_english_of_django(page)


# --- a salesperson's morning, in Uzbek -----------------------------------------------------


def english_of_ours(page) -> list[str]:
    """Our own English msgids on the page (the crawl's check, in a real browser)."""
    from tests.core.test_admin_languages_crawl import english_in

    return english_in(page.content(), "uz")


def test_a_salespersons_morning_in_uzbek(uz_page):
    """Malika's language is Uzbek (saved on her account, whatever the browser says):
    she signs in, opens her leads, finds a lead by a name typed with a plain
    apostrophe, books a trial lesson and records a contact, then switches to
    Russian and back from the header. No English of ours on any page."""
    import datetime

    from django.utils import timezone

    from leads.services import lead_assign, lead_create
    from tests.factories import ManagerFactory, SalespersonFactory
    from tests.trials.factories import group_meeting_on

    malika = SalespersonFactory(username="malika", first_name="Malika", last_name="Tursunova", language="uz")
    boss = ManagerFactory(username="dilnoza")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    group_meeting_on(tomorrow, name="IELTS kechki", start=datetime.time(18, 0), end=datetime.time(19, 30))
    lead = lead_create(phone="+998901234567", source="telegram", full_name="Gʻulom Karimov")
    lead_assign(lead=lead, salesperson=malika, by=boss)
    page = uz_page

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "malika")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    expect(page.locator("#language-switcher button[aria-current]")).to_have_text("Oʻzbek tili")
    expect(page.locator("#content-main")).to_contain_text("Lidlar")
    assert english_of_ours(page) == []

    page.goto("/admin/leads/lead/")
    page.fill("#searchbar", "G'ulom")  # typed with a plain apostrophe
    page.locator("#changelist-search input[type=submit]").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Gʻulom Karimov")
    expect(page.locator("#result_list thead")).to_contain_text("Holat")
    shot(page, "sales-leads")
    assert english_of_ours(page) == []

    page.get_by_role("link", name="Gʻulom Karimov").first.click()
    expect(page.locator("fieldset")).to_contain_text(["Bogʻlanish eslatmasi"])
    expect(page.locator(".field-follow_up_panel")).to_contain_text("Bogʻlanishni qayd etish")
    shot(page, "sales-lead")
    assert english_of_ours(page) == []

    page.goto(f"/admin/leads/lead/{lead.pk}/book-trial/")
    expect(page.locator("h1")).to_contain_text("sinov darsiga yozish")
    page.select_option("#id_session", index=1)
    page.locator("#form-page input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Yozildi:")
    expect(page.locator(".messagelist")).to_contain_text("Eslatmalar rejalashtirildi.")
    shot(page, "sales-trial-booked")
    assert english_of_ours(page) == []

    page.locator(".field-follow_up_panel button", has_text="Bogʻlanishni qayd etish").click()
    expect(page.locator(".messagelist")).to_contain_text("bilan bogʻlanish qayd etildi.")
    assert english_of_ours(page) == []

    page.locator("#language-switcher button[value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".messagelist, #content")).to_contain_text("Пробные уроки")
    page.locator("#language-switcher button[value=uz]").click()
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    shot(page, "sales-back-in-uzbek")
    malika.refresh_from_db()
    assert malika.language == "uz"
