"""Demo leads for `manage.py seed_demo`: a month of realistic inquiries with
complete status history, reproducible (fixed random seed) and idempotent."""

import random
from datetime import timedelta

from django.utils import timezone

from accounts import roles
from leads import services
from leads.models import Lead, LeadSource, LeadStatus

FIRST_NAMES = [
    "Aziza",
    "Bekzod",
    "Dilshod",
    "Gulnora",
    "Javlon",
    "Kamila",
    "Laylo",
    "Madina",
    "Nodir",
    "Oybek",
    "Sevara",
    "Shahzoda",
    "Timur",
    "Umida",
    "Zarina",
    "Anna",
    "Oleg",
    "Sanjar",
    "Feruza",
    "Islom",
]
LAST_NAMES = [
    "Yusupova",
    "Ergashev",
    "Nazarova",
    "Rakhimov",
    "Tursunov",
    "Karimova",
    "Ismoilov",
    "Abdullaeva",
    "Saidov",
    "Xolmatova",
    "Ivanova",
    "Petrov",
    "Mirzaev",
    "Qosimova",
]
COURSES = ["IELTS", "General English", "Kids English", "Python", "Frontend", "Russian", "Korean", "SAT Math"]
# Weighted like a real centre: mostly Instagram and Telegram.
SOURCES = (
    [LeadSource.INSTAGRAM] * 5
    + [LeadSource.TELEGRAM] * 4
    + [LeadSource.WHATSAPP] * 2
    + [
        LeadSource.CALL_TRACKING,
        LeadSource.LANDING,
        LeadSource.LANDING,
        LeadSource.GOOGLE_SHEETS,
        LeadSource.EXCEL,
        LeadSource.CSV,
    ]
)
# Where demo leads end up, as a path through the allowed transitions.
PATHS = [
    [],
    [LeadStatus.CONTACTED],
    [LeadStatus.CONTACTED, LeadStatus.INTERESTED],
    [LeadStatus.CONTACTED, LeadStatus.INTERESTED, LeadStatus.TRIAL_SCHEDULED],
    [LeadStatus.CONTACTED, LeadStatus.TRIAL_SCHEDULED, LeadStatus.TRIAL_ATTENDED],
    [LeadStatus.CONTACTED, LeadStatus.TRIAL_SCHEDULED, LeadStatus.TRIAL_ATTENDED, LeadStatus.ENROLLED],
    [LeadStatus.CONTACTED, LeadStatus.LOST],
]
LOST_REASONS = ["Too expensive", "Chose another centre", "No suitable time", "Not answering"]
DEMO_LEADS = 80


def seed(stdout) -> None:
    rng = random.Random(2026)
    people = list(roles.salespeople())
    now = timezone.now()
    created = 0
    for index in range(DEMO_LEADS):
        phone = f"+99890{7000000 + index:07d}"
        # Draw every random value even for existing leads so the sequence is stable.
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        source = rng.choice(SOURCES)
        course = rng.choice(COURSES)
        age = timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
        path = rng.choice(PATHS)
        reason = rng.choice(LOST_REASONS)
        if Lead.objects.filter(phone=phone).exists():
            continue
        at = now - age
        lead = services.lead_register_inquiry(
            phone=phone,
            source=source,
            at=at,
            full_name=name,
            course_interest=course,
            utm_source=source if source in (LeadSource.INSTAGRAM, LeadSource.LANDING) else "",
            utm_campaign=f"{course.lower().replace(' ', '_')}_nov" if source == LeadSource.INSTAGRAM else "",
        ).lead
        if people and index % 9:  # leave some unassigned for managers to distribute
            services.lead_assign(lead=lead, salesperson=people[index % len(people)], at=at + timedelta(minutes=3))
        step_at = at + timedelta(minutes=rng.randint(5, 90))
        for status in path:
            if step_at >= now:
                break
            services.lead_change_status(
                lead=lead,
                to_status=status,
                by=lead.assigned_to,
                at=step_at,
                reason=reason if status == LeadStatus.LOST else "",
            )
            step_at += timedelta(hours=rng.randint(2, 60))
        created += 1
    stdout.write(f"Demo leads: {created} created, {DEMO_LEADS - created} already there.")
