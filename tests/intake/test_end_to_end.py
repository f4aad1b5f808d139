"""All five channels end to end: a real web server and a real Celery worker on
Redis, the Bot API and Graph API replaced by a local stand-in through
TELEGRAM_API_URL / META_GRAPH_URL. Each delivery becomes its lead within the
minute, and the Telegram replies go out once."""

import socket
import time

import pytest
import requests

from intake.models import IntakeEvent, IntakeStatus, ReplyStatus
from leads.models import Lead, LeadSource
from tests.intake.conftest import fixture_bytes, fixture_json, sha256_signature
from tests.intake.processes import FakePlatform, base_env, start_fake_platform, start_server, start_worker, stop

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 6
TIMEOUT = 60
SECRETS = {
    "INTAKE_LANDING_KEYS": "e2e-site-key",
    "TELEGRAM_BOT_TOKEN": "777:e2e-token",
    "TELEGRAM_WEBHOOK_SECRET": "e2e-telegram-secret",
    "META_APP_SECRET": "e2e-meta-secret",
    "META_VERIFY_TOKEN": "e2e-verify",
    "META_PAGE_ACCESS_TOKEN": "e2e-page-token",
    "WHATSAPP_VERIFY_TOKEN": "e2e-wa-verify",
    "CALL_TRACKING_SECRET": "e2e-calls-secret",
}


@pytest.fixture
def redis_broker():
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2).close()
    except OSError:
        pytest.skip(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()  # our own db: no stale tasks
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"


@pytest.fixture
def stack(redis_broker, tmp_path):
    platform, platform_url = start_fake_platform()
    env = base_env(
        **SECRETS,
        CELERY_BROKER_URL=redis_broker,
        CELERY_TASK_ALWAYS_EAGER="False",
        TELEGRAM_API_URL=platform_url,
        META_GRAPH_URL=f"{platform_url}/v21.0",
        INTAKE_AUTO_ASSIGN="False",
    )
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        server, base = start_server(env, tmp_path / "server.log")
    except Exception:
        stop(worker)
        raise
    try:
        yield base, tmp_path
    finally:
        stop(server)
        stop(worker)
        platform.shutdown()


def signed(body: bytes, secret: str, header: str) -> dict:
    return {"Content-Type": "application/json", header: sha256_signature(body, secret)}


def test_every_channel_end_to_end_with_a_real_worker(stack):
    base, logs = stack
    FakePlatform.graph_leads["3100000000000001"] = fixture_json("meta_graph_lead.json")
    meta_body = fixture_bytes("meta_leadgen_webhook.json")
    wa_body = fixture_bytes("whatsapp_message_webhook.json")
    call_body = fixture_bytes("call_tracking_post_call.json")
    telegram_headers = {"X-Telegram-Bot-Api-Secret-Token": SECRETS["TELEGRAM_WEBHOOK_SECRET"]}
    started = time.monotonic()

    answers = [
        requests.post(
            f"{base}/intake/landing/",
            json=fixture_json("landing_form.json"),
            headers={"X-Intake-Key": SECRETS["INTAKE_LANDING_KEYS"]},
            timeout=10,
        ),
        requests.post(
            f"{base}/intake/telegram/",
            json=fixture_json("telegram_update_start.json"),
            headers=telegram_headers,
            timeout=10,
        ),
        requests.post(
            f"{base}/intake/telegram/",
            json=fixture_json("telegram_update_contact.json"),
            headers=telegram_headers,
            timeout=10,
        ),
        requests.post(
            f"{base}/intake/meta/",
            data=meta_body,
            headers=signed(meta_body, SECRETS["META_APP_SECRET"], "X-Hub-Signature-256"),
            timeout=10,
        ),
        requests.post(
            f"{base}/intake/whatsapp/",
            data=wa_body,
            headers=signed(wa_body, SECRETS["META_APP_SECRET"], "X-Hub-Signature-256"),
            timeout=10,
        ),
        requests.post(
            f"{base}/intake/calls/",
            data=call_body,
            headers=signed(call_body, SECRETS["CALL_TRACKING_SECRET"], "X-Signature"),
            timeout=10,
        ),
    ]
    # The platform retries one delivery: acknowledged, not stored again.
    replay = requests.post(
        f"{base}/intake/calls/",
        data=call_body,
        headers=signed(call_body, SECRETS["CALL_TRACKING_SECRET"], "X-Signature"),
        timeout=10,
    )

    assert [a.status_code for a in answers] == [201, 200, 200, 200, 200, 200]
    assert replay.json()["status"] == "duplicate"
    deadline = started + TIMEOUT
    while time.monotonic() < deadline:
        done = IntakeEvent.objects.filter(status__in=[IntakeStatus.PROCESSED, IntakeStatus.IGNORED]).count()
        replies = IntakeEvent.objects.filter(reply_status=ReplyStatus.SENT).count()
        if done == 6 and replies == 2:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"not processed within {TIMEOUT}s:\n{(logs / 'worker.log').read_text()[-4000:]}")

    sources = dict(Lead.objects.values_list("phone", "source"))
    assert sources == {
        "+998905550201": LeadSource.LANDING,
        "+998905550301": LeadSource.TELEGRAM,
        "+998905550401": LeadSource.INSTAGRAM,
        "+998905550501": LeadSource.WHATSAPP,
        "+998905550601": LeadSource.CALL_TRACKING,
    }
    assert Lead.objects.get(phone="+998905550301").telegram_chat_id == "555000111"
    sent = [(path, body) for method, path, body in FakePlatform.calls if method == "POST"]
    assert [path for path, _ in sent] == ["/bot777:e2e-token/sendMessage"] * 2
    assert {body["chat_id"] for _, body in sent} == {555000111}
    graph = [path for method, path, _ in FakePlatform.calls if method == "GET"]
    assert len(graph) == 1 and graph[0].startswith("/v21.0/3100000000000001?")
    assert IntakeEvent.objects.count() == 6
    print(f"\nsix deliveries processed by the worker {time.monotonic() - started:.1f} s after the first post")
