"""The Content-Security-Policy holds in a real browser: every admin page, the
dashboard and the lockout page load without a violation, and the watcher
really sees one when something inline is injected."""

import datetime

from django.urls import reverse

from tests.factories import ManagerFactory


def test_the_policy_header_forbids_inline_script_and_style(page, live_server):
    response = page.goto("/admin/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_the_watcher_catches_an_inline_script(page, live_server):
    page.goto("/admin/login/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';
                     document.body.appendChild(s); }""")
    page.wait_for_timeout(300)
    assert page.csp.violations and "script-src" in " ".join(page.csp.violations)
    page.csp.violations.clear()  # seen: the fixture need not fail this test


def test_admin_pages_and_the_dashboard_load_without_violations(page, admin_login, db):
    from django.contrib import admin

    admin_login(ManagerFactory(is_superuser=True))
    urls = ["/admin/", reverse("admin:analytics_dashboard_changelist")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    urls += [reverse("admin:scheduling_room_timetable"), reverse("admin:scheduling_room_free_rooms")]
    urls += [reverse("admin:leads_lead_add"), reverse("admin:import_service_importlog_upload")]
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("load")
    page.csp.assert_none()


def test_the_lockout_page_loads_without_violations(page, settings, db):
    from tests.factories import SalespersonFactory

    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    user = SalespersonFactory()
    for _ in range(2):
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
    assert "Sign-in paused" in page.content()
    page.csp.assert_none()
