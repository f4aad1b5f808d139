"""Load on loopback: 1,000 landing-form posts, 20% of them repeats, sent
concurrently to a real server process; exactly the expected events and leads.

Repeats are of two kinds: 100 exact double-submits (same body, so the same
derived idempotency key: no new event) and 100 new inquiries from a phone that
already posted (a new event that becomes a repeat inquiry).
"""
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from intake import services
from intake.models import IntakeEvent, IntakeStatus
from leads.models import Lead, LeadInquiry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SITE_KEY = "load-test-site-key"
UNIQUE, EXACT_REPEATS, NEW_INQUIRY_REPEATS = 800, 100, 100
WORKERS = 20
PROCESSORS = 6
COURSES = ["IELTS", "General English", "Python", "SAT Math", "Korean"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server():
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "INTAKE_LANDING_KEYS": SITE_KEY,
        "INTAKE_LANDING_RATE": "100000/m",
        "INTAKE_AUTO_ASSIGN": "False",
        # Events are only stored by the server; this test processes them itself.
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "LOG_LEVEL": "WARNING",
    }
    log = tempfile.NamedTemporaryFile(prefix="intake-load-server-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/intake/landing/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url, timeout=1).status_code == 405:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{Path(log.name).read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        os.unlink(log.name)


def submissions() -> list[dict]:
    rng = random.Random(1000)
    originals = [
        {"name": f"Student {i}", "phone": f"+99890{4000000 + i:07d}", "course": rng.choice(COURSES),
         "utm_source": "instagram", "page": "https://school.example/ielts"}
        for i in range(UNIQUE)
    ]
    exact = [dict(rng.choice(originals)) for _ in range(EXACT_REPEATS)]
    # New inquiries from known phones: distinct phones, so each is exactly one repeat.
    new_inquiries = [{**o, "course": "Later: " + o["course"], "comment": "Asked again"}
                     for o in rng.sample(originals, NEW_INQUIRY_REPEATS)]
    posts = originals + exact + new_inquiries
    rng.shuffle(posts)
    return posts


def drain() -> dict:
    try:
        return services.intake_events_process_open().as_dict()
    finally:
        connection.close()


def test_thousand_concurrent_landing_posts(server):
    posts = submissions()
    session_headers = {"X-Intake-Key": SITE_KEY, "Content-Type": "application/json"}

    def post(data):
        response = requests.post(server, data=json.dumps(data), headers=session_headers, timeout=15)
        return response.status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        codes = list(pool.map(post, posts, timeout=120))
    elapsed = time.monotonic() - started

    assert codes.count(201) == UNIQUE + NEW_INQUIRY_REPEATS, {c: codes.count(c) for c in set(codes)}
    assert codes.count(200) == EXACT_REPEATS
    assert IntakeEvent.objects.count() == UNIQUE + NEW_INQUIRY_REPEATS
    print(f"\n{len(posts)} posts in {elapsed:.1f} s ({len(posts) / elapsed:.0f}/s) with {WORKERS} clients")

    # Several workers drain the stream at once, as Celery workers would.
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=PROCESSORS) as pool:
        summaries = list(pool.map(lambda _: drain(), range(PROCESSORS), timeout=120))
    print(f"processed {IntakeEvent.objects.count()} events in {time.monotonic() - started:.1f} s "
          f"with {PROCESSORS} workers")

    totals = {key: sum(s[key] for s in summaries) for key in ("processed", "created", "repeats", "failed")}
    assert totals == {
        "processed": UNIQUE + NEW_INQUIRY_REPEATS, "created": UNIQUE, "repeats": NEW_INQUIRY_REPEATS, "failed": 0,
    }
    out = StringIO()
    call_command("process_intake", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"processed": 0, "created": 0, "repeats": 0, "failed": 0}
    assert not IntakeEvent.objects.exclude(status=IntakeStatus.PROCESSED).exists()
    assert Lead.objects.count() == UNIQUE
    assert LeadInquiry.objects.count() == UNIQUE + NEW_INQUIRY_REPEATS
    assert LeadInquiry.objects.filter(is_repeat=True).count() == NEW_INQUIRY_REPEATS
    assert sorted(Lead.objects.values_list("inquiry_count", flat=True)) == [1] * 700 + [2] * 100
