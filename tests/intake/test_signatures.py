"""Every signed channel refuses a signature that is almost right: one character
changed (first, middle, last), cut short (by one, to a prefix), extended, empty,
or under another algorithm's prefix. A comparison of only the first characters,
or a prefix match, would let these through. Each channel's correct signature is
accepted in the same test module, so a refusal is never the harness's fault."""

import pytest
import responses

from intake.models import IntakeEvent, IntakeRejection
from intake.security import hmac_signature_valid, secret_matches
from tests.intake.conftest import (
    CALLS_SECRET,
    GRAPH,
    LANDING_KEY,
    META_SECRET,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    fixture_bytes,
    fixture_json,
    sha256_signature,
)

pytestmark = pytest.mark.django_db

# channel, URL, signature header, secret, a real delivery of that channel
HMAC_CHANNELS = {
    "meta": ("/intake/meta/", "X-Hub-Signature-256", META_SECRET, "meta_leadgen_webhook.json"),
    "whatsapp": ("/intake/whatsapp/", "X-Hub-Signature-256", META_SECRET, "whatsapp_message_webhook.json"),
    "calls": ("/intake/calls/", "X-Signature", CALLS_SECRET, "call_tracking_post_call.json"),
}


def flip(text: str, index: int) -> str:
    """``text`` with the character at ``index`` replaced by another valid hex digit."""
    char = text[index]
    return text[:index] + ("0" if char != "0" else "1") + text[index + 1 :]


def near_misses(good: str) -> dict[str, str]:
    prefix, digest = good.split("=", 1)
    assert prefix == "sha256" and len(digest) == 64
    return {
        "last character changed": f"sha256={flip(digest, -1)}",
        "first character changed": f"sha256={flip(digest, 0)}",
        "middle character changed": f"sha256={flip(digest, 32)}",
        "cut short by one": f"sha256={digest[:-1]}",
        "first 16 characters only": f"sha256={digest[:16]}",
        "one character appended": f"sha256={digest}0",
        "prefix only": "sha256=",
        "empty": "",
        "no prefix": digest,
        "sha1 prefix": f"sha1={digest}",
        "sha512 prefix": f"sha512={digest}",
    }


MISS_NAMES = list(near_misses("sha256=" + "a" * 64))


def post(client, url, body, headers):
    return client.post(url, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def graph(mocked_http):
    mocked_http.add(responses.GET, f"{GRAPH}/3100000000000001", json=fixture_json("meta_graph_lead.json"))
    return mocked_http


@pytest.mark.parametrize("channel", list(HMAC_CHANNELS))
def test_the_correct_signature_is_accepted(client, graph, channel):
    url, header, secret, fixture = HMAC_CHANNELS[channel]
    body = fixture_bytes(fixture)
    response = post(client, url, body, {header: sha256_signature(body, secret)})
    assert response.status_code == 200
    assert IntakeEvent.objects.filter(channel=channel).count() == 1


@pytest.mark.parametrize("miss", MISS_NAMES)
@pytest.mark.parametrize("channel", list(HMAC_CHANNELS))
def test_an_almost_right_signature_is_refused_and_nothing_is_stored(client, mocked_http, channel, miss):
    url, header, secret, fixture = HMAC_CHANNELS[channel]
    body = fixture_bytes(fixture)
    signature = near_misses(sha256_signature(body, secret))[miss]
    response = post(client, url, body, {header: signature})
    assert response.status_code == 403, miss
    assert not IntakeEvent.objects.exists()
    assert IntakeRejection.objects.get(channel=channel).reason == "forbidden"
    assert not mocked_http.calls


@pytest.mark.parametrize("miss", MISS_NAMES)
def test_hmac_signature_valid_refuses_every_near_miss(miss):
    body = b'{"entry": []}'
    good = sha256_signature(body, "s3cret")
    assert hmac_signature_valid(body, good, "s3cret")
    assert not hmac_signature_valid(body, near_misses(good)[miss], "s3cret")


def secret_near_misses(secret: str) -> dict[str, str]:
    return {
        "last character changed": secret[:-1] + ("x" if secret[-1] != "x" else "y"),
        "first character changed": ("x" if secret[0] != "x" else "y") + secret[1:],
        "cut short by one": secret[:-1],
        "first half only": secret[: len(secret) // 2],
        "one character appended": secret + "x",
        "empty": "",
    }


SECRET_MISSES = list(secret_near_misses("abcdef"))


def test_the_correct_telegram_secret_token_is_accepted(client, telegram_api):
    response = post(
        client,
        "/intake/telegram/",
        fixture_bytes("telegram_update_start.json"),
        {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert response.status_code == 200
    assert IntakeEvent.objects.filter(channel="telegram").count() == 1


@pytest.mark.parametrize("miss", SECRET_MISSES)
def test_an_almost_right_telegram_secret_token_is_refused(client, mocked_http, miss):
    token = secret_near_misses(TELEGRAM_SECRET)[miss]
    response = post(
        client,
        "/intake/telegram/",
        fixture_bytes("telegram_update_start.json"),
        {"X-Telegram-Bot-Api-Secret-Token": token},
    )
    assert response.status_code == 403
    assert not IntakeEvent.objects.exists()
    assert not [c for c in mocked_http.calls if str(TELEGRAM_TOKEN) in c.request.url]


def test_the_correct_landing_key_is_accepted(client):
    response = post(client, "/intake/landing/", fixture_bytes("landing_form.json"), {"X-Intake-Key": LANDING_KEY})
    assert response.status_code == 201
    assert IntakeEvent.objects.filter(channel="landing").count() == 1


@pytest.mark.parametrize("miss", SECRET_MISSES)
def test_an_almost_right_landing_key_is_refused(client, miss):
    key = secret_near_misses(LANDING_KEY)[miss]
    response = post(client, "/intake/landing/", fixture_bytes("landing_form.json"), {"X-Intake-Key": key})
    assert response.status_code == 403
    assert not IntakeEvent.objects.exists()


@pytest.mark.parametrize("miss", SECRET_MISSES)
def test_secret_matches_refuses_every_near_miss(miss):
    assert secret_matches("tg-webhook-secret", "tg-webhook-secret")
    assert not secret_matches(secret_near_misses("tg-webhook-secret")[miss], "tg-webhook-secret")
