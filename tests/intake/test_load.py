"""Load on loopback: 1,000 landing-form posts, 20% of them repeats, sent
concurrently to a real server process; exactly the expected events and leads.

Repeats are of two kinds: 100 exact double-submits (same body, so the same
derived idempotency key: no new event) and 100 new inquiries from a phone that
already posted (a new event that becomes a repeat inquiry).
"""

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.db import connection

from intake import services
from intake.models import IntakeEvent, IntakeStatus
from leads.models import Lead, LeadInquiry
from tests.intake.processes import base_env, start_server, stop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SITE_KEY = "load-test-site-key"
UNIQUE, EXACT_REPEATS, NEW_INQUIRY_REPEATS = 800, 100, 100
WORKERS = 20
PROCESSORS = 6
COURSES = ["IELTS", "General English", "Python", "SAT Math", "Korean"]


@pytest.fixture
def server(tmp_path):
    env = base_env(
        INTAKE_LANDING_KEYS=SITE_KEY,
        INTAKE_LANDING_RATE="100000/m",
        INTAKE_AUTO_ASSIGN="False",
        # Events are only stored by the server; this test processes them itself.
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="False",
    )
    process, base = start_server(env, tmp_path / "server.log")
    try:
        yield f"{base}/intake/landing/"
    finally:
        stop(process)


def submissions() -> list[dict]:
    rng = random.Random(1000)
    originals = [
        {
            "name": f"Student {i}",
            "phone": f"+99890{4000000 + i:07d}",
            "course": rng.choice(COURSES),
            "utm_source": "instagram",
            "page": "https://school.example/ielts",
        }
        for i in range(UNIQUE)
    ]
    exact = [dict(rng.choice(originals)) for _ in range(EXACT_REPEATS)]
    # New inquiries from known phones: distinct phones, so each is exactly one repeat.
    new_inquiries = [
        {**o, "course": "Later: " + o["course"], "comment": "Asked again"}
        for o in rng.sample(originals, NEW_INQUIRY_REPEATS)
    ]
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
    print(
        f"processed {IntakeEvent.objects.count()} events in {time.monotonic() - started:.1f} s "
        f"with {PROCESSORS} workers"
    )

    totals = {key: sum(s[key] for s in summaries) for key in ("processed", "created", "repeats", "failed")}
    assert totals == {
        "processed": UNIQUE + NEW_INQUIRY_REPEATS,
        "created": UNIQUE,
        "repeats": NEW_INQUIRY_REPEATS,
        "failed": 0,
    }
    out = StringIO()
    call_command("process_intake", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"processed": 0, "created": 0, "repeats": 0, "failed": 0}
    assert not IntakeEvent.objects.exclude(status=IntakeStatus.PROCESSED).exists()
    assert Lead.objects.count() == UNIQUE
    assert LeadInquiry.objects.count() == UNIQUE + NEW_INQUIRY_REPEATS
    assert LeadInquiry.objects.filter(is_repeat=True).count() == NEW_INQUIRY_REPEATS
    assert sorted(Lead.objects.values_list("inquiry_count", flat=True)) == [1] * 700 + [2] * 100
