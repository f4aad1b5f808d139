"""Hostile input never makes an intake endpoint answer 500.

Property-based: hypothesis posts generated bodies to every endpoint (landing,
Telegram, Meta GET/POST, WhatsApp GET/POST, calls), with and without valid
signatures and keys — malformed bytes, deeply nested, oversized, wrongly typed
JSON, real payloads with any part replaced by something of another shape, and
form bodies. Whatever arrives, the answer is below 500, a refusal is JSON with a
clear message, and what was accepted was stored (the database took it: on
PostgreSQL that includes NUL characters, lone surrogates and NaN).
"""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from intake.models import IntakeEvent
from tests.intake.conftest import (
    CALLS_SECRET,
    LANDING_KEY,
    META_SECRET,
    META_VERIFY,
    TELEGRAM_SECRET,
    WHATSAPP_VERIFY,
    fixture_json,
    sha256_signature,
)

pytestmark = pytest.mark.django_db

MAX_BODY = 64 * 1024  # INTAKE_MAX_BODY_BYTES

FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no example database in the tree: each run explores afresh
)

# --- generated values ------------------------------------------------------------

# Text with the characters that break storage: NUL, lone surrogates, control characters.
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfffy", "\r\n", "=cmd|' /C calc'!A0", "𝕏" * 30, "9" * 400]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(nasty_text, st.text(max_size=10)), children, max_size=5),
    ),
    max_leaves=25,
)


def dumps(value) -> bytes:
    """JSON as a sloppy client would send it: NaN/Infinity and lone surrogates included."""
    return json.dumps(value, allow_nan=True).encode("utf-8", errors="surrogatepass")


@st.composite
def mutated(draw, document):
    """``document`` with one value somewhere inside it replaced by another value
    of any shape, or one key removed."""
    document = json.loads(json.dumps(document))
    node = document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return document
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        if isinstance(node, dict) and draw(st.integers(0, 4)) == 0:
            del node[key]
        else:
            node[key] = draw(json_values)
        return document


def deep(depth: int, kind: str) -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


raw_bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(dumps),
    st.builds(deep, st.sampled_from([20, 40, 990, 5000, 30000]), st.sampled_from(["list", "dict"])),
    st.sampled_from([b"", b"null", b"[]", b'"text"', b"{", b'{"a": NaN}', b'{"a": 1e999}', b"\xff\xfe{}"]),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "application/octet-stream",
    ]
)


def assert_refusal_is_clear(response) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code == 400 and response["Content-Type"].startswith("application/json"):
        message = response.json()["error"]
        assert isinstance(message, str) and message


def clean(text: str) -> str:
    return text.replace("\x00", "").encode("utf-8", "replace").decode()


def post(client, url, body: bytes, content_type: str, **headers):
    return client.post(url, data=body, content_type=content_type, headers=headers)


def stored_events_load() -> None:
    """Every stored event reads back: the database really kept what we answered 2xx for."""
    for event in IntakeEvent.objects.all():
        assert isinstance(event.payload, dict)


# --- signed webhooks ---------------------------------------------------------------

WEBHOOKS = {
    "telegram": ("/intake/telegram/", "telegram_update_contact.json"),
    "meta": ("/intake/meta/", "meta_leadgen_webhook.json"),
    "whatsapp": ("/intake/whatsapp/", "whatsapp_message_webhook.json"),
    "calls": ("/intake/calls/", "call_tracking_post_call.json"),
}


def auth_headers(channel: str, body: bytes, valid: bool) -> dict:
    if channel == "telegram":
        return {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET if valid else "wrong"}
    secret = CALLS_SECRET if channel == "calls" else META_SECRET
    header = "X-Signature" if channel == "calls" else "X-Hub-Signature-256"
    return {header: sha256_signature(body, secret if valid else "wrong")}


@pytest.mark.parametrize("channel", sorted(WEBHOOKS))
@FUZZ
@given(data=st.data())
def test_signed_webhook_never_answers_500_for_any_body(channel, data):
    url, fixture = WEBHOOKS[channel]
    body = data.draw(st.one_of(raw_bodies, mutated(fixture_json(fixture)).map(dumps)), label="body")
    valid = data.draw(st.booleans(), label="valid signature")
    response = post(
        Client(), url, body, data.draw(content_types, label="content type"), **auth_headers(channel, body, valid)
    )
    assert_refusal_is_clear(response)
    if not valid:  # refused unread when too large, else as forged
        assert response.status_code == (400 if len(body) > MAX_BODY else 403)
    stored_events_load()


@pytest.mark.parametrize("channel", sorted(WEBHOOKS))
@FUZZ
@given(document=st.data())
def test_validly_signed_real_payload_with_any_part_reshaped_is_200_or_a_clear_400(channel, document):
    url, fixture = WEBHOOKS[channel]
    body = dumps(document.draw(mutated(fixture_json(fixture)), label="payload"))
    response = post(Client(), url, body, "application/json", **auth_headers(channel, body, True))
    assert response.status_code in (200, 400), response.content[:500]
    assert_refusal_is_clear(response)
    stored_events_load()


@pytest.mark.parametrize("channel", sorted(WEBHOOKS))
@example(size=65 * 1024)
@FUZZ
@given(size=st.integers(min_value=60 * 1024, max_value=200 * 1024))
def test_oversized_webhook_body_is_a_400_before_it_is_read(channel, size):
    url, _ = WEBHOOKS[channel]
    body = b'{"pad": "' + b"x" * size + b'"}'
    response = post(Client(), url, body, "application/json", **auth_headers(channel, body, True))
    too_large = "larger than 65536 bytes" in response.json()["error"]
    assert (response.status_code, too_large) == (400, True) if len(body) > MAX_BODY else not too_large


@pytest.mark.parametrize("url,token", [("/intake/meta/", META_VERIFY), ("/intake/whatsapp/", WHATSAPP_VERIFY)])
@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "other"]), nasty_text, max_size=4
    ),
    valid=st.booleans(),
)
def test_subscription_handshake_never_answers_500(url, token, params, valid):
    # What a client can put in a URL: UTF-8 bytes (a lone surrogate arrives as U+FFFD).
    params = {k: v.encode("utf-8", "replace").decode() for k, v in params.items()}
    if valid:
        params = {**params, "hub.mode": "subscribe", "hub.verify_token": token}
    response = Client().get(url, params)
    assert response.status_code in (200, 400, 403)
    if valid and "\x00" not in "".join(params.values()):
        assert response.status_code == 200
        assert response.content.decode() == params.get("hub.challenge", "")


# --- the landing form ----------------------------------------------------------------

form_fields = st.dictionaries(
    st.one_of(
        st.sampled_from(["name", "phone", "email", "course", "comment", "page", "utm_source", "submission_id"]),
        nasty_text,
    ),
    st.one_of(nasty_text, st.sampled_from(["+998 90 123 45 67", "8 (90) 765 43 21"])),
    max_size=8,
)


@FUZZ
@given(data=st.data())
def test_landing_form_never_answers_500_for_any_body_or_key(data):
    fields = data.draw(form_fields, label="fields")
    key = data.draw(st.sampled_from([LANDING_KEY, "wrong-key", None]), label="key")
    how = data.draw(st.sampled_from(["json", "json-any", "urlencoded", "multipart", "raw"]), label="encoding")
    headers = {"X-Intake-Key": key} if key else {}
    headers["Idempotency-Key"] = data.draw(st.sampled_from(["", "abc", "a\x00b", "k" * 500]), label="idempotency")
    client = Client()
    if how == "multipart":
        # What a browser can send: UTF-8 text without NUL (a lone surrogate arrives as U+FFFD).
        safe = {clean(k): clean(v) for k, v in fields.items()}
        response = client.post("/intake/landing/", safe, headers=headers)
    elif how == "urlencoded":
        from urllib.parse import urlencode

        body = urlencode(
            {k.encode("utf-8", "surrogatepass"): v.encode("utf-8", "surrogatepass") for k, v in fields.items()}
        )
        response = post(client, "/intake/landing/", body.encode(), "application/x-www-form-urlencoded", **headers)
    elif how == "json":
        response = post(client, "/intake/landing/", dumps(fields), "application/json", **headers)
    elif how == "json-any":
        response = post(client, "/intake/landing/", dumps(data.draw(json_values)), "application/json", **headers)
    else:
        body = data.draw(raw_bodies, label="raw body")
        response = post(client, "/intake/landing/", body, data.draw(content_types, label="content type"), **headers)
    assert_refusal_is_clear(response)
    if key == "wrong-key" and response.status_code not in (400,):
        assert response.status_code == 403
    stored_events_load()


def test_a_valid_landing_post_still_becomes_an_event():
    """The hardening refuses the hostile, not the ordinary."""
    body = dumps({"name": "Oddiy Talaba", "phone": "+998 90 123 45 67", "comment": "IELTS, kechki guruh"})
    response = post(Client(), "/intake/landing/", body, "application/json", **{"X-Intake-Key": LANDING_KEY})
    assert response.status_code == 201
    assert IntakeEvent.objects.get().payload["name"] == "Oddiy Talaba"


@pytest.mark.parametrize(
    "body,message",
    [
        (b'{"update_id": 1, "x": "a\\u0000b"}', "NUL"),
        (b'{"update_id": 1, "x": "\\ud800"}', "surrogate"),
        (b'{"update_id": 1, "x": NaN}', "not valid JSON"),
        (b'{"update_id": 1, "x": 1e999}', "not finite"),
        (b'{"update_id": 123456789012345678901234567890}', "too large"),
        (deep(40, "dict"), "nested more than 32"),
        (deep(5000, "list"), "nested more than 32"),
    ],
)
def test_unstorable_json_is_refused_with_a_clear_message(body, message):
    body = body if body.startswith(b"{") else b'{"update_id": 1, "x": ' + body + b"}"
    response = post(Client(), "/intake/telegram/", body, "application/json", **auth_headers("telegram", body, True))
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not IntakeEvent.objects.exists()
