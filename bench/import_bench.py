"""Lead import benchmark: 100,000 realistic rows into a fresh SQLite database.

    make bench-import            # or: .venv/bin/python bench/import_bench.py [--rows N] [--keep]
    .venv/bin/python bench/import_bench.py --postgres postgres://postgres@127.0.0.1:5432   # on PostgreSQL

Generates a CSV like ops' real lists (phones typed every way, Cyrillic and
Latin names, UTM columns, timestamps; about 10% repeats of earlier phones in
another format and 2% bad phones), imports it with the real importer
(import_service.services, the code behind `manage.py import_leads`), then
inserts the same new leads with a plain ``Lead.objects.bulk_create`` into the
same database, and prints both rates, their ratio and the peak memory.
"""

import argparse
import csv
import os
import random
import resource
import secrets
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = [
    "Aziz",
    "Malika",
    "Sardor",
    "Dilnoza",
    "Jasur",
    "Nilufar",
    "Bekzod",
    "Shahzoda",
    "Timur",
    "Kamola",
    "Анна",
    "Олег",
    "Нодира",
    "Рустам",
    "Ирина",
    "Дмитрий",
    "Гулнора",
    "Ботир",
    "Елена",
    "Фарход",
]
LAST = [
    "Karimov",
    "Tursunova",
    "Aliyev",
    "Yusupova",
    "Rahimov",
    "Qodirova",
    "Ergashev",
    "Nazarova",
    "Иванов",
    "Петрова",
    "Ахмедов",
    "Сидорова",
    "Усманов",
    "Ким",
    "Пак",
    "Хасанова",
]
COURSES = ["IELTS", "SAT", "Kids English", "Python", "Frontend", "Математика", "Русский язык", "Koreys tili"]
SOURCES = [("instagram", "cpc"), ("telegram", "post"), ("facebook", "cpc"), ("google", "search"), ("", "")]
OPERATORS = ["90", "91", "93", "94", "97", "99", "33", "88", "95", "77"]
BAD_PHONES = ["", "12345", "+998 90 12", "нет", "0", "+1 555", "99890123"]


def phone_forms(op: str, number: int) -> list[str]:
    digits = f"{number:07d}"
    return [
        f"+998 {op} {digits[:3]} {digits[3:5]} {digits[5:]}",
        f"+998{op}{digits}",
        f"998{op}{digits}",
        f"{op} {digits[:3]}-{digits[3:5]}-{digits[5:]}",
        f"8 ({op}) {digits[:3]} {digits[3:5]} {digits[5:]}",
        f"({op}) {digits}",
    ]


def generate(path: Path, rows: int, seed: int = 20261126) -> list[tuple]:
    """Write the CSV; return the unique valid leads (E.164, name, course) in file order."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 9, 0)
    unique: list[tuple] = []
    used = set()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Full name",
                "Phone number",
                "Email",
                "Course",
                "Comment",
                "utm_source",
                "utm_medium",
                "utm_campaign",
                "created_time",
            ]
        )
        for index in range(rows):
            roll = rng.random()
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            course = rng.choice(COURSES)
            utm_source, utm_medium = rng.choice(SOURCES)
            when = (start + timedelta(minutes=3 * index)).strftime("%Y-%m-%d %H:%M:%S")
            comment = rng.choice(["", "", "", "перезвонить вечером", "qayta qo'ng'iroq", "Просит скидку,\nесли двое"])
            email = f"lead{index}@example.uz" if rng.random() < 0.3 else ""
            if roll < 0.02:
                phone = rng.choice(BAD_PHONES)
            elif roll < 0.12 and unique:
                e164 = rng.choice(unique)[0]
                phone = rng.choice(phone_forms(e164[4:6], int(e164[6:])))
            else:
                while True:
                    op, number = rng.choice(OPERATORS), rng.randrange(1_000_000, 9_999_999)
                    if (op, number) not in used:
                        used.add((op, number))
                        break
                phone = rng.choice(phone_forms(op, number))
                unique.append((f"+998{op}{number:07d}", name, course))
            writer.writerow(
                [name, phone, email, course, comment, utm_source, utm_medium, "spring_2026" if utm_source else "", when]
            )
    return unique


def create_pg_database(server_url: str) -> tuple[str, str]:
    """A fresh PostgreSQL database on ``server_url`` (postgres://user@host:port); returns (url, name)."""
    import psycopg

    name = f"import_bench_{os.getpid()}"
    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url.rstrip('/')}/{name}", name


def drop_pg_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def setup_django(db_path: Path, database_url: str | None = None) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{db_path}"
    os.environ["CONN_MAX_AGE"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "crm_project.settings"
    os.environ["DEBUG"] = "False"  # as in production: no query log
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    os.environ["MEDIA_ROOT"] = str(db_path.parent / "media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (CSV and database)")
    parser.add_argument(
        "--postgres",
        metavar="SERVER_URL",
        help="run on a fresh PostgreSQL database made on this server "
        "(e.g. postgres://postgres@127.0.0.1:5432) instead of SQLite",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    csv_path, db_path = workdir / "leads.csv", workdir / "bench.sqlite3"
    unique = generate(csv_path, args.rows)
    pg_name = None
    if args.postgres:
        database_url, pg_name = create_pg_database(args.postgres)
        setup_django(db_path, database_url)
    else:
        setup_django(db_path)

    from django.db import connection, transaction
    from django.utils import timezone

    from import_service.services import inputs, runs
    from leads.models import Lead, LeadInquiry, LeadStatusChange

    rss_before = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    table, mapping = inputs.import_open_file(path=csv_path)
    log = runs.import_log_start(table=table, mapping=mapping, source=None)
    log = runs.import_execute(log=log, table=table, mapping=mapping).log
    import_seconds, import_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rss_import = peak_rss_mb()
    assert log.total == args.rows and log.created == len(unique), (log.total, log.created, len(unique))
    assert LeadStatusChange.objects.count() == LeadInquiry.objects.filter(is_repeat=False).count() == log.created

    # Plain bulk_create of the same new leads, into the same (emptied) database.
    with connection.cursor() as cursor:
        for table_name in ("import_service_importrow", "leads_leadinquiry", "leads_leadstatuschange", "leads_lead"):
            cursor.execute(f"DELETE FROM {table_name}")
    # Timed from rows already in memory and already normalised: Lead instances, then bulk_create.
    now = timezone.now()
    started, cpu_started = time.perf_counter(), time.process_time()
    leads = [
        Lead(
            phone=phone,
            full_name=name,
            course_interest=course,
            source="csv",
            created_at=now,
            status_changed_at=now,
            last_inquiry_at=now,
            last_inquiry_source="csv",
        )
        for phone, name, course in unique
    ]
    with transaction.atomic():
        Lead.objects.bulk_create(leads, batch_size=1000)
    plain_seconds, plain_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    def rates(import_time, plain_time):
        return args.rows / import_time, len(unique) / plain_time

    print(
        f"rows in file:          {args.rows:,} ({log.created:,} new, {log.duplicates:,} duplicates, "
        f"{log.errors:,} errors)"
    )
    measures = [("wall clock", import_seconds, plain_seconds)]
    if connection.vendor == "sqlite":
        measures.append(("CPU time", import_cpu, plain_cpu))
    for label, import_time, plain_time in measures:
        import_rate, plain_rate = rates(import_time, plain_time)
        print(f"[{label}]")
        print(
            f"  import:              {import_time:6.2f} s  {import_rate:>9,.0f} rows/s "
            f"(file read + leads + status history + inquiries + row log)"
        )
        print(f"  plain bulk_create:   {plain_time:6.2f} s  {plain_rate:>9,.0f} rows/s ({len(unique):,} leads only)")
        print(f"  ratio import/plain:  {import_rate / plain_rate:6.2f}  (goal ≥ 0.50)")
    if connection.vendor == "sqlite":
        print("  (SQLite runs inside this process, so CPU time is the fair figure on a machine shared with other jobs)")
    print(f"peak memory (RSS):     {rss_import:6.0f} MB  (before import: {rss_before:.0f} MB; goal < 300 MB)")
    version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
    print(f"database: {connection.vendor} {version}, files in {workdir}" + ("" if args.keep else " (removed)"))
    connection.close()
    if pg_name and not args.keep:
        drop_pg_database(args.postgres, pg_name)
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
