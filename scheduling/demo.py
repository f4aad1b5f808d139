"""Demo timetable for `manage.py seed_demo`: rooms, courses, ~20 groups with no
room or teacher conflicts (created through services.group_create, which would
refuse one), students and a room-occupancy refresh. Idempotent, fixed seed.

Students: the demo leads that reached "enrolled" join a group of the course
they asked about; besides them, the centre has students who joined in earlier
months (leads created 2–5 months ago and walked to "enrolled" through
leads.services), so the timetable shows realistic, varied occupancy.
"""

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from leads import services as lead_services
from leads.models import Lead, LeadSource, LeadStatus
from scheduling import services
from scheduling.models import Course, Enrollment, EnrollmentStatus, Group, Room
from scheduling.patterns import DayPattern as D

ROOMS = [
    # name, capacity, location
    ("101", 16, "Main branch, 1st floor"),
    ("102", 12, "Main branch, 1st floor"),
    ("201", 20, "Main branch, 2nd floor"),
    ("202", 10, "Main branch, 2nd floor"),
    ("Lab 1", 14, "Main branch, 3rd floor (computers)"),
    ("Lab 2", 12, "Main branch, 3rd floor (computers)"),
    ("Kids room", 10, "Main branch, ground floor"),
]

COURSES = [
    # name, teacher, monthly price (UZS), months, lessons/week, capacity (seats), description
    ("IELTS", "emily", "900000", 4, 3, 14, "Academic IELTS preparation, band 6.5+ target."),
    ("General English", "emily", "550000", 6, 3, 16, "Elementary to upper-intermediate, by level."),
    ("Kids English", "rustam", "450000", 9, 3, 8, "English for children aged 7–11 through games."),
    ("Python", "jamshid", "1100000", 6, 3, 12, "Programming from zero to a first project."),
    ("Frontend", "jamshid", "1200000", 6, 3, 12, "HTML, CSS, JavaScript and React."),
    ("Russian", "rustam", "500000", 6, 3, 10, "Russian for beginners and improvers."),
    ("Korean", "rustam", "600000", 6, 2, 12, "Korean with TOPIK I preparation."),
    ("SAT Math", "jamshid", "950000", 3, 2, 10, "SAT Math section, 700+ target."),
]

T = datetime.time
GROUPS = [
    # name, course, days, start, end, room, capacity (None = course default), teacher (None = course's),
    # start (months ago; negative = starts in -N weeks), fill (share of capacity taken)
    ("IELTS Morning A", "IELTS", D.MON_WED_FRI, T(9), T(10, 30), "101", None, None, 2, 0.93),
    ("IELTS Evening A", "IELTS", D.MON_WED_FRI, T(18), T(19, 30), "101", None, None, 1, 1.0),
    ("IELTS Evening B", "IELTS", D.TUE_THU, T(18), T(19, 30), "101", None, None, 1, 0.64),
    ("IELTS Weekend", "IELTS", D.SAT, T(10), T(13), "101", 12, None, 1, 0.42),
    ("General English Pre-Int", "General English", D.ODD, T(14), T(15, 30), "201", None, None, 3, 0.75),
    ("General English Intermediate", "General English", D.EVEN, T(14), T(15, 30), "201", None, None, 2, 0.5),
    ("General English Evening", "General English", D.EVEN, T(20), T(21, 30), "201", None, None, 1, 0.31),
    ("Python Beginners A", "Python", D.MON_WED_FRI, T(16), T(18), "Lab 1", None, None, 2, 0.83),
    ("Python Beginners B", "Python", D.TUE_THU, T(16), T(18), "Lab 1", None, None, 1, 0.58),
    ("Frontend Evening", "Frontend", D.MON_WED_FRI, T(18), T(20), "Lab 1", None, None, 1, 0.67),
    ("Frontend Weekend", "Frontend", D.SUN, T(10), T(13), "Lab 2", None, None, -1, 0.25),
    ("SAT Math Weekday", "SAT Math", D.TUE_THU, T(11), T(12, 30), "202", None, None, 1, 0.9),
    ("SAT Math Saturday", "SAT Math", D.SAT, T(14), T(16), "202", None, None, 0, 0.4),
    ("Russian A1", "Russian", D.ODD, T(9), T(10, 30), "202", None, None, 2, 0.6),
    ("Russian B1", "Russian", D.EVEN, T(9), T(10, 30), "202", None, None, 3, 0.3),
    ("Korean Beginners", "Korean", D.MON_WED_FRI, T(11), T(12, 30), "102", None, None, 1, 0.5),
    ("Korean Evening", "Korean", D.TUE_THU, T(19), T(20, 30), "102", None, None, 2, 0.83),
    ("Kids English Stars", "Kids English", D.TUE_THU, T(15), T(16), "Kids room", None, None, 2, 1.0),
    ("Kids English Sunshine", "Kids English", D.MON_WED_FRI, T(15), T(16), "Kids room", None, None, 1, 0.5),
]

FIRST_NAMES = [
    "Akmal",
    "Barno",
    "Diyora",
    "Elyor",
    "Farrux",
    "Hilola",
    "Jasur",
    "Komila",
    "Lola",
    "Mirjalol",
    "Nigora",
    "Otabek",
    "Rayhona",
    "Sherzod",
    "Ulugbek",
    "Yulduz",
    "Zafar",
    "Maria",
    "Dmitriy",
    "Asal",
]
LAST_NAMES = [
    "Aminov",
    "Bakirova",
    "Davletov",
    "Fayzullaeva",
    "Hamidov",
    "Jurayeva",
    "Kholmatov",
    "Latipova",
    "Mahmudov",
    "Normatova",
    "Rasulov",
    "Sobirova",
    "Toshpulatov",
    "Usmonova",
    "Smirnova",
    "Kim",
]
STUDENT_PHONE_BASE = 8_000_000  # +99893 8xxxxxx: students who joined before the demo month


def _months_ago(today: datetime.date, months: int) -> datetime.date:
    if months < 0:  # starts in a few weeks, on a Monday
        start = today + datetime.timedelta(weeks=-months)
        return start - datetime.timedelta(days=start.weekday())
    year, month = today.year, today.month - months
    while month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    return datetime.date(day.year + month_index // 12, month_index % 12 + 1, 1) - datetime.timedelta(days=1)


def _joined_at(group: Group, decided_at: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    """A student joins when they decided, but not before the group started
    (nor later than now, for groups that start soon)."""
    first_lesson = timezone.make_aware(datetime.datetime.combine(group.start_date, group.start_time))
    return min(max(decided_at, first_lesson - datetime.timedelta(days=7)), now)


def seed(stdout) -> None:
    rng = random.Random(5005)
    today = timezone.localdate()
    now = timezone.now()
    teachers = {u.username: u for u in User.objects.filter(username__in=["emily", "jamshid", "rustam"])}
    if len(teachers) < 3:
        stdout.write("Demo timetable skipped: demo teachers (accounts.demo) are missing.")
        return

    rooms = {}
    for name, capacity, location in ROOMS:
        rooms[name], _ = Room.objects.get_or_create(name=name, defaults={"capacity": capacity, "location": location})
    courses = {}
    for name, teacher, price, months, per_week, capacity, description in COURSES:
        courses[name], _ = Course.objects.get_or_create(
            name=name,
            defaults={
                "teacher": teachers[teacher],
                "price": Decimal(price),
                "duration": months,
                "frequency": per_week,
                "capacity": capacity,
                "description": description,
            },
        )

    created_groups = 0
    groups = {}
    for name, course, days, start, end, room, capacity, teacher, ago, fill in GROUPS:
        group = Group.objects.filter(name=name).first()
        if group is None:
            start_date = _months_ago(today, ago)
            group = services.group_create(
                course=courses[course],
                name=name,
                days=days,
                start_time=start,
                end_time=end,
                room=rooms[room],
                capacity=capacity,
                teacher=teachers[teacher] if teacher else None,
                start_date=start_date,
                end_date=_add_months(start_date, courses[course].duration),
            )
            created_groups += 1
        groups[name] = (group, fill)

    enrolled = _enrol_enrolled_demo_leads(groups, now)
    students = _fill_groups_with_students(groups, rng, now)
    result = services.room_occupancy_refresh(today=today)
    stdout.write(
        f"Demo timetable: {len(rooms)} rooms, {len(courses)} courses, {created_groups} group(s) created "
        f"({len(groups) - created_groups} already there), {enrolled + students} enrollment(s) added, "
        f"{result.upserted} lessons in room occupancy."
    )


def _enrol_enrolled_demo_leads(groups, now) -> int:
    """Demo leads that reached "enrolled" join a group of the course they asked about."""
    added = 0
    by_course: dict[str, list[Group]] = {}
    for group, _ in groups.values():
        by_course.setdefault(group.course.name, []).append(group)
    for lead in Lead.objects.filter(status=LeadStatus.ENROLLED, enrollments__isnull=True).order_by("id"):
        for group in by_course.get(lead.course_interest, []):
            if group.end_date and group.end_date < now.date():
                continue
            try:
                services.enrollment_create(
                    group=group, lead=lead, by=lead.assigned_to, at=lead.status_changed_at or now
                )
            except ValidationError:  # full: try the next group of the course
                continue
            added += 1
            break
    return added


def _fill_groups_with_students(groups, rng, now) -> int:
    """Earlier students, so each group is about as full as its `fill` share."""
    added = 0
    phone_index = 0
    for _name, (group, fill) in groups.items():
        target = min(round(group.capacity * fill), group.capacity)
        have = group.enrollments.filter(status=EnrollmentStatus.ACTIVE).count()
        for _ in range(target):
            phone_index += 1
            full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            source = rng.choice([LeadSource.INSTAGRAM, LeadSource.TELEGRAM, LeadSource.WHATSAPP, LeadSource.LANDING])
            joined_days_ago = rng.randint(60, 150)
            phone = f"+99893{STUDENT_PHONE_BASE + phone_index:07d}"
            if have >= target:
                continue
            if Lead.objects.filter(phone=phone).exists():
                continue
            at = now - datetime.timedelta(days=joined_days_ago)
            lead = lead_services.lead_register_inquiry(
                phone=phone,
                source=source,
                at=at,
                full_name=full_name,
                course_interest=group.course.name,
            ).lead
            step = at
            for status in (LeadStatus.CONTACTED, LeadStatus.INTERESTED, LeadStatus.ENROLLED):
                step += datetime.timedelta(hours=rng.randint(3, 48))
                lead_services.lead_change_status(lead=lead, to_status=status, at=step)
            if not Enrollment.objects.filter(lead=lead).exists():
                services.enrollment_create(group=group, lead=lead, at=_joined_at(group, step, now))
                have += 1
                added += 1
    return added
