#!/usr/bin/env python
"""Admin changelists at 30k, 300k and 1M leads on PostgreSQL.

For each size, generates (or reuses, by name) a PostgreSQL database with a
year of data (bench/analytics_bench.py's generator: leads, their whole status
history, trials, follow-ups, enrolments; plus inquiries, deliveries, intake
events and import logs in proportion), applies pending migrations (so a
database generated before a new index gets it), then asks every changelist
staff use — its default view, each filter, a search, each sortable column and
a deep page — through Django's test client, as a superuser and as a
salesperson with about a tenth of the leads. Prints the server time (median of
3 warm runs) and the query count of each page at each size, and the growth
ratio between sizes.

Usage (never in CI; the 1M database takes a while to generate, once):

    nice -n 10 .venv/bin/python bench/admin_bench.py --sizes 30000,300000,1000000
    .venv/bin/python bench/admin_bench.py --sizes 30000 --only leads   # one list
    .venv/bin/python bench/admin_bench.py --generate-only --sizes 1000000  # build, measure later
    .venv/bin/python bench/admin_bench.py --regenerate --sizes 30000   # drop and build again

Databases are named crm_bench_admin_<size> on BENCH_PG (default
postgres://postgres@127.0.0.1:5432).
"""

import argparse
import datetime
import itertools
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
GOAL_MS = 150
GOAL_GROWTH = 2.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", DEFAULT_SERVER))
    parser.add_argument("--sizes", default="30000,300000", help="lead counts, comma-separated")
    parser.add_argument("--only", default="", help="measure only these lists (comma-separated keys)")
    parser.add_argument("--regenerate", action="store_true", help="drop and generate even if the database exists")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as", dest="users", default="superuser,salesperson")
    return parser.parse_args()


def db_url(server: str, size: int) -> str:
    return f"{server.rstrip('/')}/crm_bench_admin_{size}"


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlparse(url)
    return parts._replace(path="/postgres").geturl(), parts.path.lstrip("/")


def database_ready(url: str) -> bool:
    """The database exists and its generation finished (the marker table is written last)."""
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
    with psycopg.connect(url, autocommit=True) as conn:
        return bool(conn.execute("SELECT to_regclass('bench_admin_generated')").fetchone()[0])


def recreate_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    if not name.startswith("crm_bench"):
        sys.exit(f"Refusing to drop {name!r}: the benchmark database name must start with crm_bench.")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def step(label):
    class Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            print(f"  {label} …", end="", flush=True)
            return self

        def __exit__(self, *exc):
            print(f" {time.perf_counter() - self.started:.1f} s", flush=True)

    return Timer()


# --- data beyond analytics_bench's ------------------------------------------------

INQUIRIES_SQL = """
INSERT INTO leads_leadinquiry (lead_id, source, received_at, is_repeat, note, fingerprint)
SELECT id, source, created_at, false, '', '' FROM leads_lead
UNION ALL
SELECT id, source, created_at + interval '4 days', true, 'Asked again', '' FROM leads_lead WHERE id %% 5 = 0
"""

INQUIRY_COUNTS_SQL = """
UPDATE leads_lead SET inquiry_count = 2, last_inquiry_at = created_at + interval '4 days' WHERE id %% 5 = 0
"""

# Three messages per trial (before it to the lead and the salesperson, after
# it to the salesperson) and one per open follow-up, as the dispatcher writes them.
DELIVERIES_SQL = """
INSERT INTO reminders_delivery (key, kind, channel, recipient_user_id, address, lead_id, object_id, occurrence,
                                due_at, status, attempts, next_attempt_at, claimed_at, claim_token, last_error,
                                skip_reason, subject, body, sent_at, created_at, updated_at, gateway_id,
                                gateway_report, gateway_status)
SELECT kind || ':' || t.id || ':' || occ || ':' || COALESCE(person::text, 'lead'), kind,
       CASE WHEN person IS NULL THEN 'telegram' ELSE 'email' END, person,
       CASE WHEN person IS NULL THEN '10' || t.lead_id ELSE '' END, t.lead_id, t.id, occ, due,
       CASE WHEN due > now() THEN 'pending' WHEN t.id %% 50 = 0 THEN 'failed' ELSE 'sent' END, 1,
       NULL::timestamptz, NULL::timestamptz, NULL::uuid,
       CASE WHEN t.id %% 50 = 0 THEN 'SMTP timeout' ELSE '' END, '', 'Trial lesson', 'Reminder',
       CASE WHEN due > now() OR t.id %% 50 = 0 THEN NULL ELSE due END, due - interval '1 day', due, '', '{}'::jsonb, ''
FROM (
    SELECT tr.id, tr.lead_id, l.assigned_to_id AS sales,
           (tr.scheduled_date + tr.scheduled_time) AT TIME ZONE 'Asia/Tashkent' AS starts
    FROM trials_trial tr JOIN leads_lead l ON l.id = tr.lead_id
) t
CROSS JOIN LATERAL (VALUES
    ('trial_pre_lead', 'pre', NULL::bigint, t.starts - interval '2 hours'),
    ('trial_pre_sales', 'pre', t.sales, t.starts - interval '2 hours'),
    ('trial_post_sales', 'post', t.sales, t.starts + interval '2 hours')
) AS m(kind, occ, person, due)
UNION ALL
SELECT 'followup_overdue:' || r.id || ':1:' || r.salesperson_id, 'followup_overdue', 'email', r.salesperson_id, '',
       r.lead_id, r.id, '1', r.due_at, 'sent', 1, NULL::timestamptz, NULL::timestamptz, NULL::uuid, '', '',
       'Overdue follow-up', 'Contact the lead',
       r.due_at, r.due_at, r.due_at, '', '{}'::jsonb, ''
FROM reminders_leadreminder r WHERE r.status IN ('pending', 'sent')
"""

NEXT_FOLLOWUP_SQL = """
UPDATE leads_lead l SET next_followup_at = r.due_at
FROM reminders_leadreminder r WHERE r.lead_id = l.id AND r.status IN ('pending', 'sent')
"""

# Webhook channels leave one stored event per lead (and one per repeat inquiry).
INTAKE_SQL = """
INSERT INTO intake_intakeevent (channel, external_id, reference, platform, received_at, headers, body, payload,
                                fetched, status, error, attempts, processed_at, lead_id, outcome, reply,
                                reply_status, reply_error, replied_at)
SELECT ch, 'bench-' || i.id, md5(i.id::text)::uuid, CASE WHEN ch = 'meta' THEN 'ig' ELSE '' END, i.received_at,
       '{}', '{"phone": "' || l.phone || '"}', '{}', NULL,
       CASE WHEN i.id %% 97 = 0 THEN 'failed' ELSE 'processed' END,
       CASE WHEN i.id %% 97 = 0 THEN 'Graph API timeout' ELSE '' END, 1, i.received_at + interval '2 seconds',
       i.lead_id, CASE WHEN i.is_repeat THEN 'repeat' ELSE 'created' END, NULL, '', '', NULL
FROM leads_leadinquiry i JOIN leads_lead l ON l.id = i.lead_id
CROSS JOIN LATERAL (SELECT CASE i.source WHEN 'instagram' THEN 'meta' WHEN 'call_tracking' THEN 'calls'
                                         ELSE i.source END AS ch) c
WHERE i.source IN ('instagram', 'telegram', 'whatsapp', 'landing', 'call_tracking')
"""

IMPORTS_SQL = """
INSERT INTO import_service_importlog (created_by_id, source, input_kind, file_name, sheet_name, file, options,
                                      dry_run, status, failure_reason, started_at, finished_at, created_at, headers,
                                      header_row, columns, preview, processed_rows, read_finished_at, total, created,
                                      duplicates, errors, assigned_counts, csv_delimiter, csv_encoding)
SELECT %(person)s, 'excel', 'excel', 'leads-' || g || '.xlsx', 'Sheet1', '', '{}', g %% 4 = 0, 'completed', '',
       now() - interval '1 hour' * g, now() - interval '1 hour' * g + interval '20 seconds',
       now() - interval '1 hour' * g, '[]', 1, '{}', '[]', 200, now() - interval '1 hour' * g,
       200, 150, 40, 10, '{}', '', ''
FROM generate_series(1, %(n)s) AS g
"""


# The rows that carry their lead's salesperson (leads.models.lead_owner_field);
# the generators above write them without it, as the migrations found them.
LEAD_OWNER_TABLES = (
    "leads_leadstatuschange",
    "leads_leadinquiry",
    "trials_trial",
    "reminders_leadreminder",
    "reminders_delivery",
    "scheduling_enrollment",
)


def fill_lead_owners(cursor) -> None:
    for table in LEAD_OWNER_TABLES:
        cursor.execute(
            f"UPDATE {table} t SET lead_owner_id = l.assigned_to_id FROM leads_lead l WHERE l.id = t.lead_id"
        )


def generate(n_leads: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.analytics_bench import generate as generate_year

    with step("migrate"):
        call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    generate_year(n_leads, 365, timezone.localdate() - datetime.timedelta(days=365))
    with connection.cursor() as cursor:
        with step("inquiries"):
            cursor.execute(INQUIRIES_SQL, {})
            cursor.execute(INQUIRY_COUNTS_SQL, {})
        with step("deliveries"):
            cursor.execute(DELIVERIES_SQL, {})
        with step("next follow-up on the lead"):
            cursor.execute(NEXT_FOLLOWUP_SQL)
        with step("intake events"):
            cursor.execute(INTAKE_SQL, {})
        with step("each row's lead owner"):
            fill_lead_owners(cursor)
        User = get_user_model()
        User.objects.create_superuser("bench-admin", "bench-admin@example.com", "x")
        with step("import logs"):
            cursor.execute(IMPORTS_SQL, {"person": User.objects.get(username="bench-sales-1").pk, "n": 2000})
        with step("VACUUM ANALYZE"):
            cursor.execute("VACUUM ANALYZE")
        cursor.execute("CREATE TABLE bench_admin_generated (at timestamptz DEFAULT now())")
        cursor.execute("INSERT INTO bench_admin_generated DEFAULT VALUES")


# --- pages --------------------------------------------------------------------------

# Each list: its admin URL name, the query strings staff use on it (filters and
# a search), a column sort for every sortable column is added from the ModelAdmin.
LISTS = {
    "leads": (
        "admin:leads_lead_changelist",
        [
            "status=new",
            "source=telegram",
            "salesperson=none",
            "salesperson={sales}",
            "created_at__date_from={week_ago}&created_at__date_to={today}",
            "followup=overdue",
            "followup=today",
            "followup=open",
            "followup=none",
            "q=Karimova",
            "q=lead+12345",
            "q=90+000+12+34",
            "q=bench-lead@example.com",
            "p=400",
        ],
    ),
    "status changes": (
        "admin:leads_leadstatuschange_changelist",
        ["to_status=enrolled", "changed_at__date_from={week_ago}&changed_at__date_to={today}", "q=Karimova", "p=400"],
    ),
    "inquiries": (
        "admin:leads_leadinquiry_changelist",
        ["source=telegram", "is_repeat__exact=1", "q=Karimova", "p=400"],
    ),
    "trials": (
        "admin:trials_trial_changelist",
        [
            "status=scheduled",
            "result=accepted",
            "when=today",
            "when=week",
            "when=past",
            "salesperson={sales}",
            "q=Karimova",
            "p=400",
        ],
    ),
    "follow-ups": (
        "admin:reminders_leadreminder_changelist",
        [
            "overdue=yes",
            "overdue=no",
            "status=pending",
            "kind=follow_up",
            "salesperson={sales}",
            "due_at__date_from={week_ago}&due_at__date_to={today}",
            "q=Karimova",
            "p=400",
        ],
    ),
    "deliveries": (
        "admin:reminders_delivery_changelist",
        [
            "status=failed",
            "kind=trial_pre_lead",
            "channel=telegram",
            "report=undelivered",
            "due_at__date_from={week_ago}&due_at__date_to={today}",
            "q=Karimova",
            "p=400",
        ],
    ),
    "enrolments": (
        "admin:scheduling_enrollment_changelist",
        ["status=active", "q=Karimova", "p=400"],
    ),
    "intake events": (
        "admin:intake_intakeevent_changelist",
        [
            "channel=telegram",
            "status=failed",
            "outcome=repeat",
            "received_at__date_from={week_ago}&received_at__date_to={today}",
            "q=Karimova",
            "p=400",
        ],
    ),
    "import logs": (
        "admin:import_service_importlog_changelist",
        ["status=completed", "dry_run__exact=1", "q=leads-12", "p=20"],
    ),
}


def sort_params(model_admin, request) -> list[str]:
    """o=<n> for every column the changelist can sort by, ascending and descending."""
    from django.core.exceptions import FieldDoesNotExist

    params = []
    sortable = model_admin.get_sortable_by(request)
    for index, name in enumerate(model_admin.get_list_display(request)):
        if name == "action_checkbox" or name not in sortable:
            continue
        attr = getattr(model_admin, name, None)
        try:
            field = model_admin.model._meta.get_field(name)
        except FieldDoesNotExist:  # a method or a callable
            field = None
        ordering = getattr(attr, "admin_order_field", None) if attr is not None else None
        if field is not None or ordering:
            # The changelist numbers columns counting the action checkbox.
            number = index + (1 if model_admin.get_actions(request) else 0)
            params += [f"o={number}", f"o=-{number}"]
    return params


class SqlTimer:
    """Counts the statements of a request and the time spent in them."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def measure_page(client, url: str, runs: int) -> tuple[float, float, int, int]:
    """(server ms, SQL ms, queries, HTTP status), medians of ``runs`` warm runs."""
    from django.db import connection

    response = client.get(url)  # warm: caches, the plan cache, the OS page cache
    if response.status_code != 200:
        return -1.0, -1.0, 0, response.status_code
    times, sql_times, queries = [], [], 0
    for _ in range(runs):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        sql_times.append(timer.seconds)
        queries = timer.count
    return statistics.median(times) * 1000, statistics.median(sql_times) * 1000, queries, 200


def deepest_page(model_admin, request) -> str | None:
    """p=<the last page the list offers> (capped by core.admin_lists), None for one page."""
    queryset = model_admin.get_queryset(request)
    paginator = model_admin.get_paginator(request, queryset, model_admin.list_per_page)
    return f"p={paginator.num_pages}" if paginator.num_pages > 1 else None


def measure(size: int, only: set[str], users: list[str], runs: int) -> dict:
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import Client, RequestFactory
    from django.urls import reverse
    from django.utils import timezone

    User = get_user_model()
    people = {
        "superuser": User.objects.get(username="bench-admin"),
        "salesperson": User.objects.get(username="bench-sales-1"),
    }
    today = timezone.localdate()
    fill = {
        "today": today.isoformat(),
        "week_ago": (today - datetime.timedelta(days=7)).isoformat(),
        "sales": people["salesperson"].pk,
    }
    results = {}
    for who in users:
        client = Client()
        client.force_login(people[who])
        request = RequestFactory().get("/")
        request.user = people[who]
        for key, (name, queries) in LISTS.items():
            if only and key not in only:
                continue
            url = reverse(name)
            model_admin = admin.site._registry[_model_for(name)]
            if not model_admin.has_view_permission(request):
                continue  # not a list this role has (import logs, intake events for a salesperson)
            pages = [q.format(**fill) for q in queries if not q.startswith("p=")]
            deep = deepest_page(model_admin, request)
            pages = ["", *pages, *([deep] if deep else []), *sort_params(model_admin, request)]
            for query in pages:
                result = measure_page(client, f"{url}?{query}" if query else url, runs)
                results[(who, key, query)] = result
                _print_row(who, key, query, result)
        lead = _lead_with_history(people[who])
        if lead is not None and (not only or "lead page" in only):
            result = measure_page(client, reverse("admin:leads_lead_change", args=[lead]), runs)
            results[(who, "lead page", "300 history rows")] = result
            _print_row(who, "lead page", "300 history rows", result)
    return results


def _print_row(who, key, query, result):
    ms, sql_ms, count, status = result
    mark = "" if status == 200 else f"  HTTP {status}"
    label = (query or "(default)")[:48]
    print(f"    {who:<11} {key:<15} {label:<48} {ms:8.1f} ms (SQL {sql_ms:6.1f} ms) {count:3d} q{mark}", flush=True)


def _model_for(url_name: str):
    from django.apps import apps

    for model in apps.get_models():
        if url_name == f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist":
            return model
    raise LookupError(url_name)


def _lead_with_history(user) -> int | None:
    """A lead of ``user``'s with 300 status changes (added once, in the bench database only)."""
    from django.db import connection

    from leads.models import Lead, LeadStatusChange

    lead = Lead.objects.filter(assigned_to__username="bench-sales-1").order_by("id").first()
    if lead is None:
        return None
    if LeadStatusChange.objects.filter(lead=lead).count() < 300:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO leads_leadstatuschange (lead_id, from_status, to_status, changed_by_id, changed_at, note)"
                " SELECT %s, 'contacted', 'interested', NULL, now() - interval '1 hour' * g, 'bench'"
                " FROM generate_series(1, 300) g",
                [lead.pk],
            )
    return lead.pk


def report(all_results: dict[int, dict]) -> None:
    sizes = sorted(all_results)
    keys = list(dict.fromkeys(k for r in all_results.values() for k in r))
    missing = (float("nan"), float("nan"), 0, 0)
    print("\nSummary: server ms (SQL ms), median of warm runs; growth of the server time; queries")
    header = f"  {'as':<11} {'list':<15} {'page':<40}" + "".join(f"{f'{s:,}':>18}" for s in sizes)
    header += "".join(f"{f'{a // 1000}k→{b // 1000}k':>10}" for a, b in itertools.pairwise(sizes))
    print(header + "    q")
    slow, steep = [], []
    for key in keys:
        row = [all_results[s].get(key, missing) for s in sizes]
        line = f"  {key[0]:<11} {key[1]:<15} {(key[2] or '(default)')[:40]:<40}"
        line += "".join(f"{f'{ms:.0f} ({sql:.1f})':>18}" for ms, sql, _, _ in row)
        for (a, _, _, _), (b, _, _, _) in itertools.pairwise(row):
            ratio = b / a if a > 0 else float("nan")
            line += f"{ratio:9.2f}×"
            if ratio > GOAL_GROWTH:
                steep.append(key)
        print(line + f" {row[-1][2]:4d}")
        if row[-1][0] > GOAL_MS:
            slow.append(key)
    print(f"\nPages over {GOAL_MS} ms at {sizes[-1]:,}: {len(slow)}")
    print(f"Pages growing over {GOAL_GROWTH}× from one size to the next: {len(set(steep))}")
    for key in dict.fromkeys(steep):
        print(f"  {key}")


def main():
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    # Django's settings read DATABASE_URL once; each size runs in its own process.
    if len(sizes) > 1:
        import subprocess

        for size in sizes:
            subprocess.run([sys.executable, __file__, *_argv_for(size)], check=True)
        if not args.generate_only:
            _print_collected(sizes)
        return
    size = sizes[0]
    url = db_url(args.server, size)
    os.environ["DATABASE_URL"] = url
    fresh = args.regenerate or not database_ready(url)
    if fresh:
        recreate_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # No collectstatic here: static URLs unhashed (what they cost is not what we measure).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    print(f"Database: {url}", flush=True)
    if fresh:
        print(f"Generating {size:,} leads:", flush=True)
        generate(size)
    else:
        from django.core.management import call_command

        with step("migrate (pending migrations only)"):
            call_command("migrate", verbosity=0)
    if args.generate_only:
        return
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    results = measure(size, only, [u for u in args.users.split(",") if u], args.runs)
    _save(size, results)


def _argv_for(size: int) -> list[str]:
    argv, skip = [], False
    for arg in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if arg == "--sizes":
            skip = True
            continue
        if arg.startswith("--sizes="):
            continue
        argv.append(arg)
    return [*argv, "--sizes", str(size)]


RESULTS_DIR = BASE / "var" / "bench"


def _save(size: int, results: dict) -> None:
    import json

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    rows = [[*key, *value] for key, value in results.items()]
    (RESULTS_DIR / f"admin_{size}.json").write_text(json.dumps(rows))


def _print_collected(sizes: list[int]) -> None:
    import json

    collected = {}
    for size in sizes:
        path = RESULTS_DIR / f"admin_{size}.json"
        if path.exists():
            collected[size] = {(a, b, c): tuple(rest) for a, b, c, *rest in json.loads(path.read_text())}
    if collected:
        report(collected)


if __name__ == "__main__":
    main()
