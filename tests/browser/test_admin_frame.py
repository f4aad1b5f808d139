"""The project-wide admin frame (templates/admin/base_site.html) on a phone:
the branding on the login page, and badge colours from the shared stylesheet
on a list page (no ModelAdmin links it any more)."""

import pytest
from playwright.sync_api import expect

from leads.models import LeadSource
from tests.browser.conftest import ARTIFACTS
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEAL = "rgb(0, 121, 107)"  # .badge-teal in core/static/core/admin.css


def test_phone_sized_admin_has_the_branding_and_the_badge_colours(page, admin_login, manager):
    LeadFactory(full_name="Kamila Yusupova", phone="+998905550201", source=LeadSource.LANDING)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/login/")
    expect(page.locator("#site-name")).to_have_text("Education centre CRM")
    expect(page).to_have_title("Log in | Education centre CRM")
    admin_login(manager)
    page.goto("/admin/leads/lead/")
    badge = page.locator("#result_list .badge-teal").first
    expect(badge).to_have_text("Landing page")
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == TEAL
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-frame-phone.png"))
