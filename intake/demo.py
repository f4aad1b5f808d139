"""Demo intake stream for `manage.py seed_demo`: three days of realistic
deliveries on every channel, run through the same parsers and services as the
live endpoints (Meta leads come with their Graph API answers already attached,
so no network is needed). Idempotent: only seeds an empty stream."""

import json
import random
from datetime import UTC, timedelta

from django.utils import timezone

from intake import services
from intake.channels import calls, landing, meta, telegram, whatsapp
from intake.models import IntakeChannel, IntakeEvent

FIRST = ["Aziza", "Bekzod", "Dilshod", "Gulnora", "Javlon", "Kamila", "Madina", "Nodir", "Sevara", "Timur"]
LAST = ["Yusupova", "Ergashev", "Nazarova", "Rakhimov", "Tursunov", "Karimova", "Saidov", "Mirzaev"]
COURSES = ["IELTS", "General English", "Kids English", "Python", "SAT Math", "Korean"]
EVENTS = 30


def seed(stdout) -> None:
    if IntakeEvent.objects.exists():
        stdout.write("Demo intake: stream not empty, skipped.")
        return
    rng = random.Random(4)
    now = timezone.now()
    ids = []
    graph_answers = {}  # leadgen_id -> what the Graph API would return
    for index in range(EVENTS):
        at = now - timedelta(hours=rng.randint(0, 72), minutes=rng.randint(0, 59))
        # Every fifth person writes again through another channel.
        person = index - 3 if index % 5 == 4 else index
        phone = f"99893{6100000 + person:07d}"
        name = f"{FIRST[person % len(FIRST)]} {LAST[person % len(LAST)]}"
        course = rng.choice(COURSES)
        channel, incoming, body = _delivery(rng.randrange(5), index, phone, name, course, at, graph_answers)
        stored = services.intake_events_store(
            channel=channel, incoming=incoming, headers={"demo": "seed_demo"}, body=body, received_at=at, enqueue=False
        )
        ids.extend(s.event.pk for s in stored if s.created)
    for event in IntakeEvent.objects.filter(pk__in=ids, channel=IntakeChannel.META):
        event.fetched = graph_answers[event.external_id]
        event.platform = meta.platform_of(event)
        event.save(update_fields=["fetched", "platform"])
    summary = services.Summary()
    for event_id in ids:
        summary.add(services.intake_event_process(event_id=event_id))
    stdout.write(f"Demo intake: {len(ids)} events, {summary.created} new leads, {summary.repeats} repeats.")


def _delivery(kind: int, index: int, phone: str, name: str, course: str, at, graph_answers: dict):
    epoch = int(at.timestamp())
    if kind == 0:
        fields = {
            "name": name,
            "phone": "+" + phone,
            "course": course,
            "utm_source": "instagram",
            "utm_campaign": f"{course.lower().replace(' ', '_')}_nov",
            "page": "https://school.example/",
        }
        body = json.dumps(fields)
        return IntakeChannel.LANDING, landing.parse(fields, site_key="demo-site"), body
    if kind == 1:
        user_id = 560000000 + index
        update = {
            "update_id": 920000000 + index,
            "message": {
                "message_id": index,
                "date": epoch,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": name.split()[0]},
                "contact": {
                    "phone_number": phone,
                    "first_name": name.split()[0],
                    "last_name": name.split()[1],
                    "user_id": user_id,
                },
            },
        }
        body = json.dumps(update)
        return IntakeChannel.TELEGRAM, telegram.parse(body.encode()), body
    if kind == 2:
        leadgen_id = str(3200000000000000 + index)
        hook = {
            "object": "page",
            "entry": [
                {
                    "id": "104000000000001",
                    "time": epoch,
                    "changes": [
                        {
                            "field": "leadgen",
                            "value": {
                                "leadgen_id": leadgen_id,
                                "form_id": "900000000000001",
                                "ad_id": "120200000000001",
                                "created_time": epoch,
                                "page_id": "104000000000001",
                                "adgroup_id": "120200000000002",
                            },
                        }
                    ],
                }
            ],
        }
        graph_answers[leadgen_id] = {
            "id": leadgen_id,
            "created_time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "ad_id": "120200000000001",
            "form_id": "900000000000001",
            "campaign_id": "120200000000000",
            "platform": "fb" if index % 3 == 0 else "ig",
            "field_data": [
                {"name": "full_name", "values": [name]},
                {"name": "phone_number", "values": ["+" + phone]},
                {"name": "qaysi_kurs?", "values": [course]},
            ],
        }
        body = json.dumps(hook)
        return IntakeChannel.META, meta.parse(body.encode()), body
    if kind == 3:
        hook = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA_ID",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "PHONE_NUMBER_ID"},
                                "contacts": [{"profile": {"name": name.split()[0]}, "wa_id": phone}],
                                "messages": [
                                    {
                                        "from": phone,
                                        "id": f"wamid.DEMO{index:06d}",
                                        "timestamp": str(epoch),
                                        "type": "text",
                                        "text": {"body": f"Salom, {course} kursi narxi qancha?"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
        body = json.dumps(hook)
        return IntakeChannel.WHATSAPP, whatsapp.parse(body.encode()), body
    call = {
        "resource_id": f"CALDEMO{index:06d}",
        "answered": index % 2 == 0,
        "customer_name": "",
        "customer_number": "+" + phone,
        "tracking_phone_number": "+998712001122",
        "duration": 95 * (index % 2 == 0),
        "source_name": "Google Ads",
        "start_time": at.isoformat(),
        "direction": "inbound",
    }
    body = json.dumps(call)
    return IntakeChannel.CALLS, calls.parse(body.encode()), body
