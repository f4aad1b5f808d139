"""Intake test helpers: channel secrets switched on, fixture payloads, signing."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest
import responses as responses_lib
from django.core.cache import cache
from django.test import Client, TestCase

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

LANDING_KEY = "site-key-school-example"
TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "tg-webhook-secret"
META_SECRET = "meta-app-secret"
META_VERIFY = "meta-verify-token"
META_PAGE_TOKEN = "page-access-token"
WHATSAPP_VERIFY = "wa-verify-token"
CALLS_SECRET = "call-tracking-secret"
TELEGRAM_API = "https://api.telegram.org"
GRAPH = "https://graph.facebook.com/v21.0"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict:
    return json.loads(fixture_bytes(name))


def as_body(data) -> bytes:
    return data if isinstance(data, bytes) else json.dumps(data).encode()


def sha256_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(autouse=True)
def intake_settings(settings):
    settings.INTAKE_LANDING_KEYS = [LANDING_KEY, "another-site-key"]
    settings.INTAKE_ALLOWED_ORIGINS = ["https://school.example"]
    settings.INTAKE_LANDING_RATE = "1000/m"
    settings.INTAKE_AUTO_ASSIGN = False
    settings.TELEGRAM_BOT_TOKEN = TELEGRAM_TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = TELEGRAM_SECRET
    settings.TELEGRAM_API_URL = TELEGRAM_API
    settings.META_APP_SECRET = META_SECRET
    settings.META_VERIFY_TOKEN = META_VERIFY
    settings.META_PAGE_ACCESS_TOKEN = META_PAGE_TOKEN
    settings.META_GRAPH_URL = GRAPH
    settings.WHATSAPP_APP_SECRET = META_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = WHATSAPP_VERIFY
    settings.CALL_TRACKING_SECRET = CALLS_SECRET
    cache.clear()
    yield settings
    cache.clear()


class OnCommitClient(Client):
    """Runs the on-commit callbacks (the Celery enqueue, eager in tests) of each
    request when it ends, as a real commit would inside a test transaction."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return OnCommitClient()


@pytest.fixture
def mocked_http():
    """Outbound HTTP faked at the HTTP layer; any unexpected call fails the test."""
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def telegram_api(mocked_http):
    url = f"{TELEGRAM_API}/bot{TELEGRAM_TOKEN}/sendMessage"
    mocked_http.add(responses_lib.POST, url, json={"ok": True, "result": {"message_id": 99}})
    return mocked_http


def post_json(client, url: str, data, **headers):
    body = as_body(data)
    return client.post(url, data=body, content_type="application/json", headers=headers)


def post_signed(client, url: str, data, secret: str, header: str = "X-Hub-Signature-256"):
    body = as_body(data)
    return client.post(
        url, data=body, content_type="application/json", headers={header: sha256_signature(body, secret)}
    )
