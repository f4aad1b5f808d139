"""The intake stream in a real browser: a course site on another origin posts
its form through CORS (preflight included) with its site key; a manager then
sees the event, today's counts, and re-processes a failed event."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from intake.models import IntakeEvent, IntakeStatus
from leads.models import Lead
from tests.intake.factories import IntakeEventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE_KEY = "browser-site-key"
FORM_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>IELTS course</title></head><body>
<form id="lead-form">
  <input name="name" placeholder="Name"> <input name="phone" placeholder="Phone">
  <select name="course"><option>IELTS</option><option>Python</option></select>
  <input name="website" style="display:none" tabindex="-1" autocomplete="off">
  <button type="submit">Send</button>
</form>
<pre id="result"></pre>
<script>
document.getElementById("lead-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = Object.fromEntries(new FormData(event.target));
  fields.page = location.href;
  try {
    const response = await fetch("ENDPOINT", {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Intake-Key": "SITE_KEY"},
      body: JSON.stringify(fields),
    });
    document.getElementById("result").textContent = response.status + " " + JSON.stringify(await response.json());
  } catch (error) {
    document.getElementById("result").textContent = "blocked: " + error;
  }
});
</script></body></html>"""


@pytest.fixture
def course_site(live_server):
    page_html = FORM_PAGE.replace("ENDPOINT", f"{live_server.url}/intake/landing/").replace("SITE_KEY", SITE_KEY)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = page_html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def intake_on(settings):
    settings.INTAKE_LANDING_KEYS = [SITE_KEY]
    settings.INTAKE_LANDING_RATE = "100/m"
    settings.INTAKE_AUTO_ASSIGN = False
    return settings


def submit(page, site: str, name: str, phone: str):
    page.goto(f"{site}/")
    page.fill("input[name=name]", name)
    page.fill("input[name=phone]", phone)
    page.click("button[type=submit]")


def test_course_site_posts_through_cors_and_manager_sees_the_stream(page, admin_login, manager, course_site, intake_on):
    intake_on.INTAKE_ALLOWED_ORIGINS = [course_site]

    submit(page, course_site, "Kamila Yusupova", "+998 90 555 02 01")

    expect(page.locator("#result")).to_contain_text('201 {"status":"received"')
    assert Lead.objects.get().full_name == "Kamila Yusupova"
    failed = IntakeEventFactory(
        payload={"name": "Bekzod", "phone": "+998905550501"},
        status=IntakeStatus.FAILED,
        error="Graph API unreachable: ConnectionError",
    )

    admin_login(manager)
    page.goto("/admin/intake/intakeevent/")
    today = page.locator("#intake-today")
    expect(today).to_contain_text("Landing page")
    expect(today.locator("tr", has_text="Landing page")).to_contain_text("2")
    expect(page.locator("#result_list")).to_contain_text("Processed")
    expect(page.locator("#result_list .badge-red").first).to_have_text("Failed")

    page.check(f"input[name=_selected_action][value='{failed.pk}']")
    page.select_option("select[name=action]", "reprocess")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Re-processed 1 event(s): 1 new lead(s)")
    expect(page.locator("#result_list .badge-red")).to_have_count(0)

    page.locator("#result_list tr", has_text="Bekzod").locator("th a").click()
    expect(page.locator(".field-payload_pretty pre")).to_contain_text('"phone": "+998905550501"')


def test_other_origins_are_blocked_by_the_browser(page, course_site, intake_on):
    intake_on.INTAKE_ALLOWED_ORIGINS = ["https://school.example"]

    submit(page, course_site, "Someone", "+998 90 555 02 09")

    expect(page.locator("#result")).to_contain_text("blocked")
    assert not IntakeEvent.objects.exists()
