"""POST /intake/calls/: call-tracking post-call webhooks."""

import datetime as dt

import pytest

from intake.channels import calls
from intake.models import IntakeEvent, IntakeStatus
from leads.models import Lead, LeadInquiry, LeadSource
from tests.intake.conftest import CALLS_SECRET, fixture_bytes, fixture_json, post_signed
from tests.leads.factories import LeadFactory

URL = "/intake/calls/"
pytestmark = pytest.mark.django_db


def deliver(client, data, secret=CALLS_SECRET):
    return post_signed(client, URL, data, secret, header="X-Signature")


def test_missed_call_from_unknown_number_is_a_lead(client):
    response = deliver(client, fixture_bytes("call_tracking_post_call.json"))

    assert response.status_code == 200 and response.json()["received"] == 1
    lead = Lead.objects.get()
    assert (lead.phone, lead.source, lead.utm_source) == ("+998905550601", LeadSource.CALL_TRACKING, "Google Ads")
    assert lead.created_at == dt.datetime(2026, 11, 22, 5, 41, 12, tzinfo=dt.UTC)
    assert LeadInquiry.objects.get().note == "Missed call to +998712001122 (Google Ads)"
    assert IntakeEvent.objects.get().external_id == "CAL8154748ae6bd4e278a7cddd38a662f4f"


def test_answered_call_from_known_number_is_a_repeat(client):
    lead = LeadFactory(phone="+998905550602", full_name="", source=LeadSource.LANDING)

    deliver(client, fixture_bytes("call_tracking_answered_call.json"))

    lead.refresh_from_db()
    assert (lead.inquiry_count, lead.full_name, lead.utm_campaign) == (2, "DILSHOD RAKHIMOV", "ielts_nov")
    assert IntakeEvent.objects.get().outcome == "repeat"
    assert LeadInquiry.objects.filter(is_repeat=True).get().note == "Answered call, 3m 07s to +998712001133 (Instagram)"


def test_outbound_call_is_ignored(client):
    deliver(client, fixture_json("call_tracking_answered_call.json") | {"direction": "outbound"})
    assert IntakeEvent.objects.get().status == IntakeStatus.IGNORED
    assert not Lead.objects.exists()


def test_replayed_call_is_one_event(client):
    body = fixture_bytes("call_tracking_post_call.json")
    deliver(client, body)
    assert deliver(client, body).json()["status"] == "duplicate"
    assert IntakeEvent.objects.count() == 1 and LeadInquiry.objects.count() == 1


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_bad_signature_is_403(client, secret):
    response = deliver(client, fixture_bytes("call_tracking_post_call.json"), secret=secret)
    assert response.status_code == 403
    assert not IntakeEvent.objects.exists()


def test_missing_caller_number_is_400(client):
    response = deliver(client, fixture_json("call_tracking_post_call.json") | {"customer_number": ""})
    assert response.status_code == 400
    assert response.json()["errors"] == {"customer_number": [calls.NO_CALLER]}
    assert not IntakeEvent.objects.exists()


def test_unparseable_caller_number_fails_the_event_visibly(client):
    deliver(client, fixture_json("call_tracking_post_call.json") | {"customer_number": "anonymous"})
    event = IntakeEvent.objects.get()
    assert event.status == IntakeStatus.FAILED and "not a valid phone number" in event.error
    assert not Lead.objects.exists()


def test_disabled_without_secret(client, settings):
    settings.CALL_TRACKING_SECRET = ""
    assert deliver(client, fixture_bytes("call_tracking_post_call.json"), secret="").status_code == 404
