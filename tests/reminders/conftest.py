import pytest
import responses

TELEGRAM_URL = "https://telegram.test/bottest-token/sendMessage"


@pytest.fixture
def telegram(settings):
    """Fake Telegram Bot API: records every sendMessage call."""
    settings.TELEGRAM_API_URL = "https://telegram.test"
    settings.TELEGRAM_BOT_TOKEN = "test-token"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, TELEGRAM_URL, json={"ok": True, "result": {"message_id": 1}})
        yield mock


def telegram_calls(mock):
    import json

    return [json.loads(call.request.body) for call in mock.calls if call.request.url == TELEGRAM_URL]
