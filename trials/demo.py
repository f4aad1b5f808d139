"""Demo trials for `manage.py seed_demo`, booked around the current time so a
fresh `make run` shows reminders going out within minutes:

* a trial starting in ~2 h 05 min: its pre-trial reminder (2 h before) fires
  a few minutes after start-up;
* a trial that ended 2 minutes ago, attendance not yet recorded: its
  post-trial reminder ("record attendance and make the offer") fires at once;
* yesterday's trials in every state (attended with an offer, no-show,
  cancelled), and upcoming trials for the demo leads already "trial scheduled".

The two "around now" trials get their own small groups in a "Trial room" so
the timetable stays conflict-free. Everything goes through trials.services.
Idempotent: a demo lead that already has a trial is left alone. Fixed seed.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import roles
from leads import services as lead_services
from leads.models import Lead, LeadSource, LeadStatus
from scheduling import services as scheduling_services
from scheduling.models import Course, Group, Room
from scheduling.patterns import DayPattern
from trials import selectors, services
from trials.models import Trial, TrialResult

WEEKDAY_PATTERNS = [
    DayPattern.MON,
    DayPattern.TUE,
    DayPattern.WED,
    DayPattern.THU,
    DayPattern.FRI,
    DayPattern.SAT,
    DayPattern.SUN,
]
TRIAL_ROOM = ("Trial room", 8, "Main branch, ground floor (trial lessons)")
PHONE_BASE = 7_100_000  # +99890 71xxxxx: demo trial leads
DEMO_TRIALS = [
    # name, course, what happens
    ("Madina Rakhimova", "IELTS", "soon"),  # starts in ~2 h 05 min
    ("Timur Ergashev", "Python", "just_ended"),  # ended 2 min ago, attendance due
    ("Sevara Nazarova", "General English", "attended_offer"),
    ("Javlon Saidov", "Frontend", "no_show"),
    ("Laylo Ismoilova", "Korean", "cancelled"),
    ("Oybek Tursunov", "IELTS", "upcoming"),
]
MINUTE = datetime.timedelta(minutes=1)


def _round_up(moment: datetime.datetime, minutes: int = 5) -> datetime.datetime:
    moment = moment.replace(second=0, microsecond=0)
    return moment + (-moment.minute % minutes) * MINUTE


def _slot_group(course: Course, start: datetime.datetime, length: datetime.timedelta) -> Group | None:
    """A one-month group in the trial room meeting at ``start`` (local) on its weekday."""
    end = start + length
    if end.date() != start.date():
        return None  # would cross midnight
    name = f"Trial {course.name} {start:%a %H:%M}"
    group = Group.objects.filter(name=name).first()
    if group is not None:
        return group
    room, _ = Room.objects.get_or_create(
        name=TRIAL_ROOM[0], defaults={"capacity": TRIAL_ROOM[1], "location": TRIAL_ROOM[2]}
    )
    for teacher in [course.teacher, *roles.teachers()]:
        try:
            return scheduling_services.group_create(
                course=course,
                name=name,
                days=WEEKDAY_PATTERNS[start.weekday()],
                start_time=start.time(),
                end_time=end.time(),
                room=room,
                capacity=6,
                teacher=teacher,
                start_date=start.date(),
                end_date=start.date() + datetime.timedelta(days=28),
            )
        except ValidationError:
            continue  # this teacher is busy then; try another
    return None


def _demo_lead(index: int, name: str, course: str, salesperson, at: datetime.datetime) -> Lead:
    phone = f"+99890{PHONE_BASE + index:07d}"
    lead = Lead.objects.filter(phone=phone).first()
    if lead is None:
        lead = lead_services.lead_register_inquiry(
            phone=phone,
            source=LeadSource.INSTAGRAM,
            at=at,
            full_name=name,
            course_interest=course,
        ).lead
        if salesperson is not None:
            lead_services.lead_assign(lead=lead, salesperson=salesperson, at=at + 3 * MINUTE)
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.CONTACTED, by=salesperson, at=at + 12 * MINUTE)
    return lead


def _first_option(course: str, *, start: datetime.date, now: datetime.datetime):
    options = selectors.trial_session_options(course_hint=course, start=start, now=now)
    return next((o for o in options if o.group.course.name == course), options[0] if options else None)


def seed(stdout) -> None:
    rng = random.Random(606)
    courses = {c.name: c for c in Course.objects.all()}
    people = list(roles.salespeople())
    if not courses or not people:
        stdout.write("Demo trials skipped: run the scheduling and staff seeders first.")
        return
    now = timezone.localtime()
    booked = 0
    for index, (name, course_name, story) in enumerate(DEMO_TRIALS):
        course = courses.get(course_name) or next(iter(courses.values()))
        person = people[index % len(people)]
        created_at = now - datetime.timedelta(days=10, hours=rng.randint(1, 8))
        lead = _demo_lead(index, name, course.name, person, created_at)
        if Trial.objects.filter(lead=lead).exists():
            continue
        try:
            booked += _book_story(story, lead=lead, course=course, by=person, now=now)
        except ValidationError as exc:
            stdout.write(f"Demo trial for {name} skipped: {' '.join(exc.messages)}")
    booked += _book_for_trial_scheduled_leads(now)
    stdout.write(f"Demo trials: {booked} booked (pre-trial and post-trial reminders due within minutes).")


def _book_story(story: str, *, lead: Lead, course: Course, by, now: datetime.datetime) -> int:
    booked_at = now - datetime.timedelta(days=1, hours=2)
    if story == "soon":
        start = _round_up(now + datetime.timedelta(hours=settings.TRIAL_PRE_REMINDER_HOURS, minutes=5))
        group = _slot_group(course, start, datetime.timedelta(minutes=90))
        if group is None:
            return 0
        services.trial_book(
            lead=lead,
            group=group,
            date=start.date(),
            by=by,
            at=booked_at,
            notes="Asked for an evening group; level test on arrival.",
        )
        return 1
    if story == "just_ended":
        end = now - 2 * MINUTE
        start = end - datetime.timedelta(minutes=60)
        start = start.replace(second=0, microsecond=0)
        group = _slot_group(course, start, datetime.timedelta(minutes=60))
        if group is None:
            return 0
        services.trial_book(lead=lead, group=group, date=start.date(), by=by, at=booked_at, notes="Bring a laptop.")
        return 1
    if story == "upcoming":
        option = _first_option(course.name, start=now.date() + datetime.timedelta(days=1), now=now)
        if option is None:
            return 0
        services.trial_book(lead=lead, group=option.group, date=option.date, by=by, at=now - 30 * MINUTE)
        return 1
    # yesterday's (or the latest past) lesson of a group of the course
    past_day = now.date() - datetime.timedelta(days=7)
    option = _first_option(course.name, start=past_day, now=past_day_start(past_day))
    if option is None or option.date >= now.date():
        return 0
    lesson_start = timezone.make_aware(datetime.datetime.combine(option.date, option.group.start_time))
    trial = services.trial_book(
        lead=lead, group=option.group, date=option.date, by=by, at=lesson_start - datetime.timedelta(days=1)
    )
    after = lesson_start + datetime.timedelta(minutes=20)
    if story == "attended_offer":
        services.trial_mark_attended(trial=trial, by=by, at=after)
        services.trial_record_result(
            trial=trial, result=TrialResult.SALES_OFFER, by=by, at=after + datetime.timedelta(hours=1)
        )
    elif story == "no_show":
        services.trial_mark_no_show(trial=trial, by=by, at=after)
    elif story == "cancelled":
        services.trial_cancel(
            trial=trial, by=by, reason="Exam at school that day", at=lesson_start - datetime.timedelta(hours=5)
        )
    return 1


def past_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _book_for_trial_scheduled_leads(now: datetime.datetime) -> int:
    """Demo leads already "trial scheduled" (leads.demo) get the trial they are scheduled for."""
    booked = 0
    waiting = Lead.objects.filter(status=LeadStatus.TRIAL_SCHEDULED).exclude(trials__status="scheduled")
    for lead in waiting.select_related("assigned_to").order_by("id")[:12]:
        option = _first_option(lead.course_interest, start=now.date() + datetime.timedelta(days=1), now=now)
        if option is None:
            continue
        try:
            services.trial_book(
                lead=lead, group=option.group, date=option.date, by=lead.assigned_to, at=lead.status_changed_at or now
            )
            booked += 1
        except ValidationError:
            continue
    return booked
