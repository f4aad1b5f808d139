"""Lead import benchmark: 100,000 realistic rows, against the physical floor and a peer.

    make bench-import            # or: .venv/bin/python bench/import_bench.py [--rows N] [--repeat N] [--keep]
    .venv/bin/python bench/import_bench.py --postgres postgres://postgres@127.0.0.1:5432   # SQLite and PostgreSQL

Generates a CSV like ops' real lists (phones typed every way, Cyrillic and
Latin names, UTM columns, timestamps; about 10% repeats of earlier phones in
another format and 2% bad phones), then, on SQLite and (with --postgres) on
PostgreSQL, each in a fresh database and its own process (so that each peak
memory is its own):

* ours: the real importer (import_service.services, the code behind
  ``manage.py import_leads``) on the whole file: read, normalise, leads, status
  history, inquiries, the per-row log;
* the raw floor: the same unique leads (every column, already normalised, in
  memory) inserted by one ``executemany`` of a prepared INSERT through the
  driver, one transaction, no ORM;
* the server's share (PostgreSQL only): the rows ours wrote (its log, leads,
  status changes, inquiries, row log), dumped after its run, copied back into a
  fresh database by binary COPY in one transaction: what the server alone needs
  for them with this schema's indexes and foreign keys, whoever computes them;
* the peer: django-import-export in its best configuration (``use_bulk``,
  ``CachedInstanceLoader``, ``skip_diff``) on the same clean unique leads. It is
  installed into a throwaway virtualenv (--peer-venv, made on first use with
  pip; never into requirements) and runs in a subprocess of that virtualenv.

Printed: each one's time and rows/s, ours against the floor (goal ≤ 5×) and
against the peer (goal ≥ 3× its rate), and each peak RSS (goal < 200 MB); on
PostgreSQL also the time 3× the peer's rate leaves ours, beside the server's share.
SQLite runs inside the process, so CPU time is printed beside the wall clock
(the fair figure on a machine shared with other jobs).
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


PEER = "django-import-export==4.4.3"
PEER_DEPS = ("tablib", "diff-match-patch")


def create_pg_database(server_url: str, name: str, template: str | None = None) -> str:
    """A fresh PostgreSQL database on ``server_url`` (postgres://user@host:port); returns its URL."""
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{server_url.rstrip('/')}/{name}"


def drop_pg_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def setup_django(workdir: Path, database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["CONN_MAX_AGE"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "crm_project.settings"
    os.environ["DEBUG"] = "False"  # as in production: no query log
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def clock():
    return time.perf_counter(), time.process_time()


def since(started) -> dict:
    wall, cpu = clock()
    return {"seconds": wall - started[0], "cpu": cpu - started[1]}


# --- the contenders, each run as a child process -----------------------------------------


def child_migrate(workdir: Path) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def child_ours(workdir: Path, dry_run: bool = False) -> dict:
    from django.db import connection

    from import_service.services import inputs, runs
    from leads.models import Lead, LeadInquiry, LeadStatusChange

    before = peak_rss_mb()
    started = clock()
    table, mapping = inputs.import_open_file(path=workdir / "leads.csv")
    log = runs.import_log_start(table=table, mapping=mapping, source=None, dry_run=dry_run)
    log = runs.import_execute(log=log, table=table, mapping=mapping).log
    result = since(started)
    assert (
        LeadStatusChange.objects.count()
        == LeadInquiry.objects.filter(is_repeat=False).count()
        == log.created * (not dry_run)
    )
    assert Lead.objects.count() == log.created * (not dry_run)
    assert log.rows.count() == log.duplicates + log.errors
    result |= {
        "rows": log.total,
        "created": log.created,
        "duplicates": log.duplicates,
        "errors": log.errors,
        "before_mb": before,
        "peak_mb": peak_rss_mb(),
    }
    if connection.vendor == "postgresql" and not dry_run:
        _dump_written(workdir)
    return result


def _written_tables() -> list[str]:
    """What an import writes, parents first: its log, the leads, their first
    status changes, the inquiries, the per-row log."""
    from import_service.models import ImportLog, ImportRow
    from leads.models import Lead, LeadInquiry, LeadStatusChange

    return [m._meta.db_table for m in (ImportLog, Lead, LeadStatusChange, LeadInquiry, ImportRow)]


def _dump_written(workdir: Path) -> None:
    """The rows ours wrote, each table in COPY's binary format in the workdir (for child_writes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in _written_tables():
            path = workdir / f"written-{table}.copy"
            with path.open("wb") as out, cursor.cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                for data in copy:
                    out.write(data)


def child_writes(workdir: Path) -> dict:
    """The database server's own work for the rows ours wrote, nothing else: the
    files child_ours dumped (its log, leads, status changes, inquiries, row log)
    copied back into a fresh database by binary COPY (the server's cheapest
    input) in one transaction, foreign keys checked at the commit as in ours.
    No Python between the statements and no look-ups: a floor, on this server
    and schema (its indexes and constraints), for any importer that writes
    those rows in one transaction on one connection. PostgreSQL only."""
    from django.db import connection

    from import_service.models import ImportLog
    from leads.models import Lead

    data = {table: (workdir / f"written-{table}.copy").read_bytes() for table in _written_tables()}
    connection.ensure_connection()
    raw = connection.connection  # the driver's connection: no ORM from here
    before = peak_rss_mb()
    started = clock()
    with raw.transaction(), raw.cursor() as cursor:
        for table, rows in data.items():
            with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                copy.write(rows)
    result = since(started)
    with connection.cursor() as cursor:
        counts = []
        for table in data:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts.append(cursor.fetchone()[0])
    leads = Lead.objects.count()
    assert leads == ImportLog.objects.get().created  # the dump was ours' run and nothing else
    return {
        **result,
        "rows": leads,
        "created": leads,
        "table_rows": sum(counts),
        "before_mb": before,
        "peak_mb": peak_rss_mb(),
    }


def _unique(workdir: Path) -> list[list[str]]:
    import json

    return json.loads((workdir / "unique.json").read_text(encoding="utf-8"))


def child_floor(workdir: Path) -> dict:
    """One prepared INSERT of every column of the same unique leads, run for all of
    them by the driver's executemany, one transaction: what the database and
    driver cost when nothing else does anything."""
    from django.db import connection
    from django.utils import timezone

    from leads.bulk import _adapted, _new_lead_defaults, _table_and_columns
    from leads.models import Lead

    now = timezone.now()
    defaults = _new_lead_defaults(now)
    names = list(defaults)
    columns = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    table, column_list = _table_and_columns(Lead, columns)
    fixed = {"source": "csv", "status": "new", "created_at": now, "status_changed_at": now}
    fixed |= {"last_inquiry_at": now, "last_inquiry_source": "csv"}
    rows = []
    for phone, name, course in _unique(workdir):
        values = {**defaults, **fixed, "phone": phone, "full_name": name, "course_interest": course}
        rows.append(tuple(values[n] for n in names))
    rows = _adapted(columns, rows)  # datetimes as SQLite stores them: not the floor's work
    connection.ensure_connection()
    raw = connection.connection  # the DB-API connection: no ORM from here
    before = peak_rss_mb()
    started = clock()
    if connection.vendor == "postgresql":
        placeholders = ", ".join(["%s"] * len(columns))
        with raw.transaction(), raw.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", rows)
    else:
        placeholders = ", ".join(["?"] * len(columns))
        raw.execute("BEGIN")
        raw.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", rows)
        raw.commit()
    result = since(started)
    assert Lead.objects.count() == len(rows)
    return {**result, "rows": len(rows), "created": len(rows), "before_mb": before, "peak_mb": peak_rss_mb()}


def child_peer(workdir: Path) -> dict:
    """django-import-export, best configuration, on the clean unique leads."""
    import tablib
    from django.utils import timezone
    from import_export import instance_loaders, resources

    from leads.models import Lead

    class LeadResource(resources.ModelResource):
        class Meta:
            model = Lead
            fields = (
                "phone",
                "full_name",
                "course_interest",
                "source",
                "status",
                "created_at",
                "status_changed_at",
                "last_inquiry_at",
                "last_inquiry_source",
            )
            import_id_fields = ("phone",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            instance_loader_class = instance_loaders.CachedInstanceLoader

    now = timezone.now()
    dataset = tablib.Dataset(headers=list(LeadResource.Meta.fields))
    for phone, name, course in _unique(workdir):
        dataset.append((phone, name, course, "csv", "new", now, now, now, "csv"))
    before = peak_rss_mb()
    started = clock()
    result = LeadResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    outcome = since(started)
    created = result.totals["new"]
    assert created == len(dataset) == Lead.objects.count(), (result.totals, len(dataset))
    return {**outcome, "rows": len(dataset), "created": created, "before_mb": before, "peak_mb": peak_rss_mb()}


def child_preview(workdir: Path) -> dict:
    """The admin's preview of the file: the same run as a dry run (nothing written but its row log)."""
    return child_ours(workdir, dry_run=True)


CHILDREN = {
    "migrate": child_migrate,
    "ours": child_ours,
    "preview": child_preview,
    "floor": child_floor,
    "peer": child_peer,
    "writes": child_writes,
}


def run_child(name: str, workdir: Path, database_url: str) -> None:
    import json

    setup_django(workdir, database_url)
    result = CHILDREN[name](workdir)
    from django.db import connection

    result["vendor"] = connection.vendor
    connection.close()
    print("RESULT " + json.dumps(result))


# --- the parent ---------------------------------------------------------------------------


def peer_python(venv: Path) -> Path:
    """The throwaway virtualenv's python with the peer installed (made on first use).
    It sees our own virtualenv's packages (Django, drivers) through a .pth file."""
    import site
    import subprocess

    python = venv / "bin" / "python"
    if not (venv / ".peer-ready").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", PEER, *PEER_DEPS], check=True)
        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        ours = [p for p in site.getsitepackages() if Path(p).exists()]
        (Path(purelib) / "bench-peer.pth").write_text("\n".join(ours) + "\n")
        (venv / ".peer-ready").touch()
    return python


def spawn(name: str, workdir: Path, database_url: str, python: Path | str = sys.executable) -> dict:
    import json
    import subprocess

    command = [str(python), __file__, "--child", name, "--workdir", str(workdir), "--database-url", database_url]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1][len("RESULT ") :])


def bench_vendor(
    label: str, workdir: Path, new_database, python_peer: Path | None, repeat: int = 1, server: bool = False
) -> dict:
    """Each contender in a fresh, migrated database: ``new_database(name)`` gives its URL.
    With ``repeat``, the contenders take turns that many times and each one's
    median run counts (times move by several per cent from run to run on a
    shared machine). ``server``: a database server (PostgreSQL), where the
    server's own share is measured too (child_writes, after ours)."""
    spawn("migrate", workdir, new_database("template"))
    runs: dict[str, list[dict]] = {}
    for turn in range(repeat):
        for name in ("floor", "ours", "writes", "preview", "peer"):
            if (name == "peer" and python_peer is None) or (name == "writes" and not server):
                continue
            python = python_peer if name == "peer" else sys.executable
            done = spawn(name, workdir, new_database(name), python)
            runs.setdefault(name, []).append(done)
            where = f" (run {turn + 1} of {repeat})" if repeat > 1 else ""
            print(f"  {label} {name}{where}: {done['seconds']:.2f} s, CPU {done['cpu']:.2f} s", flush=True)
    return {name: median_run(done) for name, done in runs.items()}


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall clock, its CPU time replaced by the median CPU time."""
    by_wall = sorted(runs, key=lambda r: r["seconds"])
    cpu = sorted(r["cpu"] for r in runs)
    return {**by_wall[len(runs) // 2], "cpu": cpu[len(runs) // 2], "runs": len(runs)}


def report(label: str, results: dict) -> None:
    ours, floor, peer = results["ours"], results["floor"], results.get("peer")
    counts = f"{ours['created']:,} new, {ours['duplicates']:,} duplicates, {ours['errors']:,} errors"
    runs = f", median of {ours['runs']} runs each" if ours.get("runs", 1) > 1 else ""
    print(f"\n{label}: {ours['rows']:,} rows ({counts}){runs}")
    measures = ["seconds", "cpu"] if ours["vendor"] == "sqlite" else ["seconds"]
    for measure in measures:
        print(f"  [{'wall clock' if measure == 'seconds' else 'CPU time'}]")
        for name, what in (
            ("floor", "raw executemany of the unique leads, no ORM"),
            ("peer", "django-import-export, bulk + cached loader + skip_diff, clean unique leads"),
            ("ours", "file read + normalise + leads + status history + inquiries + row log"),
            ("writes", "the rows ours wrote, 5 tables, binary COPY, no Python: the server's own share"),
            ("preview", "ours as the admin's dry-run preview of the file"),
        ):
            if name in results:
                r = results[name]
                rate = f"{r['rows'] / r[measure]:>9,.0f} rows/s"
                if name == "writes":  # rows of five tables: no rate to compare
                    rate = f"{r['table_rows']:>9,} rows  "
                print(f"    {name:7} {r[measure]:7.2f} s {rate}  ({what})")
        writes = results.get("writes")
        print(f"    ours / floor: {ours[measure] / floor[measure]:5.2f}× the time (goal ≤ 5×)")
        if peer:
            ratio = (ours["rows"] / ours[measure]) / (peer["rows"] / peer[measure])
            print(f"    ours / peer:  {ratio:5.2f}× the rate (goal ≥ 3×)")
            if writes:
                budget = ours["rows"] / (3 * peer["rows"] / peer[measure])
                print(
                    f"    3× the peer's rate is ours in {budget:.2f} s; the server's share alone takes"
                    f" {writes[measure]:.2f} s of it ({writes[measure] / budget:.0%})"
                )
    for name, r in results.items():
        print(f"  peak RSS {name:7} {r['peak_mb']:5.0f} MB (before the run: {r['before_mb']:.0f} MB; goal < 200 MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (CSV and databases)")
    parser.add_argument(
        "--postgres",
        metavar="SERVER_URL",
        help="also run on fresh PostgreSQL databases made on this server (e.g. postgres://postgres@127.0.0.1:5432)",
    )
    parser.add_argument("--peer-venv", type=Path, default=Path(tempfile.gettempdir()) / "crm-import-bench-peer")
    parser.add_argument("--no-peer", action="store_true", help="skip django-import-export")
    parser.add_argument("--repeat", type=int, default=1, help="run each contender N times, report the medians")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.workdir, args.database_url)
        return 0

    import json
    import shutil

    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    unique = generate(workdir / "leads.csv", args.rows)
    (workdir / "unique.json").write_text(json.dumps(unique), encoding="utf-8")
    python_peer = None if args.no_peer else peer_python(args.peer_venv)

    def sqlite_database(name):
        path = workdir / f"{name}.sqlite3"
        if name != "template":
            shutil.copyfile(workdir / "template.sqlite3", path)
        return f"sqlite:///{path}"

    every = {"SQLite": bench_vendor("SQLite", workdir, sqlite_database, python_peer, args.repeat)}
    made = []
    if args.postgres:
        prefix = f"import_bench_{os.getpid()}"

        def pg_database(name):
            made.append(f"{prefix}_{name}")
            return create_pg_database(args.postgres, made[-1], None if name == "template" else f"{prefix}_template")

        every["PostgreSQL"] = bench_vendor("PostgreSQL", workdir, pg_database, python_peer, args.repeat, server=True)
    for label, results in every.items():
        report(label, results)
    print(f"\nfiles in {workdir}" + ("" if args.keep else " (removed)"))
    if not args.keep:
        for name in made:
            drop_pg_database(args.postgres, name)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
