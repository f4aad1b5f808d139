"""Lead intake benchmark: landing-form posts through a real server, then processing.

    .venv/bin/python bench/intake_bench.py [--posts 2000] [--clients 20] [--workers 6]
                                           [--postgres postgres://postgres@127.0.0.1:5432]

Migrates a fresh database (a throwaway PostgreSQL database on the given server,
dropped afterwards, or by default a fresh SQLite file), starts `manage.py
runserver` on loopback with the throttle raised, posts POSTS realistic landing
forms (10% exact double-submits, 10% second inquiries from a known phone) from
CLIENTS concurrent clients, and prints the accept rate and latency. Then WORKERS
threads drain the stream with intake.services (what Celery workers run; one on
SQLite) and it prints events per second and checks the counts.
"""

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE_KEY = "bench-site-key"
COURSES = ["IELTS", "General English", "Kids English", "Python", "SAT Math", "Korean"]
NAMES = ["Aziza Karimova", "Bekzod Ergashev", "Madina Yusupova", "Timur Rakhimov", "Анна Иванова", "Олег Петров"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def submissions(count: int, rng: random.Random) -> tuple[list[dict], int, int]:
    exact, second = count // 10, count // 10
    unique = count - exact - second
    originals = [
        {
            "name": rng.choice(NAMES),
            "phone": f"+99890{5000000 + i:07d}",
            "course": rng.choice(COURSES),
            "utm_source": "instagram",
            "utm_campaign": "bench",
            "page": "https://school.example/",
        }
        for i in range(unique)
    ]
    posts = originals + [dict(rng.choice(originals)) for _ in range(exact)]
    posts += [{**o, "comment": "second inquiry"} for o in rng.sample(originals, second)]
    rng.shuffle(posts)
    return posts, unique, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--postgres", help="server URL without database name; a throwaway database is used")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    if args.postgres:
        db_name = f"crm_intake_bench_{secrets.token_hex(4)}"
        database_url = f"{args.postgres.rstrip('/')}/{db_name}"
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        args.workers = 1
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "crm_project.settings",
            "DEBUG": "True",  # runserver, a development server; settings default to DEBUG off
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "0",
            "INTAKE_LANDING_KEYS": SITE_KEY,
            "INTAKE_LANDING_RATE": "1000000/m",
            "INTAKE_AUTO_ASSIGN": "False",
            "CELERY_BROKER_URL": "memory://",
            "CELERY_TASK_ALWAYS_EAGER": "False",
            "LOG_LEVEL": "WARNING",
        }
    )
    if args.postgres:
        import psycopg

        with psycopg.connect(f"{args.postgres.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')

    import django

    django.setup()
    import requests
    from django.core.management import call_command
    from django.db import connection

    from intake import services
    from intake.models import IntakeEvent
    from leads.models import Lead

    server = None
    try:
        call_command("migrate", verbosity=0)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            stdout=(tmp / "server.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/intake/landing/"
        for _ in range(150):
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)

        posts, unique, second = submissions(args.posts, random.Random(2026))
        headers = {"X-Intake-Key": SITE_KEY, "Content-Type": "application/json"}

        def post(data):
            began = time.perf_counter()
            code = requests.post(url, data=json.dumps(data), headers=headers, timeout=30).status_code
            return code, time.perf_counter() - began

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            results = list(pool.map(post, posts))
        elapsed = time.perf_counter() - began
        latencies = sorted(t for _, t in results)
        codes = {c: sum(1 for code, _ in results if code == c) for c in {code for code, _ in results}}
        print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}")
        print(
            f"posts: {len(posts)} from {args.clients} clients in {elapsed:.1f} s = {len(posts) / elapsed:.0f}/s; "
            f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms; answers {codes}"
        )

        def drain(_):
            try:
                return services.intake_events_process_open().as_dict()
            finally:
                connection.close()

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            summaries = list(pool.map(drain, range(args.workers)))
        elapsed = time.perf_counter() - began
        events = IntakeEvent.objects.count()
        totals = {k: sum(s[k] for s in summaries) for k in ("processed", "created", "repeats", "failed")}
        print(
            f"processing: {events} events by {args.workers} worker(s) in {elapsed:.1f} s = {events / elapsed:.0f}/s; "
            f"{totals}"
        )
        ok = (
            events == unique + second
            and Lead.objects.count() == unique
            and totals == {"processed": unique + second, "created": unique, "repeats": second, "failed": 0}
        )
        print("counts: " + ("exact" if ok else "WRONG"))
        if not ok:
            sys.exit(1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if args.postgres:
            connection.close()
            import psycopg

            with psycopg.connect(f"{args.postgres.rstrip('/')}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
