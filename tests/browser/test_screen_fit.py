"""The admin fits the screen (issue 11 §5), measured in Chromium at a phone's
390×844 and a laptop's 1366×900: no sideways scrolling, the lead list as cards
on a phone with the filters above it, touch targets of at least 44 px, the lead
page's actions on the first screen and Save always in reach, and at 1366 px
every key column of the trial, group, import, lead and follow-up lists on
screen without an inner scroll bar, in English, Uzbek and Russian. Screenshots
go to test-artifacts/screenshots/."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.permissions import restore_role_grants
from accounts.services import user_language_set
from reminders.models import LeadReminder
from tests.browser.conftest import ARTIFACTS
from tests.factories import ManagerFactory, SalespersonFactory
from tests.import_service.factories import ImportLogFactory, ImportRowFactory
from tests.leads.factories import LeadFactory
from tests.trials.factories import book, group_meeting_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
TOUCH = 44  # px: the smallest comfortable touch target
SCREENSHOTS = ARTIFACTS / "screenshots"

# Every visible control in the page's content that is shorter than a finger.
SMALL_TARGETS = """(min) => {
  const found = [];
  const controls = '#content a, #content button, #content input:not([type=hidden]), #content select, '
    + '#content textarea, #content summary';
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.height >= min) continue;
    const label = (el.textContent || el.name || '').trim().slice(0, 30);
    found.push(`${el.tagName.toLowerCase()} “${label}” ${Math.round(box.height)} px`);
  }
  return found;
}"""


def shoot(page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def no_sideways_scroll(page, selector: str = "html") -> tuple[int, int]:
    return page.eval_on_selector(selector, "el => [el.scrollWidth, el.clientWidth]")


def fits(scroll: tuple[int, int]) -> bool:
    width, visible = scroll
    return width <= visible


def right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


@pytest.fixture
def seller(db):
    restore_role_grants()  # transaction=True: earlier tests emptied the role groups
    return SalespersonFactory(first_name="Malika", last_name="Tursunova")


@pytest.fixture
def long_lesson(db):
    """Tomorrow's lesson with a long group name: the label that made the book-trial select 648 px wide."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return group_meeting_on(tomorrow, name="IELTS Intensive Evening Group B2 (Chilonzor, room 4)", capacity=12)


def leads_of(seller, count=8):
    return [
        LeadFactory(
            full_name=f"Dilshod Rakhimov Abdullayevich {n}",
            phone=f"+99890100000{n}",
            assigned_to=seller,
            course_interest="IELTS preparation",
        )
        for n in range(count)
    ]


# --- a phone ------------------------------------------------------------------------------


def test_on_a_phone_the_lead_list_shows_name_phone_status_and_follow_up_without_sideways_scrolling(
    page, admin_login, seller
):
    leads_of(seller)
    page.set_viewport_size(PHONE)
    admin_login(seller)
    page.goto("/admin/leads/lead/")
    shoot(page, "phone-lead-list")

    assert fits(no_sideways_scroll(page)), "the page scrolls sideways"
    assert fits(no_sideways_scroll(page, "#changelist-form .results")), "the list has an inner scroll bar"
    row = page.locator("#result_list tbody tr", has_text="Abdullayevich 3")
    for column in ("field-name", "field-phone_display", "field-status_label", "field-follow_up"):
        cell = row.locator(f".{column}")
        expect(cell).to_be_visible()
        assert right_edge(cell) <= PHONE["width"], f"{column} is off-screen"
    expect(row.locator(".field-source_label")).to_be_hidden()  # the rest is on the lead's page
    expect(row.locator(".field-phone_display")).to_have_text("+998 90 100 00 03")

    # The filters come before the list, folded to their titles.
    filters = page.locator("#changelist-filter")
    assert filters.bounding_box()["y"] < page.locator("#result_list").bounding_box()["y"]
    status_filter = filters.locator("details", has=page.locator("summary", has_text="status"))
    expect(status_filter.locator("ul")).to_be_hidden()
    assert page.evaluate(SMALL_TARGETS, TOUCH) == []

    status_filter.locator("summary").click()
    shoot(page, "phone-lead-list-status-filter-open", full_page=False)
    status_filter.get_by_role("link", name="Contacted").click()
    expect(page).to_have_url(re.compile(r"status__exact=contacted"))
    expect(page.locator("#changelist-form")).not_to_contain_text("Abdullayevich 3")
    # Django's filters.js brings back the filter the user opened.
    expect(page.locator("#changelist-filter details", has_text="status").locator("ul")).to_be_visible()


def test_on_a_phone_the_lead_page_puts_its_actions_on_the_first_screen_and_keeps_save_in_reach(
    page, admin_login, seller
):
    lead = leads_of(seller, count=1)[0]
    page.set_viewport_size(PHONE)
    admin_login(seller)
    page.goto(f"/admin/leads/lead/{lead.pk}/change/")
    shoot(page, "phone-lead-page-first-screen", full_page=False)
    shoot(page, "phone-lead-page")

    assert fits(no_sideways_scroll(page))
    for action in ("Record contact", "Set next follow-up", "Book trial"):
        button = page.locator("#content").get_by_text(action, exact=True)
        box = button.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], f"{action} is below the first screen"

    save = page.locator(".submit-row input[name=_save]").last  # the sticky one; the top one (save_on_top) is hidden
    expect(page.locator(".submit-row input[name=_save]").first).to_be_hidden()
    expect(save).to_be_in_viewport()
    page.mouse.wheel(0, 1500)
    expect(save).to_be_in_viewport()  # still there halfway down the page
    assert page.evaluate(SMALL_TARGETS, TOUCH) == []

    page.select_option("#id_new_status", "contacted")
    save.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def test_on_a_phone_the_book_trial_page_fits_the_width(page, admin_login, seller, long_lesson):
    lead = leads_of(seller, count=1)[0]
    page.set_viewport_size(PHONE)
    admin_login(seller)
    page.goto(f"/admin/leads/lead/{lead.pk}/book-trial/")
    shoot(page, "phone-book-trial")

    assert fits(no_sideways_scroll(page)), "the page scrolls sideways"
    select = page.locator("#id_session")
    expect(select.locator("option", has_text="Chilonzor, room 4").first).to_be_attached()
    assert right_edge(select) <= PHONE["width"], f"the lesson select is {select.bounding_box()['width']} px wide"
    assert page.evaluate(SMALL_TARGETS, TOUCH) == []


# --- a laptop ------------------------------------------------------------------------------


@pytest.fixture
def busy_lists(seller, long_lesson):
    """A trial, a group with one, an import with errors: every list with its widest cells filled."""
    manager = ManagerFactory(first_name="Jasur", last_name="Olimov")
    leads = leads_of(seller, count=3)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    book(lead=leads[0], group=long_lesson, date=tomorrow, by=seller)
    LeadReminder.objects.filter(lead=leads[1]).update(note="Call back after the parents' meeting on Friday")
    log = ImportLogFactory(
        file_name="partners-november-2026-final-version-corrected.xlsx",
        created_by=manager,
        total=1200,
        created=1100,
        duplicates=60,
        errors=40,
    )
    ImportRowFactory(log=log, values=["Someone", ""])
    return manager


@pytest.mark.parametrize("language", ["en", "uz", "ru"])  # Russian column titles are the longest
@pytest.mark.parametrize(
    "name, url, key_columns",
    [
        ("trials", "/admin/trials/trial/", ["field-status_label", "field-result_label", "field-flags"]),
        ("groups", "/admin/scheduling/group/", ["field-occupancy", "field-free_slots_column", "field-is_full_column"]),
        ("imports", "/admin/import_service/importlog/", ["field-status_label", "field-errors", "field-created_at"]),
        ("leads", "/admin/leads/lead/", ["field-status_label", "field-follow_up", "field-created_at"]),
        ("follow-ups", "/admin/reminders/leadreminder/", ["field-deadline", "field-status_label", "field-note"]),
    ],
)
def test_at_1366_px_a_list_shows_its_key_columns_without_an_inner_scroll_bar(
    page, admin_login, busy_lists, name, url, key_columns, language
):
    user_language_set(user=busy_lists, language=language)
    page.set_viewport_size(LAPTOP)
    admin_login(busy_lists)
    page.goto(url)
    shoot(page, f"laptop-{name}-list-{language}", full_page=False)

    assert fits(no_sideways_scroll(page))
    results = no_sideways_scroll(page, "#changelist-form .results")
    assert fits(results), f"the {name} list scrolls inside: {results[0]} px in {results[1]} px"
    row = page.locator("#result_list tbody tr").first
    for column in key_columns:
        cell = row.locator(f".{column}")
        expect(cell).to_be_visible()
        assert right_edge(cell) <= LAPTOP["width"], f"{column} is off-screen"
    expect(page.locator("#changelist-filter")).to_be_visible()  # the filters stay beside the list


@pytest.mark.parametrize("language", ["uz", "ru"])
def test_at_1366_px_a_salespersons_lead_list_has_no_column_naming_them(page, admin_login, seller, language):
    leads_of(seller, count=3)
    user_language_set(user=seller, language=language)
    page.set_viewport_size(LAPTOP)
    admin_login(seller)
    page.goto("/admin/leads/lead/")
    shoot(page, f"laptop-leads-list-salesperson-{language}", full_page=False)

    assert fits(no_sideways_scroll(page, "#changelist-form .results"))
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#result_list .column-assigned_to")).to_have_count(0)
    expect(page.locator("#result_list tbody tr").first.locator(".field-follow_up")).to_be_visible()


META_HEADERS = [
    "id",
    "created_time",
    "ad_id",
    "ad_name",
    "adset_id",
    "adset_name",
    "campaign_id",
    "campaign_name",
    "form_id",
    "form_name",
    "is_organic",
    "platform",
    "full_name",
    "phone_number",
    "email",
    "city",
]


def meta_row(n: int, phone: str) -> list[str]:
    return [
        f"l:{1200000000 + n}",
        "2026-11-30T10:15:00+0500",
        "120210000000001",
        "IELTS autumn — carousel",
        "120210000000002",
        "Tashkent 18-30 interests: IELTS, study abroad",
        "120210000000003",
        "IELTS autumn intake 2026",
        "120210000000004",
        "IELTS lead form (uz/ru)",
        "false",
        "ig",
        f"Malika Tursunova {n}",
        phone,
        f"malika{n}@example.uz",
        "Toshkent",
    ]


@pytest.mark.parametrize("kind", ["run", "preview"])
def test_at_1366_px_an_imports_error_rows_show_outcome_and_reason_first(page, admin_login, seller, kind):
    """A Meta export has sixteen columns: the row's outcome and reason come before them, on screen."""
    manager = ManagerFactory()
    log = ImportLogFactory(
        file_name="meta-leads-november.csv",
        dry_run=kind == "preview",
        headers=META_HEADERS,
        columns={"full_name": "full_name", "phone_number": "phone"},
        preview=[
            {"row": 2, "values": meta_row(2, "+998901234567"), "outcome": "created", "reason": ""},
            {"row": 3, "values": meta_row(3, "12345"), "outcome": "error", "reason": "Not a valid phone number."},
        ],
    )
    ImportRowFactory(log=log, row_number=3, values=meta_row(3, "12345"), reason="Not a valid phone number.")
    page.set_viewport_size(LAPTOP)
    admin_login(manager)
    if kind == "preview":
        page.goto(f"/admin/import_service/importlog/{log.pk}/preview/")
    else:
        page.goto(f"/admin/import_service/importlog/{log.pk}/change/")
    shoot(page, f"laptop-import-{kind}-rows")

    assert fits(no_sideways_scroll(page)), "the page scrolls sideways"
    row = page.locator("table.import-rows tbody tr", has_text="Not a valid phone number.").first
    for cell in (row.locator(".badge-red"), row.get_by_text("Not a valid phone number.")):
        expect(cell).to_be_visible()
        assert right_edge(cell) <= LAPTOP["width"], "the outcome is off-screen"
