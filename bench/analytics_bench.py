#!/usr/bin/env python
"""Analytics rollup benchmark: a year of data at centre scale.

Generates, into a throwaway PostgreSQL database, N leads (default 1,000,000)
spread over D days (default 365) with their complete status history, trials,
follow-up reminders, enrolments and daily marketing spend, using set-based SQL
(INSERT … SELECT over generate_series). Then prints:

  * the time to roll up one day (analytics_rollup_day, median of 3 warm runs),
  * the time of a single hand-written SQL statement aggregating the same day's
    figures (leads by source, moves by status, per-salesperson contacts,
    enrolments, losses, trials and follow-ups, enrolments by channel, students
    per group; no writes; median of 3), and the ratio of the two,
  * the time to backfill the whole year (analytics_rollup_range).

Usage (never run in CI: it takes minutes):

    .venv/bin/python bench/analytics_bench.py                  # 1,000,000 leads, 365 days
    .venv/bin/python bench/analytics_bench.py --leads 100000   # a quick look
    .venv/bin/python bench/analytics_bench.py --reuse          # measure again, skip generation

The database (default postgres://postgres@127.0.0.1:5432/crm_bench_analytics)
is dropped and re-created unless --reuse is given.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/crm_bench_analytics"
SOURCES = (
    ["instagram"] * 6
    + ["telegram"] * 5
    + ["whatsapp"] * 2
    + ["call_tracking", "landing", "landing", "google_sheets", "excel", "csv", "instagram"]
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reuse", action="store_true", help="keep the existing database and its data")
    parser.add_argument("--skip-backfill", action="store_true")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.startswith("crm_bench"):
        sys.exit(f"Refusing to drop {name!r}: the benchmark database name must start with crm_bench.")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def step(label):
    class Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            print(f"  {label} …", end="", flush=True)
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.started
            print(f" {self.seconds:.1f} s", flush=True)

    return Timer()


# --- data -------------------------------------------------------------------------


def create_staff_and_groups(n_groups: int):
    from django.contrib.auth.models import Group as Role

    from accounts import roles
    from accounts.models import User
    from scheduling.models import Course, Group, Room

    sales_role = Role.objects.get(name=roles.SALES)
    people = User.objects.bulk_create([User(username=f"bench-sales-{n}", is_staff=True) for n in range(10)])
    sales_role.user_set.add(*people)
    teacher = User.objects.create(username="bench-teacher", is_staff=True)
    Role.objects.get(name=roles.TEACHERS).user_set.add(teacher)
    # A centre of this size: one group per ~1,000 leads a year, five groups per room.
    rooms = Room.objects.bulk_create([Room(name=f"Bench room {n}", capacity=16) for n in range(max(8, n_groups // 5))])
    courses = Course.objects.bulk_create(
        [Course(name=f"Bench course {n}", teacher=teacher, price=600000, duration=6, frequency=3) for n in range(6)]
    )
    patterns = ["mon_wed_fri", "tue_thu", "odd", "even", "sat"]
    slots = [(datetime.time(h, 0), datetime.time(h + 1, 30)) for h in (9, 11, 14, 16, 18)]
    groups = []
    for n in range(n_groups):
        start, end = slots[n % len(slots)]
        groups.append(
            Group(
                course=courses[n % len(courses)],
                name=f"Bench group {n}",
                days=patterns[n % len(patterns)],
                start_time=start,
                end_time=end,
                room=rooms[n % len(rooms)],
                capacity=12 + n % 5,
                teacher=teacher,
                start_date=datetime.date(2020, 1, 1),
            )
        )
    groups = Group.objects.bulk_create(groups)
    return [p.pk for p in people], [g.pk for g in groups]


LEADS_SQL = """
INSERT INTO leads_lead (
    full_name, phone, phone_raw, email, source, status, assigned_to_id, course_interest, comment, lost_reason,
    utm_source, utm_medium, utm_campaign, utm_content, utm_term, campaign_id, ad_id, form_id,
    telegram_chat_id, whatsapp_id, inquiry_count, last_inquiry_at, last_inquiry_source,
    created_at, updated_at, assigned_at, first_contacted_at, status_changed_at,
    language, sms_opt_out, search_text)
SELECT
    'Bench lead ' || g, '+99890' || lpad(g::text, 7, '0'), '', '', src, status, person, 'IELTS', '',
    CASE WHEN status = 'lost' THEN 'Too expensive' ELSE '' END,
    '', '', '', '', '', '', '', '', '', '', 1, created, src,
    created, created, CASE WHEN person IS NULL THEN NULL ELSE created + interval '3 minutes' END,
    contact, COALESCE(last_step, created),
    %(language)s, false, 'bench lead ' || g  -- search_text: leads.search.lead_search_text of the name
FROM (
    SELECT g, src, person, created, status,
           CASE WHEN status <> 'new' THEN created + interval '1 minute' * (10 + (g * 17) %% 240) END AS contact,
           CASE status
               WHEN 'contacted' THEN created + interval '1 minute' * (10 + (g * 17) %% 240)
               WHEN 'interested' THEN created + interval '1 minute' * (10 + (g * 17) %% 240) + interval '1 day'
               WHEN 'trial_scheduled' THEN created + interval '1 minute' * (10 + (g * 17) %% 240) + interval '2 days'
               WHEN 'trial_attended' THEN created + interval '1 minute' * (10 + (g * 17) %% 240) + interval '5 days'
               WHEN 'enrolled' THEN created + interval '1 minute' * (10 + (g * 17) %% 240) + interval '6 days'
               WHEN 'lost' THEN created + interval '1 minute' * (10 + (g * 17) %% 240) + interval '3 days'
           END AS last_step
    FROM (
        SELECT g,
               (%(sources)s::text[])[1 + (g * 13) %% %(n_sources)s] AS src,
               CASE WHEN g %% 10 = 0 THEN NULL ELSE (%(people)s::bigint[])[1 + g %% %(n_people)s] END AS person,
               %(start)s::timestamptz + interval '1 second' * floor((g - 1) * %(step)s + (g * 37) %% 3600) AS created,
               CASE WHEN g %% 10 = 0 THEN 'new' ELSE
                   CASE WHEN (g * 7919) %% 100 < 20 THEN 'new'
                        WHEN (g * 7919) %% 100 < 45 THEN 'contacted'
                        WHEN (g * 7919) %% 100 < 60 THEN 'interested'
                        WHEN (g * 7919) %% 100 < 68 THEN 'trial_scheduled'
                        WHEN (g * 7919) %% 100 < 76 THEN 'trial_attended'
                        WHEN (g * 7919) %% 100 < 86 THEN 'enrolled'
                        ELSE 'lost' END
               END AS status
        FROM generate_series(1::bigint, %(n)s::bigint) AS g
    ) base
) leads
"""

HISTORY_SQL = """
INSERT INTO leads_leadstatuschange (lead_id, from_status, to_status, changed_by_id, changed_at, note)
SELECT id, '', 'new', NULL, created_at, '' FROM leads_lead
UNION ALL
SELECT id, 'new', 'contacted', assigned_to_id, first_contacted_at, '' FROM leads_lead WHERE status <> 'new'
UNION ALL
SELECT id, 'contacted', 'interested', assigned_to_id, first_contacted_at + interval '1 day', '' FROM leads_lead
 WHERE status IN ('interested', 'trial_scheduled', 'trial_attended', 'enrolled')
UNION ALL
SELECT id, 'interested', 'trial_scheduled', assigned_to_id, first_contacted_at + interval '2 days', '' FROM leads_lead
 WHERE status IN ('trial_scheduled', 'trial_attended', 'enrolled')
UNION ALL
SELECT id, 'trial_scheduled', 'trial_attended', assigned_to_id, first_contacted_at + interval '5 days', ''
  FROM leads_lead WHERE status IN ('trial_attended', 'enrolled')
UNION ALL
SELECT id, 'trial_attended', 'enrolled', assigned_to_id, first_contacted_at + interval '6 days', '' FROM leads_lead
 WHERE status = 'enrolled'
UNION ALL
SELECT id, 'contacted', 'lost', assigned_to_id, first_contacted_at + interval '3 days', 'Too expensive' FROM leads_lead
 WHERE status = 'lost'
"""

TRIALS_SQL = """
INSERT INTO trials_trial (lead_id, group_id, scheduled_date, scheduled_time, status, result, notes, booked_by_id,
                          booked_at, attendance_marked_at, result_recorded_at, cancelled_at, cancel_reason, updated_at)
SELECT id, (%(groups)s::bigint[])[1 + (id / 7) %% %(n_groups)s],
       ((first_contacted_at + interval '5 days') AT TIME ZONE 'Asia/Tashkent')::date, '16:00',
       CASE WHEN status = 'trial_scheduled' THEN 'scheduled' ELSE 'attended' END,
       CASE WHEN status = 'enrolled' THEN 'accepted' ELSE 'pending' END, '', assigned_to_id,
       first_contacted_at + interval '2 days',
       CASE WHEN status = 'trial_scheduled' THEN NULL ELSE first_contacted_at + interval '5 days' END,
       CASE WHEN status = 'enrolled' THEN first_contacted_at + interval '6 days' END, NULL, '',
       first_contacted_at + interval '6 days'
FROM leads_lead WHERE status IN ('trial_scheduled', 'trial_attended', 'enrolled')
"""

REMINDERS_SQL = """
INSERT INTO reminders_leadreminder (lead_id, salesperson_id, kind, due_at, status, reminder_count, last_sent_at,
                                    next_notify_at, note, created_at, created_by_id, completed_at,
                                    completed_by_id, completion_note)
SELECT id, assigned_to_id, 'first_contact', assigned_at + interval '15 minutes',
       CASE WHEN first_contacted_at IS NULL THEN 'pending' ELSE 'completed' END, 0, NULL,
       CASE WHEN first_contacted_at IS NULL THEN assigned_at + interval '15 minutes' END, '', assigned_at, NULL,
       first_contacted_at, CASE WHEN first_contacted_at IS NULL THEN NULL ELSE assigned_to_id END, ''
FROM leads_lead WHERE assigned_to_id IS NOT NULL
"""

ENROLLMENTS_SQL = """
INSERT INTO scheduling_enrollment (group_id, lead_id, status, enrolled_at, left_at, enrolled_by_id, note)
SELECT (%(groups)s::bigint[])[1 + (id / 7) %% %(n_groups)s], id,
       CASE WHEN first_contacted_at + interval '6 days' > now() - interval '40 days' THEN 'active' ELSE 'left' END,
       first_contacted_at + interval '6 days',
       CASE WHEN first_contacted_at + interval '6 days' > now() - interval '40 days' THEN NULL
            ELSE first_contacted_at + interval '46 days' END,
       assigned_to_id, ''
FROM leads_lead WHERE status = 'enrolled'
"""


def generate(n_leads: int, days: int, first_day: datetime.date) -> None:
    from django.db import connection
    from django.utils import timezone

    from analytics.models import MarketingSpend
    from leads.models import centre_language

    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=tz)
    people, groups = create_staff_and_groups(max(40, n_leads // 1000))
    params = {
        "n": n_leads,
        "start": start,
        "step": days * 86400 / n_leads,
        "sources": SOURCES,
        "n_sources": len(SOURCES),
        "people": people,
        "n_people": len(people),
        "groups": groups,
        "n_groups": len(groups),
        "language": centre_language(),
    }
    with connection.cursor() as cursor:
        with step(f"{n_leads:,} leads"):
            cursor.execute(LEADS_SQL, params)
        with step("status history"):
            cursor.execute(HISTORY_SQL)
        with step("trials"):
            cursor.execute(TRIALS_SQL, params)
        with step("follow-up reminders"):
            cursor.execute(REMINDERS_SQL)
        with step("enrolments"):
            cursor.execute(ENROLLMENTS_SQL, params)
    MarketingSpend.objects.bulk_create(
        [
            MarketingSpend(
                date=first_day + datetime.timedelta(days=d),
                channel=channel,
                impressions=20000 + d,
                clicks=300 + d % 50,
                cost=250000 + 1000 * (d % 90),
            )
            for d in range(days)
            for channel in ("instagram", "telegram", "landing", "call_tracking")
        ]
    )
    with connection.cursor() as cursor, step("ANALYZE"):
        cursor.execute("ANALYZE")


def sizes() -> dict:
    from django.db import connection

    tables = [
        "leads_lead",
        "leads_leadstatuschange",
        "trials_trial",
        "reminders_leadreminder",
        "scheduling_enrollment",
        "analytics_marketingspend",
    ]
    with connection.cursor() as cursor:
        result = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            result[table] = cursor.fetchone()[0]
    return result


# --- measurements -------------------------------------------------------------------

RAW_DAY_SQL = """
WITH created AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE source = 'instagram') AS instagram,
           count(*) FILTER (WHERE source = 'telegram') AS telegram,
           count(*) FILTER (WHERE source = 'whatsapp') AS whatsapp,
           count(*) FILTER (WHERE source = 'call_tracking') AS call_tracking,
           count(*) FILTER (WHERE source = 'landing') AS landing,
           count(*) FILTER (WHERE source = 'google_sheets') AS google_sheets,
           count(*) FILTER (WHERE source = 'excel') AS excel,
           count(*) FILTER (WHERE source = 'csv') AS csv,
           count(*) FILTER (WHERE assigned_at < %(end)s) AS assigned
    FROM leads_lead WHERE created_at >= %(start)s AND created_at < %(end)s
), moves AS (
    SELECT count(DISTINCT lead_id) FILTER (WHERE to_status = 'contacted') AS contacted,
           count(DISTINCT lead_id) FILTER (WHERE to_status = 'interested') AS interested,
           count(DISTINCT lead_id) FILTER (WHERE to_status = 'trial_scheduled') AS trial_scheduled,
           count(DISTINCT lead_id) FILTER (WHERE to_status = 'trial_attended') AS trial_attended,
           count(DISTINCT lead_id) FILTER (WHERE to_status = 'enrolled') AS enrolled,
           count(DISTINCT lead_id) FILTER (WHERE to_status = 'lost') AS lost
    FROM leads_leadstatuschange WHERE changed_at >= %(start)s AND changed_at < %(end)s
), people AS (
    SELECT l.assigned_to_id,
           count(DISTINCT c.lead_id) FILTER (WHERE c.from_status = 'new'
               AND c.to_status IN ('contacted', 'interested', 'trial_scheduled', 'trial_attended', 'enrolled'))
               AS new_contacts,
           count(DISTINCT c.lead_id) FILTER (WHERE c.to_status = 'enrolled') AS enrollments,
           count(DISTINCT c.lead_id) FILTER (WHERE c.to_status = 'lost') AS lost_leads
    FROM leads_leadstatuschange c JOIN leads_lead l ON l.id = c.lead_id
    WHERE c.changed_at >= %(start)s AND c.changed_at < %(end)s AND l.assigned_to_id IS NOT NULL
    GROUP BY l.assigned_to_id
), trials AS (
    SELECT l.assigned_to_id,
           count(*) FILTER (WHERE t.booked_at >= %(start)s AND t.booked_at < %(end)s) AS scheduled,
           count(*) FILTER (WHERE t.attendance_marked_at >= %(start)s AND t.attendance_marked_at < %(end)s
                            AND t.status = 'attended') AS attended,
           count(*) FILTER (WHERE t.attendance_marked_at >= %(start)s AND t.attendance_marked_at < %(end)s
                            AND t.status = 'no_show') AS no_show,
           count(*) FILTER (WHERE t.result_recorded_at >= %(start)s AND t.result_recorded_at < %(end)s
                            AND t.result IN ('sales_offer', 'accepted', 'rejected')) AS offers
    FROM trials_trial t JOIN leads_lead l ON l.id = t.lead_id
    WHERE l.assigned_to_id IS NOT NULL
      AND ((t.booked_at >= %(start)s AND t.booked_at < %(end)s)
           OR (t.attendance_marked_at >= %(start)s AND t.attendance_marked_at < %(end)s)
           OR (t.result_recorded_at >= %(start)s AND t.result_recorded_at < %(end)s))
    GROUP BY l.assigned_to_id
), followups AS (
    SELECT salesperson_id,
           count(*) FILTER (WHERE completed_at IS NOT NULL AND completed_at <= due_at) AS completed,
           count(*) FILTER (WHERE due_at < now() AND (completed_at IS NULL OR completed_at > due_at)) AS overdue
    FROM reminders_leadreminder
    WHERE due_at >= %(start)s AND due_at < %(end)s
    GROUP BY salesperson_id
), channels AS (
    SELECT l.source, count(DISTINCT c.lead_id) AS enrolled
    FROM leads_leadstatuschange c JOIN leads_lead l ON l.id = c.lead_id
    WHERE c.changed_at >= %(start)s AND c.changed_at < %(end)s AND c.to_status = 'enrolled'
    GROUP BY l.source
), students AS (
    SELECT group_id, count(*) AS n FROM scheduling_enrollment
    WHERE enrolled_at < %(end)s AND (left_at IS NULL OR left_at >= %(end)s)
    GROUP BY group_id
)
SELECT created.*, moves.*,
       (SELECT count(*) FROM people), (SELECT sum(new_contacts) FROM people),
       (SELECT sum(scheduled + attended + no_show + offers) FROM trials),
       (SELECT sum(completed + overdue) FROM followups),
       (SELECT sum(enrolled) FROM channels), (SELECT sum(n) FROM students)
FROM created, moves
"""


def timed(func, repeat=3) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def measure(first_day: datetime.date, days: int, skip_backfill: bool) -> None:
    from django.db import connection

    from analytics.models import LeadMetrics
    from analytics.services.days import day_bounds
    from analytics.services.rollup import analytics_rollup_day, analytics_rollup_range

    day = first_day + datetime.timedelta(days=days - 60)  # a day with every kind of transition
    start, end = day_bounds(day)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_DAY_SQL, {"start": start, "end": end})
            cursor.fetchall()

    analytics_rollup_day(day=day)  # warm caches and create the day's rows
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)):
        analytics_rollup_day(day=day)
    rollup_s, rollup_runs = timed(lambda: analytics_rollup_day(day=day))
    raw_s, raw_runs = timed(raw)
    row = LeadMetrics.objects.get(date=day)
    print(f"\nOne day ({day}): {row.total_leads:,} new leads, {row.contacted:,} contacted, {row.enrolled:,} enrolled")
    print(
        f"  rollup of one day       : {rollup_s:.3f} s  (median of {', '.join(f'{r:.3f}' for r in rollup_runs)};"
        f" {len(statements)} queries)"
    )
    print(f"  raw SQL aggregate, 1 day: {raw_s:.3f} s  (median of {', '.join(f'{r:.3f}' for r in raw_runs)})")
    print(f"  ratio rollup / raw      : {rollup_s / raw_s:.1f}×")
    if not skip_backfill:
        last = first_day + datetime.timedelta(days=days - 1)
        started = time.perf_counter()
        results = analytics_rollup_range(first=first_day, last=last)
        seconds = time.perf_counter() - started
        print(f"  backfill {len(results)} days     : {seconds:.1f} s  ({seconds / len(results) * 1000:.0f} ms per day)")


def main():
    args = parse_args()
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    if not args.db.startswith("postgres"):
        sys.exit("The benchmark generates data with PostgreSQL SQL (generate_series); give a postgres:// URL.")
    if not args.reuse:
        recreate_database(args.db)

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=args.days)
    print(f"Database: {args.db}")
    if not args.reuse:
        print("Migrating and generating data:")
        with step("migrate"):
            call_command("migrate", verbosity=0)
        generate(args.leads, args.days, first_day)
    else:
        from leads.models import Lead

        first = Lead.objects.order_by("created_at").values_list("created_at", flat=True).first()
        first_day = timezone.localdate(first)
    print("Sizes: " + ", ".join(f"{table} {count:,}" for table, count in sizes().items()))
    measure(first_day, args.days, args.skip_backfill)


if __name__ == "__main__":
    main()
