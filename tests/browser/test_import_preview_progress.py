"""On a phone, a large upload's preview shows how far the worker got and turns
into the totals and Confirm by itself (a meta refresh: no JavaScript needed)."""

import pytest
from playwright.sync_api import expect

from accounts.permissions import restore_role_grants
from import_service.models import ImportLog, ImportStatus
from tests.browser.test_screen_fit import PHONE, fits, no_sideways_scroll, shoot
from tests.factories import ManagerFactory
from tests.import_service.factories import ImportLogFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_on_a_phone_a_background_preview_shows_progress_then_the_totals(page, admin_login):
    restore_role_grants()  # transaction=True: earlier tests emptied the role groups
    manager = ManagerFactory()
    log = ImportLogFactory(
        file_name="meta-leads-december.csv",
        dry_run=True,
        status=ImportStatus.RUNNING,
        estimated_rows=100_000,
        processed_rows=40_000,
        total=0,
        created=0,
        duplicates=0,
        errors=0,
    )
    page.set_viewport_size(PHONE)
    admin_login(manager)
    page.goto(f"/admin/import_service/importlog/{log.pk}/preview/")
    expect(page.locator("#preview-progress")).to_contain_text("40\xa0000 of about 100\xa0000 rows read")
    expect(page.locator("#preview-progress-bar")).to_be_visible()
    expect(page.locator("#confirm-import")).to_have_count(0)
    shoot(page, "phone-import-preview-progress")
    assert fits(no_sideways_scroll(page)), "the page scrolls sideways"

    # The worker finishes; the page refreshes itself within a few seconds.
    done = {"processed_rows": 100_000, "total": 100_000, "created": 90_000, "duplicates": 8_000, "errors": 2_000}
    ImportLog.objects.filter(pk=log.pk).update(status=ImportStatus.COMPLETED, **done)
    expect(page.locator("#total-created")).to_have_text("90\xa0000", timeout=10_000)
    expect(page.locator("#confirm-import")).to_be_visible()
    assert fits(no_sideways_scroll(page)), "the page scrolls sideways"
