import json

import pytest
import requests
import responses

from core import telegram

URL = "https://telegram.test/bot123:SECRET/sendMessage"


@pytest.fixture(autouse=True)
def bot(settings):
    settings.TELEGRAM_API_URL = "https://telegram.test/"
    settings.TELEGRAM_BOT_TOKEN = "123:SECRET"


@responses.activate
def test_send_message_posts_json_and_returns_the_message():
    responses.add(responses.POST, URL, json={"ok": True, "result": {"message_id": 7}})
    assert telegram.send_message(chat_id="42", text="Hi", reply_markup={"remove_keyboard": True}) == {"message_id": 7}
    body = json.loads(responses.calls[0].request.body)
    assert body == {
        "chat_id": "42",
        "text": "Hi",
        "disable_web_page_preview": True,
        "reply_markup": {"remove_keyboard": True},
    }


@responses.activate
def test_api_error_keeps_description_and_retry_after():
    responses.add(
        responses.POST,
        URL,
        status=429,
        json={"ok": False, "description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5}},
    )
    with pytest.raises(telegram.TelegramError) as exc:
        telegram.send_message(chat_id="42", text="Hi")
    assert "HTTP 429" in str(exc.value) and "Too Many Requests" in str(exc.value)
    assert (exc.value.status, exc.value.retry_after) == (429, 5)


@responses.activate
def test_network_errors_never_leak_the_token():
    responses.add(responses.POST, URL, body=requests.ConnectionError(f"cannot reach {URL}"))
    with pytest.raises(telegram.TelegramError) as exc:
        telegram.send_message(chat_id="42", text="Hi")
    assert "SECRET" not in str(exc.value) and "<token>" in str(exc.value)


def test_missing_token_is_a_clear_error(settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    with pytest.raises(telegram.TelegramError, match="TELEGRAM_BOT_TOKEN is not set"):
        telegram.send_message(chat_id="42", text="Hi")
