"""The production rehearsal: the roles of Procfile.prod started for real, as
README "Running in production" documents them, against PostgreSQL and Redis.

release (check --deploy, migrate, collectstatic) → gunicorn with 2 workers on a
loopback port with DEBUG=False → two Celery workers and one beat (a second beat
is refused) → a few hundred landing and webhook deliveries from concurrent
clients, one worker killed with SIGKILL halfway → every delivery stored once,
every lead made once, every due reminder sent once, /readyz green, the admin
CSS served under its hashed, compressed name. Bounded: about a minute.
"""

import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from intake.models import IntakeEvent, IntakeStatus
from leads.models import Lead, LeadInquiry
from reminders.models import Delivery, DeliveryStatus
from tests.factories import SalespersonFactory
from tests.intake.processes import ROOT, database_url, free_port
from tests.reminders.factories import LeadReminderFactory

pytestmark = [
    pytest.mark.rehearsal,
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
BROKER_DB, CACHE_DB = 11, 12  # this test's own Redis databases
LANDING_KEY = "rehearsal-site-key"
CALLS_SECRET = "rehearsal-calls-secret"
META_SECRET = "rehearsal-meta-secret"
PEOPLE = 150  # distinct landing-form people
CLIENTS = 8  # concurrent HTTP clients
DEADLINE_SECONDS = 90  # for the system to settle after the last post (about 13 s on a quiet machine)
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}  # what nginx adds (deploy/nginx-proxy-params.conf)


def procfile_commands() -> dict[str, str]:
    """The roles exactly as Procfile.prod (and so the README) states them."""
    commands = {}
    for line in (ROOT / "Procfile.prod").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            commands[name.strip()] = command.strip()
    return commands


@pytest.fixture
def redis_dbs():
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2).close()
    except OSError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}; in CI the rehearsal must run.")
        pytest.skip(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    for db in (BROKER_DB, CACHE_DB):
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{BROKER_DB}", f"redis://{REDIS_HOST}:{REDIS_PORT}/{CACHE_DB}"


class Stack:
    """The role processes, each in its own session so a kill takes its children too."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs, self.processes = env, logs, {}
        self.commands = procfile_commands()

    def start(self, role: str, name: str | None = None, **extra_env) -> subprocess.Popen:
        name = name or role
        process = subprocess.Popen(
            ["bash", "-c", "exec " + self.commands[role]],
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=(self.logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def run(self, role: str, timeout: float) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", self.commands[role]],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until(condition, timeout: float, what: str, stack: Stack, logs=("worker-1", "worker-2", "beat")):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {name} ---\n{stack.log(name)[-2500:]}" for name in logs if name in stack.processes)
    pytest.fail(f"{what} not within {timeout:.0f} s\n{tails}")


def signed(body: bytes, secret: str, header: str) -> dict:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {**PROXY_HEADERS, "Content-Type": "application/json", header: f"sha256={digest}"}


def deliveries() -> tuple[list, dict]:
    """A few hundred posts, shuffled the same way every run, and what they must become."""
    posts, phones = [], set()
    for n in range(PEOPLE):
        phone = f"+99890{7000000 + n:07d}"
        phones.add(phone)
        form = {"name": f"Talaba {n}", "phone": phone, "course": "IELTS", "comment": "kechki guruh"}
        posts.append(("landing", form))
        if n % 5 == 0:
            posts.append(("landing", form))  # the same form submitted twice: one event
        if n % 5 == 1:
            posts.append(("landing", {**form, "comment": "ertalabki guruh ham bo'ladimi?"}))  # a second inquiry
    for n in range(40):  # calls: 30 new callers, 10 who also filled the form
        phone = f"+99891{8000000 + n:07d}" if n < 30 else f"+99890{7000000 + n:07d}"
        phones.add(phone)
        call = {"resource_id": f"CAL{n:05d}", "customer_number": phone, "direction": "inbound", "answered": True}
        posts.append(("calls", call))
        if n % 4 == 0:
            posts.append(("calls", call))  # the platform redelivers
    for n in range(30):
        wa_id = f"99893{9000000 + n:07d}"
        phones.add(f"+{wa_id}")
        message = {"from": wa_id, "id": f"wamid.R{n:05d}", "timestamp": "1764500000", "type": "text"}
        message["text"] = {"body": "Salom, kurslar haqida ma'lumot bering"}
        value = {"messaging_product": "whatsapp", "contacts": [{"wa_id": wa_id, "profile": {"name": f"WA {n}"}}]}
        value["messages"] = [message]
        body = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
        posts.append(("whatsapp", body))
        if n % 3 == 0:
            posts.append(("whatsapp", body))
    order = sorted(range(len(posts)), key=lambda i: hashlib.sha256(str(i).encode()).hexdigest())
    posts = [posts[i] for i in order]
    distinct = {json.dumps(p, sort_keys=True) for p in posts}
    expected = {"events": len(distinct), "leads": len(phones), "posts": len(posts), "phones": phones}
    return posts, expected


def post(session: requests.Session, base: str, kind: str, payload) -> int:
    if kind == "landing":
        response = session.post(
            f"{base}/intake/landing/", json=payload, headers={**PROXY_HEADERS, "X-Intake-Key": LANDING_KEY}, timeout=30
        )
    else:
        body = json.dumps(payload).encode()
        secret, header = (CALLS_SECRET, "X-Signature") if kind == "calls" else (META_SECRET, "X-Hub-Signature-256")
        response = session.post(f"{base}/intake/{kind}/", data=body, headers=signed(body, secret, header), timeout=30)
    return response.status_code


def test_production_roles_rehearsal(redis_dbs, tmp_path):
    started = time.monotonic()
    broker, cache_url = redis_dbs
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "CACHE_URL": cache_url,
        "EMAIL_URL": f"filemail:///{mail_dir}",  # environ drops one leading slash
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
        "LOG_FORMAT": "json",
        # Operator output follows the centre's language (uz by default); the
        # rehearsal reads the release's and beat's lines in English.
        "CRM_DEFAULT_LANGUAGE": "en",
        "LOG_LEVEL": "INFO",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "CELERY_CONCURRENCY": "2",
        "INTAKE_LANDING_KEYS": LANDING_KEY,
        "INTAKE_LANDING_RATE": "100000/m",
        "INTAKE_AUTO_ASSIGN": "False",
        "CALL_TRACKING_SECRET": CALLS_SECRET,
        "WHATSAPP_APP_SECRET": META_SECRET,  # WhatsApp on; Meta lead ads off (no Graph API here)
        "WHATSAPP_VERIFY_TOKEN": "rehearsal-wa-verify",
        # Shorter beat intervals than production's minute, so the rehearsal stays short.
        "REMINDER_DISPATCH_EVERY_SECONDS": "3",
        "INTAKE_REQUEUE_EVERY_SECONDS": "4",
        "INTAKE_REQUEUE_AFTER_SECONDS": "12",
        "REMINDER_CLAIM_TIMEOUT_SECONDS": "15",
    }
    # What this test process set for itself is no part of production (the browser
    # tests' DJANGO_ALLOW_ASYNC_UNSAFE would even fail check --deploy).
    for name in ("CI", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    stack = Stack(env, tmp_path)
    salesperson = SalespersonFactory(email="aziz@centre.example", telegram_chat_id="")
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=20)
    due_before = [LeadReminderFactory(salesperson=salesperson, due_at=past, next_notify_at=past) for _ in range(5)]

    release = stack.run("release", timeout=120)
    assert release.returncode == 0, release.stdout[-3000:] + release.stderr[-3000:]
    assert "Release done" in release.stdout
    try:
        stack.start("web")
        stack.start("worker", "worker-1")
        stack.start("worker", "worker-2")
        stack.start("beat")

        def ready() -> bool:
            try:
                return requests.get(f"{base}/readyz", timeout=10).status_code == 200
            except requests.RequestException:  # not listening yet, or still loading on a busy machine
                return False

        wait_until(ready, 60, "/readyz green", stack, logs=("web", "worker-1", "beat"))

        # A second beat anywhere is refused at once.
        second = stack.start("beat", "beat-2", CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-2-schedule"))
        assert second.wait(timeout=40) == 2, stack.log("beat-2")[-2000:]
        assert "Another Celery beat already runs" in stack.log("beat-2")

        # Reminders due now go out through beat's pass before the traffic starts.
        wait_until(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == len(due_before),
            30,
            "the due reminders sent",
            stack,
        )

        posts, expected = deliveries()
        codes: list[int] = []
        halfway = threading.Event()
        lock = threading.Lock()

        def client(share):
            with requests.Session() as session:
                for kind, payload in share:
                    code = post(session, base, kind, payload)
                    with lock:
                        codes.append(code)
                        if len(codes) >= len(posts) // 2:
                            halfway.set()

        shares = [posts[i::CLIENTS] for i in range(CLIENTS)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(client, share) for share in shares]
            assert halfway.wait(timeout=60), "half of the posts not answered within 60 s"
            stack.kill("worker-1")  # SIGKILL to the whole worker, children and all, mid-traffic
            killed_at = time.monotonic()
            for future in futures:
                future.result(timeout=90)
        posting_done = time.monotonic()

        # Reminders that fall due after the kill are sent once too, by what is left.
        now = datetime.datetime.now(datetime.UTC)
        due_after = [LeadReminderFactory(salesperson=salesperson, due_at=now, next_notify_at=now) for _ in range(5)]
        wanted_reminders = len(due_before) + len(due_after)

        def settled() -> bool:
            open_events = IntakeEvent.objects.exclude(status=IntakeStatus.PROCESSED).count()
            sent = Delivery.objects.filter(status=DeliveryStatus.SENT).count()
            return open_events == 0 and sent == wanted_reminders

        wait_until(settled, DEADLINE_SECONDS, "every event processed and every reminder sent", stack)
        settled_at = time.monotonic()

        # --- every delivery answered and stored once, every lead made once ---
        assert Counter(codes) == Counter({201: PEOPLE + PEOPLE // 5, 200: len(posts) - PEOPLE - PEOPLE // 5}), Counter(
            codes
        )
        assert IntakeEvent.objects.count() == expected["events"]
        assert Lead.objects.filter(phone__in=expected["phones"]).count() == expected["leads"]
        assert Lead.objects.count() == expected["leads"] + wanted_reminders  # the reminders' own leads
        # One inquiry per stored delivery, none twice.
        assert LeadInquiry.objects.filter(lead__phone__in=expected["phones"]).count() == expected["events"]
        assert not IntakeEvent.objects.exclude(lead__isnull=False).exists()

        # --- every due reminder sent once (the file backend wrote one message each) ---
        messages = [p.read_text() for p in mail_dir.iterdir()]
        assert sum(m.count("To: aziz@centre.example") for m in messages) == wanted_reminders
        assert Delivery.objects.count() == wanted_reminders

        # --- ready, and static files under hashed, compressed names ---
        readiness = requests.get(f"{base}/readyz", timeout=10)
        assert readiness.status_code == 200 and readiness.json()["status"] == "ok"
        login = requests.get(f"{base}/admin/login/", headers=PROXY_HEADERS, timeout=10)
        assert login.status_code == 200 and "content-security-policy" in login.headers
        css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
        assert css, "the admin CSS is not linked under a hashed name"
        asset = requests.get(base + css.group(1), headers={**PROXY_HEADERS, "Accept-Encoding": "gzip"}, timeout=10)
        assert asset.status_code == 200 and asset.headers["Content-Type"].startswith("text/css")
        assert asset.headers.get("Content-Encoding") == "gzip"
        assert "immutable" in asset.headers["Cache-Control"]

        # --- logs: one JSON object per line, with the task and request context ---
        worker_lines = [json.loads(line) for line in stack.log("worker-2").splitlines() if line.startswith("{")]
        outcomes = Counter(r["outcome"] for r in worker_lines if r.get("logger") == "crm.task")
        assert outcomes["succeeded"] > 0 and not outcomes["failed"], outcomes
        web_lines = [json.loads(line) for line in stack.log("web").splitlines() if line.startswith('{"')]
        assert any(r.get("logger") == "crm.request" and r.get("path") == "/intake/landing/" for r in web_lines)
        # The killed worker's unfinished events came back through the beat safety net.
        requeued = sum(
            int(m.group(1))
            for r in worker_lines
            if (m := re.search(r"requeue_stale_intake_events\[.*\] succeeded in [0-9.]+s: (\d+)", r["message"]))
        )
        assert requeued >= 1, "nothing was lost with the killed worker: the kill came too late to prove anything"
        for name in ("web", "worker-2", "beat"):
            assert stack.processes[name].poll() is None, f"{name} died:\n{stack.log(name)[-3000:]}"
    finally:
        stack.stop_all()
    print(
        f"\nrehearsal: {len(posts)} posts by {CLIENTS} clients, {expected['events']} events, "
        f"{expected['leads']} leads; worker-1 killed mid-traffic, {requeued} of its events re-queued; "
        f"settled {settled_at - posting_done:.1f} s after the last post "
        f"({settled_at - killed_at:.1f} s after the kill); {time.monotonic() - started:.0f} s in all"
    )
