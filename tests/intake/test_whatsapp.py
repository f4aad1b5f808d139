"""GET/POST /intake/whatsapp/: WhatsApp Cloud API webhooks."""

import pytest

from intake.channels import whatsapp
from intake.models import IntakeEvent, IntakeStatus
from leads import services as lead_services
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus
from tests.intake.conftest import META_SECRET, WHATSAPP_VERIFY, fixture_bytes, fixture_json, post_signed
from tests.leads.factories import LeadFactory

URL = "/intake/whatsapp/"
pytestmark = pytest.mark.django_db


def test_verification_handshake(client):
    ok = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": WHATSAPP_VERIFY, "hub.challenge": "42"})
    bad = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"})
    assert (ok.status_code, ok.content, bad.status_code) == (200, b"42", 403)


def test_message_from_unknown_number_creates_a_lead(client):
    response = post_signed(client, URL, fixture_bytes("whatsapp_message_webhook.json"), META_SECRET)

    assert response.status_code == 200 and response.json()["received"] == 1
    lead = Lead.objects.get()
    assert (lead.phone, lead.full_name, lead.source, lead.whatsapp_id) == (
        "+998905550501",
        "Bekzod",
        LeadSource.WHATSAPP,
        "998905550501",
    )
    assert lead.comment == "Salom, IELTS kursi narxi qancha?"
    event = IntakeEvent.objects.get()
    assert (event.external_id, event.outcome) == ("wamid.HBgMOTk4OTA1NTUwNTAxFQIAEhgg", "created")
    assert LeadInquiry.objects.get().note == "WhatsApp: Salom, IELTS kursi narxi qancha?"


def test_message_from_known_number_is_a_repeat_inquiry(client):
    lead = LeadFactory(phone="+998 90 555 05 01", source=LeadSource.INSTAGRAM, full_name="Bekzod Saidov")
    lead_services.lead_mark_lost(lead=lead, reason="Not answering")

    post_signed(client, URL, fixture_bytes("whatsapp_message_webhook.json"), META_SECRET)

    lead.refresh_from_db()
    assert (lead.inquiry_count, lead.whatsapp_id, lead.full_name) == (2, "998905550501", "Bekzod Saidov")
    assert lead.status == LeadStatus.NEW  # a repeat inquiry reopens a lost lead
    assert IntakeEvent.objects.get().outcome == "repeat"
    assert LeadInquiry.objects.filter(is_repeat=True).get().note.startswith("WhatsApp: Salom")


def test_two_messages_in_one_delivery_are_two_events(client):
    response = post_signed(client, URL, fixture_bytes("whatsapp_two_messages_webhook.json"), META_SECRET)

    assert response.json() == {"status": "received", "received": 2, "duplicates": 0}
    leads = {lead.phone: lead for lead in Lead.objects.all()}
    assert leads["+998935550511"].full_name == "Madina"
    assert leads["+998975550512"].full_name == "Sanjar"
    assert leads["+998975550512"].comment == "[image] Shu kurs hali bormi?"


def test_status_updates_are_acknowledged_and_not_stored(client):
    response = post_signed(client, URL, fixture_bytes("whatsapp_status_webhook.json"), META_SECRET)
    assert response.status_code == 200 and response.json()["received"] == 0
    assert not IntakeEvent.objects.exists()


def test_replayed_delivery_is_one_event(client):
    body = fixture_bytes("whatsapp_two_messages_webhook.json")
    post_signed(client, URL, body, META_SECRET)
    again = post_signed(client, URL, body, META_SECRET)
    assert again.json() == {"status": "duplicate", "received": 0, "duplicates": 2}
    assert IntakeEvent.objects.count() == 2 and LeadInquiry.objects.count() == 2


def test_bad_signature_is_403(client):
    response = post_signed(client, URL, fixture_bytes("whatsapp_message_webhook.json"), "another-secret")
    assert response.status_code == 403
    assert not IntakeEvent.objects.exists()


def test_own_app_secret_overrides_meta_secret(client, settings):
    settings.WHATSAPP_APP_SECRET = "wa-only-secret"
    body = fixture_bytes("whatsapp_message_webhook.json")
    assert post_signed(client, URL, body, META_SECRET).status_code == 403
    assert post_signed(client, URL, body, "wa-only-secret").status_code == 200


def test_disabled_without_verify_token(client, settings):
    settings.WHATSAPP_VERIFY_TOKEN = ""
    assert post_signed(client, URL, fixture_bytes("whatsapp_message_webhook.json"), META_SECRET).status_code == 404


def test_reaction_is_stored_but_ignored(client):
    payload = fixture_json("whatsapp_message_webhook.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(type="reaction", reaction={"message_id": "wamid.OUT1", "emoji": "👍"})
    del message["text"]

    post_signed(client, URL, payload, META_SECRET)

    event = IntakeEvent.objects.get()
    assert event.status == IntakeStatus.IGNORED and not Lead.objects.exists()


def test_message_without_id_is_400(client):
    payload = fixture_json("whatsapp_message_webhook.json")
    del payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    response = post_signed(client, URL, payload, META_SECRET)
    assert response.status_code == 400 and response.json()["error"] == whatsapp.NO_MESSAGE_ID
