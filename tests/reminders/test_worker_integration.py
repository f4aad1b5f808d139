"""A real Celery worker (subprocess) on the Redis broker and the PostgreSQL test
database: the beat task sent twice at once delivers every due reminder exactly
once — email through Django's file backend, Telegram through a local fake of
the Bot API."""

import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reminders.models import Delivery, DeliveryStatus, LeadReminder
from tests.factories import SalespersonFactory
from tests.reminders.factories import LeadReminderFactory
from tests.scheduling.factories import ensure_role_groups

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/5"
TIMEOUT = 60


def redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_broker():
    if not redis_reachable():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}; in CI this test must run.")
        pytest.skip(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=5).flushdb()  # our own db: no stale tasks
    return BROKER_URL


class FakeTelegram(BaseHTTPRequestHandler):
    calls: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        FakeTelegram.calls.append((self.path, json.loads(body)))
        payload = json.dumps({"ok": True, "result": {"message_id": len(FakeTelegram.calls)}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_telegram():
    FakeTelegram.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTelegram)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(*, broker: str, mail_dir: str, telegram_url: str, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # environ drops one leading slash
        "TELEGRAM_API_URL": telegram_url,
        "TELEGRAM_BOT_TOKEN": "worker-test-token",
        "DEBUG": "True",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm_project",
            "worker",
            "--queues=default,long",  # every queue of CELERY_TASK_ROUTES
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )


def send_dispatch_task(broker: str, copies: int) -> None:
    """What beat does every minute (twice, as two beat schedulers would)."""
    from crm_project.celery import app
    from reminders.tasks import dispatch_due

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write(broker) as conn:
            for _ in range(copies):
                dispatch_due.apply_async(connection=conn)
    finally:
        app.conf.task_always_eager = eager


def test_real_worker_sends_each_due_reminder_exactly_once(redis_broker, fake_telegram, tmp_path):
    ensure_role_groups()
    person = SalespersonFactory(email="worker@centre.example", telegram_chat_id="31337")
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=20)
    reminders = [LeadReminderFactory(salesperson=person, due_at=past, next_notify_at=past) for _ in range(5)]
    mail_dir = tempfile.mkdtemp(dir=tmp_path)
    log_path = tmp_path / "worker.log"
    worker = start_worker(broker=redis_broker, mail_dir=mail_dir, telegram_url=fake_telegram, log_path=log_path)
    try:
        send_dispatch_task(redis_broker, copies=2)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 10:
                break
            assert worker.poll() is None, f"worker died:\n{log_path.read_text()}"
            time.sleep(0.5)
        else:
            pytest.fail(f"not all reminders sent within {TIMEOUT}s:\n{log_path.read_text()[-4000:]}")
        time.sleep(1)  # let the second copy of the task finish too
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert Delivery.objects.count() == 10
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    messages = "".join(p.read_text() for p in Path(mail_dir).iterdir())
    assert messages.count("To: worker@centre.example") == 5
    assert [path for path, _ in FakeTelegram.calls] == ["/botworker-test-token/sendMessage"] * 5
    assert {call["chat_id"] for _, call in FakeTelegram.calls} == {"31337"}
    assert all(r.reminder_count == 1 for r in LeadReminder.objects.filter(pk__in=[r.pk for r in reminders]))
    log = log_path.read_text()
    assert "reminders.dispatch_due" in log and "succeeded" in log
