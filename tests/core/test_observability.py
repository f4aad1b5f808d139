"""JSON logs (one line per request and per task, with their ids) and Sentry
without personal data."""

import io
import json
import logging
import logging.config

import pytest
from django.test import Client

from core.observability import init_sentry, logging_config
from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Records of the crm.* loggers as the production JSON formatter writes them."""
    config = logging_config(log_format="json", level="INFO")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter_config = dict(config["formatters"]["main"])
    factory = formatter_config.pop("()")
    from django.utils.module_loading import import_string

    from core.observability import ContextFilter

    handler.setFormatter(import_string(factory)(**formatter_config))
    handler.addFilter(ContextFilter())
    loggers = [logging.getLogger(name) for name in ("crm.request", "crm.task", "intake.views")]
    old = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)

    def read():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    for lg, (level, _) in zip(loggers, old, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_each_request_is_one_json_line_with_request_id_user_path_status_and_duration(json_lines):
    manager = ManagerFactory()
    client = Client()
    client.force_login(manager)
    response = client.get("/admin/leads/lead/", headers={"X-Request-ID": "req-abc-12345"})
    assert response["X-Request-ID"] == "req-abc-12345"
    (line,) = [r for r in json_lines() if r["logger"] == "crm.request"]
    assert line["request_id"] == "req-abc-12345"
    assert (line["method"], line["path"], line["status"], line["user_id"]) == (
        "GET",
        "/admin/leads/lead/",
        200,
        manager.pk,
    )
    assert line["level"] == "INFO" and isinstance(line["duration_ms"], float) and line["time"]


def test_lines_logged_during_a_request_carry_its_id_and_an_odd_request_id_is_replaced(json_lines, settings):
    settings.CALL_TRACKING_SECRET = "s"
    response = Client().post(
        "/intake/calls/", data=b"{}", content_type="application/json", headers={"X-Request-ID": "bad id\n"}
    )
    assert response.status_code == 403
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and request_id.isalnum()
    lines = json_lines()
    refused = next(r for r in lines if r["logger"] == "intake.views")
    assert "refused POST" in refused["message"] and refused["request_id"] == request_id
    request_line = next(r for r in lines if r["logger"] == "crm.request")
    assert (request_line["status"], request_line["user_id"]) == (403, None)


def test_each_task_is_one_json_line_with_name_id_and_outcome(json_lines):
    from analytics.tasks import rollup_days

    rollup_days.delay(["2026-11-30"])
    with pytest.raises(ValueError):
        rollup_days.delay(["not-a-date"])
    ran = [r for r in json_lines() if r["logger"] == "crm.task"]
    assert [(r["task"], r["outcome"]) for r in ran] == [
        ("analytics.rollup_days", "succeeded"),
        ("analytics.rollup_days", "failed"),
    ]
    assert all(r["task_id"] and r["duration_ms"] is not None for r in ran)
    assert ran[1]["level"] == "WARNING"


@pytest.mark.urls("tests.core.urls_failing")
def test_sentry_reports_a_failing_view_without_personal_data():
    import sentry_sdk
    from sentry_sdk.transport import Transport

    events = []

    class Recorder(Transport):
        """Sentry's own transport interface: keeps the envelopes instead of sending them."""

        def capture_envelope(self, envelope):
            events.extend(item.payload.json for item in envelope.items if item.type == "event")

    manager = ManagerFactory(email="dilnoza@centre.example")
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    init_sentry(dsn="http://public@127.0.0.1:9/1", transport=Recorder)
    try:
        response = client.get("/boom/?phone=%2B998901234567", REMOTE_ADDR="203.0.113.7")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)  # off again for the rest of the suite
    assert response.status_code == 500
    (event,) = [e for e in events if e.get("exception")]
    assert event["exception"]["values"][-1]["value"] == "a bug in a view"
    text = json.dumps(event)
    assert "dilnoza@centre.example" not in text and "203.0.113.7" not in text
    assert "sessionid" not in text and "Cookie" not in event["request"].get("headers", {})
    assert "email" not in event.get("user", {}) and "ip_address" not in event.get("user", {})
    assert "998901234567" not in text  # the query string (an admin search for a phone) stays home
