"""Eskiz faked at the HTTP layer (responses), from the shapes it really sends
(tests/fixtures/eskiz/). The ``eskiz`` fixture itself is in tests/conftest.py."""

import json
from pathlib import Path
from urllib.parse import parse_qsl

ESKIZ = "https://eskiz.test"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eskiz"


def eskiz_shape(name: str) -> dict:
    """A response or report as Eskiz sends it."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def sms_calls(mock) -> list[dict]:
    """The form fields of every single-SMS send."""
    return [
        dict(parse_qsl(call.request.body)) for call in mock.calls if call.request.url == f"{ESKIZ}/api/message/sms/send"
    ]


def sms_batches(mock) -> list[dict]:
    """The JSON body of every batch send."""
    return [
        json.loads(call.request.body)
        for call in mock.calls
        if call.request.url == f"{ESKIZ}/api/message/sms/send-batch"
    ]


def sms_phones(mock) -> list[str]:
    """Every phone an SMS went to, sent alone or in a batch."""
    single = [fields["mobile_phone"] for fields in sms_calls(mock)]
    return single + [message["to"] for batch in sms_batches(mock) for message in batch["messages"]]
