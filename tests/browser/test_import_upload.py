"""A manager imports a lead list from admin in a real browser: upload, preview, confirm."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from import_service.models import ImportLog, ImportStatus
from leads.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = Path(__file__).resolve().parents[1] / "import_service" / "files" / "landing_dump_utf8_bom.csv"


def test_manager_uploads_previews_and_confirms_an_import(page, admin_login, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin_login(manager)

    page.goto("/admin/import_service/importlog/")
    page.locator(".object-tools").get_by_role("link", name="Import leads").click()
    expect(page.locator("h1")).to_have_text("Import leads")
    page.set_input_files("#id_file", str(FILE))
    page.click("#import-upload-form input[type=submit]")

    expect(page.locator("#total-rows")).to_have_text("7")
    expect(page.locator("#total-created")).to_have_text("4")
    expect(page.locator("#total-duplicates")).to_have_text("1")
    expect(page.locator("#total-errors")).to_have_text("2")
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("Анна Иванова")
    expect(preview.locator(".badge-green").first).to_have_text("Created")
    expect(preview.locator(".badge-orange").first).to_have_text("Duplicate")
    expect(preview.locator(".badge-red").first).to_have_text("Error")
    expect(preview).to_contain_text("No phone number.")
    assert not Lead.objects.exists()

    page.click("#confirm-import")
    expect(page.locator(".messagelist")).to_contain_text("4 created, 1 duplicates, 2 errors")
    expect(page.locator(".field-status_label")).to_contain_text("Completed")
    expect(page.locator(".field-created .readonly")).to_have_text("4")
    expect(page.locator(".field-errors .readonly")).to_have_text("2")
    run = ImportLog.objects.get(dry_run=False)
    assert (run.status, run.created, run.duplicates, run.errors) == (ImportStatus.COMPLETED, 4, 1, 2)
    assert Lead.objects.count() == 4

    with page.expect_download() as download:
        page.get_by_role("link", name="Download error and duplicate rows (CSV)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].startswith("Name,Phone Number,")
    assert "No phone number." in content

    # The list shows the run once; its preview hangs off the run's page.
    preview_log = ImportLog.objects.get(dry_run=True)
    expect(page.locator(".field-related_run")).to_contain_text(f"Previewed as {preview_log}")
    page.goto("/admin/import_service/importlog/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(f"Import #{run.pk} of landing_dump_utf8_bom.csv")
