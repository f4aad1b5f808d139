"""Room occupancy and timetable benchmark on a large centre.

    .venv/bin/python bench/occupancy_bench.py [--rooms 40] [--days 28] [--database-url URL]

Builds ROOMS rooms with a full weekday timetable (odd/even and Mon/Wed/Fri +
Tue/Thu groups every 90 minutes from 08:00 to 21:00, created through
scheduling.services.group_create, so every conflict check runs against a
growing timetable) and about 8 students per group, then times:
group creation (per group), the first occupancy refresh, a repeat refresh
(idempotent upsert), a room's week grid, and the free-room finder; with the
number of SQL queries each ran. Default database: a fresh SQLite file.
"""

import argparse
import datetime
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "crm_project.settings"
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(label, func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
    count = len(ctx.captured_queries) if ctx.final_queries < connection.queries_log.maxlen else "many"
    print(f"{label:<44} {elapsed * 1000:9.1f} ms  {count:>6} queries")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="occupancy-bench-")
    setup_django(args.database_url or f"sqlite:///{tmp}/bench.sqlite3")

    from django.contrib.auth.models import Group as Role
    from django.db import transaction

    from accounts import roles
    from accounts.models import User
    from leads.models import Lead
    from scheduling import selectors, services
    from scheduling.models import Course, Enrollment, Group, Room

    today = datetime.date.today()
    teachers_role, _ = Role.objects.get_or_create(name=roles.TEACHERS)
    slots = [datetime.time(8 + (i * 90) // 60, (i * 90) % 60) for i in range(9)]  # 08:00 … 20:00
    plans = [("odd", "even"), ("mon_wed_fri", "tue_thu")]
    n_teachers = args.rooms * 2
    teachers = []
    for i in range(n_teachers):
        user, _ = User.objects.get_or_create(username=f"bench-teacher-{i}", defaults={"is_staff": True})
        user.groups.add(teachers_role)
        teachers.append(user)
    course, _ = Course.objects.get_or_create(
        name="Bench course",
        defaults={
            "teacher": teachers[0],
            "price": 500000,
            "duration": 6,
            "frequency": 3,
            "capacity": 12,
        },
    )
    rooms = [Room.objects.get_or_create(name=f"B{i:03d}", defaults={"capacity": 14})[0] for i in range(args.rooms)]

    def build():
        made = 0
        for r, room in enumerate(rooms):
            pair = plans[r % 2]
            for s, start in enumerate(slots):
                end = (datetime.datetime.combine(today, start) + datetime.timedelta(minutes=90)).time()
                for k, days in enumerate(pair):
                    name = f"{room.name}-{s}-{days}"
                    if Group.objects.filter(name=name).exists():
                        continue
                    services.group_create(
                        course=course,
                        name=name,
                        days=days,
                        start_time=start,
                        end_time=end,
                        room=room,
                        teacher=teachers[(r * 2 + k) % n_teachers],
                        start_date=today - datetime.timedelta(days=30),
                    )
                    made += 1
        return made

    made, elapsed = timed("create groups (conflict-checked)", build)
    if made:
        print(f"  {made} groups, {elapsed / made * 1000:.1f} ms per group_create")
    groups = list(Group.objects.all())
    if not Enrollment.objects.exists():
        with transaction.atomic():
            leads = Lead.objects.bulk_create(
                Lead(phone=f"+99899{i:07d}", full_name=f"Student {i}", source="instagram", status="enrolled")
                for i in range(len(groups) * 8)
            )
            Enrollment.objects.bulk_create(Enrollment(group=groups[i // 8], lead=lead) for i, lead in enumerate(leads))
    print(f"  {len(groups)} groups, {Enrollment.objects.count()} active students, {len(rooms)} rooms")

    result, _ = timed(
        f"room_occupancy_refresh(days={args.days}) first", lambda: services.room_occupancy_refresh(days=args.days)
    )
    print(f"  {result.upserted} lessons")
    timed(f"room_occupancy_refresh(days={args.days}) again", lambda: services.room_occupancy_refresh(days=args.days))
    timed("timetable_week(room)", lambda: selectors.timetable_week(week_start=today, room=rooms[0]))
    timed("timetable_week(teacher)", lambda: selectors.timetable_week(week_start=today, teacher=teachers[0]))
    free, _ = timed(
        "rooms_free(tue_thu 09:00–10:30)",
        lambda: selectors.rooms_free(days="tue_thu", start_time=datetime.time(9), end_time=datetime.time(10, 30)),
    )
    print(f"  {len(free)} free rooms (every room is busy then)")
    free, _ = timed(
        "rooms_free(sun 09:00–10:30)",
        lambda: selectors.rooms_free(days="sun", start_time=datetime.time(9), end_time=datetime.time(10, 30)),
    )
    print(f"  {len(free)} free rooms")


if __name__ == "__main__":
    main()
