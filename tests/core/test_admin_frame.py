"""templates/admin/base_site.html: every admin page carries the branding and
loads the shared stylesheet exactly once (no ModelAdmin Media or page
template adds it a second time)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
STYLESHEET = "core/admin.css"
BRAND = "Education centre CRM"


@pytest.fixture
def superuser_client(admin_client):
    return admin_client


def assert_frame(html: str) -> None:
    assert html.count(STYLESHEET) == 1
    assert f'<div id="site-name"><a href="/admin/">{BRAND}</a></div>' in html
    assert f"| {BRAND}</title>" in html


def test_login_page_has_the_frame(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_frame(response.content.decode())


def test_every_changelist_and_add_page_loads_the_stylesheet_once(superuser_client, admin_user, rf):
    request = rf.get("/admin/")
    request.user = admin_user
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
    assert len(pages) > 20
    for url in pages:
        response = superuser_client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count(STYLESHEET) == 1, url
        assert str(BRAND) in html, url


@pytest.mark.parametrize(
    "name",
    [
        "admin:scheduling_room_timetable",
        "admin:scheduling_room_free_rooms",
        "admin:analytics_dashboard_changelist",
        "admin:import_service_importlog_upload",
        "admin:analytics_marketingspend_import",
    ],
)
def test_custom_admin_pages_load_the_stylesheet_once(superuser_client, name):
    response = superuser_client.get(reverse(name))
    assert response.status_code == 200
    assert_frame(response.content.decode())


def test_lead_change_page_and_its_form_pages_load_the_stylesheet_once(superuser_client):
    lead = LeadFactory()
    for name in ("admin:leads_lead_change", "admin:leads_lead_follow_up", "admin:leads_lead_book_trial"):
        response = superuser_client.get(reverse(name, args=[lead.pk]))
        assert response.status_code == 200, name
        assert_frame(response.content.decode())


def test_language_switcher_block_can_be_filled(superuser_client, settings, tmp_path):
    """A later issue's language switcher overrides one block, nothing else."""
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "base_site.html").write_text(
        '{% extends "admin/base_site.html" %}{% block language_switcher %}<form id="lang">uz ru en</form>{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    html = superuser_client.get(reverse("admin:index")).content.decode()
    assert '<form id="lang">uz ru en</form>' in html
    assert_frame(html)
