"""POST /intake/landing/: the course-site form."""

import json

import pytest
import time_machine
from django.core.cache import cache

from intake import views
from intake.channels import landing
from intake.models import IntakeEvent, IntakeRejection, IntakeStatus
from leads.models import Lead, LeadInquiry, LeadSource
from tests.intake.conftest import LANDING_KEY, fixture_json, post_json

URL = "/intake/landing/"
pytestmark = pytest.mark.django_db


def form_data(**changes):
    return {**fixture_json("landing_form.json"), **changes}


def test_json_post_is_stored_and_becomes_a_lead(client):
    response = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY})

    assert response.status_code == 201
    event = IntakeEvent.objects.get()
    assert response.json() == {"status": "received", "reference": str(event.reference)}
    assert event.status == IntakeStatus.PROCESSED and event.outcome == "created"
    lead = Lead.objects.get()
    assert event.lead == lead
    assert (lead.phone, lead.full_name, lead.source) == ("+998905550201", "Kamila Yusupova", LeadSource.LANDING)
    assert (lead.email, lead.course_interest, lead.comment) == ("kamila@example.com", "IELTS", "Evening group?")
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("instagram", "bio", "ielts_nov")
    inquiry = LeadInquiry.objects.get()
    assert inquiry.note == "Landing form on https://school.example/ielts: Evening group?"
    assert "HTTP_X_INTAKE_KEY" not in event.headers and event.headers["CONTENT_TYPE"] == "application/json"


@pytest.mark.parametrize(
    ("changes", "language"),
    [
        ({"language": "ru"}, "ru"),
        ({"language": "uz-UZ"}, "uz"),
        ({"page": "https://school.example/ru/ielts"}, "ru"),
        ({"page": "https://school.example/ielts?lang=uz"}, "uz"),
        ({"language": "Русский", "page": "https://school.example/uz/ielts"}, "ru"),  # the field wins
        ({"language": "de"}, "en"),  # not one of ours: the centre's default (en in tests)
        ({}, "en"),
    ],
)
def test_the_forms_language_or_the_pages_becomes_the_leads(client, changes, language):
    response = post_json(client, URL, form_data(**changes), **{"X-Intake-Key": LANDING_KEY})

    assert response.status_code == 201
    assert Lead.objects.get().language == language


def test_multipart_post_with_key_field(client):
    # The test client sends a dict as multipart/form-data, as a browser's FormData does.
    response = client.post(URL, data={**form_data(), "key": LANDING_KEY})

    assert response.status_code == 201
    assert Lead.objects.get().phone == "+998905550201"
    event = IntakeEvent.objects.get()
    assert "key" not in event.payload and str(LANDING_KEY) not in event.body
    assert json.loads(event.body)["name"] == "Kamila Yusupova"


def test_urlencoded_post(client):
    from urllib.parse import urlencode

    body = urlencode({**form_data(), "key": LANDING_KEY})
    response = client.post(URL, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201
    assert Lead.objects.get().full_name == "Kamila Yusupova"


def test_missing_phone_is_400_with_field_errors_and_nothing_stored(client):
    data = form_data()
    del data["phone"]
    response = post_json(client, URL, data, **{"X-Intake-Key": LANDING_KEY})

    assert response.status_code == 400
    assert response.json()["error"] == landing.INVALID_FIELDS
    assert "phone" in response.json()["errors"]
    assert not IntakeEvent.objects.exists() and not Lead.objects.exists()


def test_invalid_phone_and_email_are_field_errors(client):
    response = post_json(client, URL, form_data(phone="12", email="not-an-email"), **{"X-Intake-Key": LANDING_KEY})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["phone"] == ["“12” is not a valid phone number."]
    assert "email" in errors
    assert not IntakeEvent.objects.exists()


def test_malformed_json_is_400(client):
    response = client.post(
        URL, data=b"{not json", content_type="application/json", headers={"X-Intake-Key": LANDING_KEY}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "The body is not valid JSON."
    assert not IntakeEvent.objects.exists()


def test_wrong_content_type_is_400(client):
    response = client.post(URL, data=b"name=x", content_type="text/plain", headers={"X-Intake-Key": LANDING_KEY})
    assert response.status_code == 400
    assert response.json()["error"] == landing.UNSUPPORTED_TYPE


def test_oversized_body_is_400_before_parsing(client, settings):
    settings.INTAKE_MAX_BODY_BYTES = 1024
    response = post_json(client, URL, form_data(comment="x" * 2000), **{"X-Intake-Key": LANDING_KEY})
    assert response.status_code == 400
    assert response.json()["error"] == views.TOO_LARGE.format(limit=1024)
    assert not IntakeEvent.objects.exists()


@pytest.mark.parametrize("key", [None, "wrong-key", LANDING_KEY + "x"])
def test_bad_site_key_is_403_and_only_counted(client, key):
    headers = {"X-Intake-Key": key} if key else {}
    response = post_json(client, URL, form_data(), **headers)

    assert response.status_code == 403
    assert not IntakeEvent.objects.exists()
    rejection = IntakeRejection.objects.get()
    assert (rejection.channel, rejection.reason, rejection.count) == ("landing", "forbidden", 1)


def test_second_site_key_is_accepted(client):
    assert post_json(client, URL, form_data(), **{"X-Intake-Key": "another-site-key"}).status_code == 201


def test_channel_without_keys_is_404(client, settings):
    settings.INTAKE_LANDING_KEYS = []
    response = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY})
    assert response.status_code == 404
    assert not IntakeEvent.objects.exists()


def test_honeypot_looks_accepted_but_keeps_nothing(client):
    response = post_json(client, URL, form_data(website="http://spam.example"), **{"X-Intake-Key": LANDING_KEY})

    assert response.status_code == 201
    assert "reference" not in response.json()
    assert not IntakeEvent.objects.exists() and not Lead.objects.exists()
    assert IntakeRejection.objects.get().reason == "honeypot"


def test_exact_double_submit_is_one_event(client):
    first = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY})
    second = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == {"status": "duplicate", "reference": first.json()["reference"]}
    assert IntakeEvent.objects.count() == 1 and LeadInquiry.objects.count() == 1


def test_idempotency_key_header_dedupes_even_if_fields_differ(client):
    headers = {"X-Intake-Key": LANDING_KEY, "Idempotency-Key": "form-7f3a"}
    first = post_json(client, URL, form_data(), **headers)
    second = post_json(client, URL, form_data(comment="edited"), **headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert IntakeEvent.objects.count() == 1


def test_submission_id_field_dedupes(client):
    post_json(client, URL, form_data(submission_id="s-1"), **{"X-Intake-Key": LANDING_KEY})
    post_json(client, URL, form_data(submission_id="s-1", course="SAT"), **{"X-Intake-Key": LANDING_KEY})
    post_json(client, URL, form_data(submission_id="s-2", course="SAT"), **{"X-Intake-Key": LANDING_KEY})

    assert IntakeEvent.objects.count() == 2
    lead = Lead.objects.get()
    assert lead.inquiry_count == 2 and lead.course_interest == "IELTS"


def test_same_form_next_day_is_a_repeat_inquiry(client):
    with time_machine.travel("2026-11-20 10:00 +05:00"):
        post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY})
    with time_machine.travel("2026-11-21 10:00 +05:00"):
        response = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY})

    assert response.status_code == 201
    assert IntakeEvent.objects.count() == 2
    assert list(IntakeEvent.objects.order_by("id").values_list("outcome", flat=True)) == ["created", "repeat"]
    assert Lead.objects.get().inquiry_count == 2


def test_cors_preflight_for_allowed_origin(client):
    response = client.options(
        URL, headers={"Origin": "https://school.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://school.example"
    assert "X-Intake-Key" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_cors_preflight_and_post_from_other_origin_refused(client):
    preflight = client.options(URL, headers={"Origin": "https://evil.example"})
    post = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY, "Origin": "https://evil.example"})

    assert preflight.status_code == 403 and "Access-Control-Allow-Origin" not in preflight
    assert post.status_code == 403 and post.json()["error"] == views.ORIGIN_NOT_ALLOWED
    assert not IntakeEvent.objects.exists()


def test_post_from_allowed_origin_gets_cors_header(client):
    response = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY, "Origin": "https://school.example"})
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "https://school.example"


def test_throttled_per_client_ip(client, settings):
    settings.INTAKE_LANDING_RATE = "3/m"
    cache.clear()
    codes = [
        post_json(client, URL, form_data(phone=f"+99890555{i:04d}"), **{"X-Intake-Key": LANDING_KEY}).status_code
        for i in range(4)
    ]
    other_ip = client.post(
        URL,
        data=json.dumps(form_data(phone="+998905559999")),
        content_type="application/json",
        headers={"X-Intake-Key": LANDING_KEY},
        REMOTE_ADDR="10.0.0.9",
    )

    assert codes == [201, 201, 201, 429]
    assert other_ip.status_code == 201
    assert IntakeEvent.objects.count() == 4
    assert IntakeRejection.objects.get().reason == "throttled"


def test_throttle_reads_configured_proxy_header(client, settings):
    settings.INTAKE_LANDING_RATE = "1/m"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    first = post_json(client, URL, form_data(), **{"X-Intake-Key": LANDING_KEY, "X-Real-IP": "1.1.1.1"})
    second = post_json(
        client, URL, form_data(phone="+998905550202"), **{"X-Intake-Key": LANDING_KEY, "X-Real-IP": "2.2.2.2"}
    )
    third = post_json(
        client, URL, form_data(phone="+998905550203"), **{"X-Intake-Key": LANDING_KEY, "X-Real-IP": "1.1.1.1"}
    )
    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 429)
    assert third["Retry-After"]


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405
