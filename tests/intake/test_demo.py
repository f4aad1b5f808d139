from io import StringIO

import pytest

from intake import demo
from intake.models import IntakeEvent, IntakeStatus
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_demo_stream_is_realistic_and_idempotent(settings):
    settings.INTAKE_AUTO_ASSIGN = False
    out = StringIO()
    demo.seed(out)
    events = IntakeEvent.objects.count()
    demo.seed(out)

    assert events == demo.EVENTS == IntakeEvent.objects.count()
    assert set(IntakeEvent.objects.values_list("channel", flat=True)) == {
        "landing",
        "telegram",
        "meta",
        "whatsapp",
        "calls",
    }
    assert not IntakeEvent.objects.exclude(status=IntakeStatus.PROCESSED).exists()
    assert IntakeEvent.objects.filter(outcome="repeat").exists()
    assert (
        Lead.objects.filter(intake_events__isnull=False).distinct().count()
        == IntakeEvent.objects.filter(outcome="created").count()
    )
    assert "stream not empty, skipped" in out.getvalue()
