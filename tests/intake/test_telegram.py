"""POST /intake/telegram/: Bot API webhook updates; replies through sendMessage."""

import json

import pytest
import responses

from intake.channels import telegram
from intake.models import IntakeEvent, IntakeRejection, IntakeStatus, ReplyStatus
from leads.models import Lead, LeadInquiry, LeadSource
from tests.intake.conftest import TELEGRAM_API, TELEGRAM_SECRET, TELEGRAM_TOKEN, fixture_json, post_json
from tests.leads.factories import LeadFactory

URL = "/intake/telegram/"
SEND_URL = f"{TELEGRAM_API}/bot{TELEGRAM_TOKEN}/sendMessage"
pytestmark = pytest.mark.django_db


def deliver(client, update, secret=TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return post_json(client, URL, update, **headers)


def sent_messages(rsps) -> list[dict]:
    return [json.loads(call.request.body) for call in rsps.calls if call.request.url == SEND_URL]


def test_start_replies_with_a_contact_request_button(client, telegram_api):
    response = deliver(client, fixture_json("telegram_update_start.json"))

    assert response.status_code == 200 and response.json()["status"] == "received"
    event = IntakeEvent.objects.get()
    assert (event.external_id, event.status, event.reply_status) == (
        "910000001",
        IntakeStatus.IGNORED,
        ReplyStatus.SENT,
    )
    assert not Lead.objects.exists()
    [message] = sent_messages(telegram_api)
    # The sample's from.language_code is "uz": the reply is the Uzbek template.
    assert message["chat_id"] == 555000111 and message["text"].startswith("Assalomu alaykum! Kurslarimiz boʻyicha")
    assert message["reply_markup"]["keyboard"] == [[{"text": "📱 Raqamni yuborish", "request_contact": True}]]


def test_own_contact_creates_lead_with_chat_id_and_thanks(client, telegram_api):
    response = deliver(client, fixture_json("telegram_update_contact.json"))

    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.phone, lead.full_name, lead.source) == ("+998905550301", "Oybek Nazarov", LeadSource.TELEGRAM)
    assert lead.telegram_chat_id == "555000111"
    event = IntakeEvent.objects.get()
    assert (event.status, event.outcome, event.lead, event.reply_status) == (
        IntakeStatus.PROCESSED,
        "created",
        lead,
        ReplyStatus.SENT,
    )
    assert LeadInquiry.objects.get().note == "Telegram chat 555000111"
    [message] = sent_messages(telegram_api)
    assert message == {
        "chat_id": 555000111,
        "text": "Thank you! Our manager will contact you soon.",  # no language_code: the centre's (en in tests)
        "disable_web_page_preview": True,
        "reply_markup": {"remove_keyboard": True},
    }


@pytest.mark.parametrize(
    ("code", "language"), [("ru", "ru"), ("uz", "uz"), ("en-GB", "en"), ("de", "en"), (None, "en")]
)
def test_the_senders_telegram_language_becomes_the_leads_and_the_replys(client, telegram_api, code, language):
    update = fixture_json("telegram_update_contact.json")
    update["message"]["from"]["language_code"] = code

    deliver(client, update)

    assert Lead.objects.get().language == language
    expected = {"ru": "Спасибо!", "uz": "Rahmat!", "en": "Thank you!"}[language]
    assert sent_messages(telegram_api)[0]["text"].startswith(expected)


def test_contact_of_a_known_phone_is_a_repeat_that_fills_the_chat_id(client, telegram_api):
    lead = LeadFactory(phone="+998905550301", full_name="Oybek N.", source=LeadSource.INSTAGRAM)

    deliver(client, fixture_json("telegram_update_contact.json"))

    lead.refresh_from_db()
    assert (lead.inquiry_count, lead.telegram_chat_id, lead.full_name) == (2, "555000111", "Oybek N.")
    assert IntakeEvent.objects.get().outcome == "repeat"


def test_someone_elses_contact_is_not_a_lead(client, telegram_api):
    update = fixture_json("telegram_update_contact_of_someone_else.json")

    assert deliver(client, update).status_code == 200

    assert not Lead.objects.exists()
    event = IntakeEvent.objects.get()
    assert event.status == IntakeStatus.IGNORED and str(telegram.IGNORED_OTHERS_CONTACT) in event.error
    [message] = sent_messages(telegram_api)
    assert message["text"] == "Please send your own number with the button below."


def test_replayed_update_is_stored_once(client, telegram_api):
    update = fixture_json("telegram_update_contact.json")

    first = deliver(client, update)
    second = deliver(client, update)

    assert first.json()["status"] == "received"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert IntakeEvent.objects.count() == 1 and LeadInquiry.objects.count() == 1
    assert len(sent_messages(telegram_api)) == 1


@pytest.mark.parametrize("secret", [None, "wrong", TELEGRAM_SECRET + "x"])
def test_bad_secret_token_is_403_and_stores_nothing(client, mocked_http, secret):
    response = deliver(client, fixture_json("telegram_update_contact.json"), secret=secret)

    assert response.status_code == 403
    assert not IntakeEvent.objects.exists() and not Lead.objects.exists()
    assert IntakeRejection.objects.get().reason == "forbidden"
    assert not mocked_http.calls


def test_disabled_without_token_or_secret(client, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    assert deliver(client, fixture_json("telegram_update_start.json")).status_code == 404
    settings.TELEGRAM_BOT_TOKEN = TELEGRAM_TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    assert deliver(client, fixture_json("telegram_update_start.json"), secret="").status_code == 404
    assert not IntakeEvent.objects.exists()


def test_update_without_update_id_is_400(client):
    update = fixture_json("telegram_update_start.json")
    del update["update_id"]
    response = deliver(client, update)
    assert response.status_code == 400 and response.json()["error"] == telegram.NO_UPDATE_ID
    assert not IntakeEvent.objects.exists()


def test_bot_api_failure_keeps_the_lead_and_marks_the_reply_failed(client, mocked_http):
    mocked_http.add(
        responses.POST,
        SEND_URL,
        status=403,
        json={"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )

    deliver(client, fixture_json("telegram_update_contact.json"))

    event = IntakeEvent.objects.get()
    assert event.status == IntakeStatus.PROCESSED and Lead.objects.count() == 1
    assert event.reply_status == ReplyStatus.FAILED
    assert "bot was blocked by the user" in event.reply_error and str(TELEGRAM_TOKEN) not in event.reply_error
    assert len(mocked_http.calls) == 1  # a blocked bot is not retried


def test_other_messages_are_ignored_without_reply(client, mocked_http):
    update = fixture_json("telegram_update_start.json")
    update["message"]["text"] = "Salom, narxi qancha?"
    update["message"]["entities"] = []

    deliver(client, update)

    event = IntakeEvent.objects.get()
    assert event.status == IntakeStatus.IGNORED and not event.reply_status
    assert not mocked_http.calls
