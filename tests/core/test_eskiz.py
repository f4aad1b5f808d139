"""The Eskiz client against the recorded shapes: one login shared through the
cache, a refresh when the token ages, a new login on a 401."""

import datetime
import json

import pytest
import responses
import time_machine

from core import eskiz as client
from tests.eskiz_fake import ESKIZ, eskiz_shape, sms_calls


def _calls(mock, path):
    return [c for c in mock.calls if c.request.url == f"{ESKIZ}{path}"]


def test_send_logs_in_once_and_reuses_the_token(eskiz):
    assert send() == "4385062"
    assert send() == "4385062"
    assert len(_calls(eskiz, "/api/auth/login")) == 1
    token = eskiz_shape("login")["data"]["token"]
    assert all(c.request.headers["Authorization"] == f"Bearer {token}" for c in _calls(eskiz, "/api/message/sms/send"))
    assert sms_calls(eskiz)[0] == {
        "mobile_phone": "998901234567",
        "message": "Salom",
        "from": "4546",
        "callback_url": "https://crm.example.com/sms/eskiz/callback-secret/",
        "user_sms_id": "crm-7",
    }


def send():
    return client.send_sms(phone="998901234567", text="Salom", user_sms_id="crm-7")


def test_an_expired_token_is_replaced_by_a_new_login_and_the_send_repeated(eskiz):
    send()
    eskiz.replace(responses.POST, f"{ESKIZ}/api/message/sms/send", json=eskiz_shape("unauthorized"), status=401)
    eskiz.add(responses.POST, f"{ESKIZ}/api/message/sms/send", json=eskiz_shape("send"))
    assert send() == "4385062"
    assert len(_calls(eskiz, "/api/auth/login")) == 2


def test_a_token_older_than_25_days_is_refreshed(eskiz):
    with time_machine.travel(datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC), tick=False) as clock:
        send()
        clock.move_to(datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC))
        send()
    assert len(_calls(eskiz, "/api/auth/refresh")) == 1
    assert len(_calls(eskiz, "/api/auth/login")) == 1
    last = _calls(eskiz, "/api/message/sms/send")[-1]
    assert last.request.headers["Authorization"] == f"Bearer {eskiz_shape('refresh')['data']['token']}"


def test_a_refused_send_raises_without_the_password(eskiz):
    eskiz.replace(
        responses.POST,
        f"{ESKIZ}/api/message/sms/send",
        json={"status": "error", "message": "Invalid phone"},
        status=400,
    )
    with pytest.raises(client.EskizError) as caught:
        send()
    assert "Invalid phone" in str(caught.value) and "secret-password" not in str(caught.value)


def test_batch_sends_every_message_in_one_call(eskiz):
    batch_id = client.send_batch(
        messages=[
            client.BatchMessage(user_sms_id="crm-1", phone="998901234567", text="Salom"),
            client.BatchMessage(user_sms_id="crm-2", phone="998901234568", text="Привет"),
        ],
        dispatch_id=42,
    )
    assert batch_id == eskiz_shape("send_batch")["id"]
    body = json.loads(_calls(eskiz, "/api/message/sms/send-batch")[0].request.body)
    assert body["messages"][1] == {"user_sms_id": "crm-2", "to": "998901234568", "text": "Привет"}
    assert body["from"] == "4546" and body["dispatch_id"] == 42


def test_without_credentials_nothing_is_called(settings):
    settings.ESKIZ_EMAIL = ""
    with responses.RequestsMock() as mock, pytest.raises(client.EskizError):
        send()
    assert not mock.calls
