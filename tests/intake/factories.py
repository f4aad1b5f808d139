import json

import factory
from django.utils import timezone

from intake.models import IntakeChannel, IntakeEvent, IntakeStatus


class IntakeEventFactory(factory.django.DjangoModelFactory):
    """A stored, unprocessed landing-form event for a valid Uzbek phone."""

    class Meta:
        model = IntakeEvent

    channel = IntakeChannel.LANDING
    external_id = factory.Sequence(lambda n: f"event-{n:06d}")
    received_at = factory.LazyFunction(timezone.now)
    status = IntakeStatus.PENDING
    payload = factory.Sequence(
        lambda n: {
            "name": f"Student {n}",
            "phone": f"+99893{2000000 + n:07d}",
            "course": "IELTS",
            "site": "test",
        }
    )
    headers = factory.LazyFunction(lambda: {"CONTENT_TYPE": "application/json"})
    body = factory.LazyAttribute(lambda o: json.dumps(o.payload))
