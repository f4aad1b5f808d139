"""intake.services: processing, re-processing, the command, the safety net."""

import json
from datetime import timedelta
from io import StringIO

import pytest
import responses
import time_machine
from celery.exceptions import Retry
from django.core.management import call_command
from django.utils import timezone

from intake import services
from intake.models import IntakeChannel, IntakeEvent, IntakeRejection, IntakeStatus, ReplyStatus
from intake.tasks import process_intake_event
from leads.models import Lead, LeadInquiry, LeadStatusChange
from tests.factories import SalespersonFactory
from tests.intake.conftest import TELEGRAM_API, TELEGRAM_TOKEN, fixture_json
from tests.intake.factories import IntakeEventFactory

pytestmark = pytest.mark.django_db
SEND_URL = f"{TELEGRAM_API}/bot{TELEGRAM_TOKEN}/sendMessage"


def test_processing_is_idempotent():
    event = IntakeEventFactory()

    first = services.intake_event_run(event_id=event.pk)
    second = services.intake_event_run(event_id=event.pk)

    assert (first.status, first.outcome, second.status) == (IntakeStatus.PROCESSED, "created", "skipped")
    event.refresh_from_db()
    assert event.attempts == 1 and event.lead == Lead.objects.get()
    assert LeadInquiry.objects.count() == 1 and LeadStatusChange.objects.count() == 1


def test_a_bug_in_processing_keeps_the_event_failed_and_reprocessable():
    event = IntakeEventFactory(payload={"name": "No phone key at all"})

    result = services.intake_event_run(event_id=event.pk)

    event.refresh_from_db()
    assert result.status == IntakeStatus.FAILED and event.status == IntakeStatus.FAILED
    assert event.error == "KeyError: 'phone'" and not Lead.objects.exists()

    IntakeEvent.objects.filter(pk=event.pk).update(payload={"name": "Fixed", "phone": "+998901112233"})
    assert services.intake_event_run(event_id=event.pk).outcome == "created"
    event.refresh_from_db()
    assert (event.status, event.error, event.attempts) == (IntakeStatus.PROCESSED, "", 2)


def test_process_intake_command_processes_pending_and_failed_with_json_summary():
    IntakeEventFactory(payload={"phone": "+998901000001", "name": "A"})
    IntakeEventFactory(payload={"phone": "+998901000001", "name": "A again"})
    IntakeEventFactory(payload={"phone": "+998901000002"}, status=IntakeStatus.FAILED, error="earlier failure")
    IntakeEventFactory(payload={"phone": "bad"})
    IntakeEventFactory(payload={"phone": "+998901000003"}, status=IntakeStatus.PROCESSED)
    out = StringIO()

    call_command("process_intake", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {"processed": 3, "created": 2, "repeats": 1, "failed": 1}
    assert Lead.objects.count() == 2
    out = StringIO()
    call_command("process_intake", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"processed": 0, "created": 0, "repeats": 0, "failed": 1}


def test_process_intake_command_human_output_and_channel_filter():
    IntakeEventFactory()
    out, err = StringIO(), StringIO()
    call_command("process_intake", "--channel", "telegram", stdout=out, stderr=err)
    assert "Processed 0 event(s)" in out.getvalue()
    call_command("process_intake", "--channel", "landing", stdout=out, stderr=err)
    assert "Processed 1 event(s): 1 new lead(s), 0 repeat(s); 0 failed." in out.getvalue()


def test_stale_pending_events_are_requeued_and_processed():
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        old = IntakeEventFactory()
    fresh = IntakeEventFactory()

    assert services.intake_events_requeue_stale() == 1  # eager Celery processes it here

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == IntakeStatus.PROCESSED and fresh.status == IntakeStatus.PENDING


def test_rejections_are_counted_per_channel_reason_and_day():
    for _ in range(3):
        services.intake_rejection_record(channel=IntakeChannel.META, reason=services.REJECT_FORBIDDEN)
    services.intake_rejection_record(channel=IntakeChannel.META, reason=services.REJECT_INVALID)

    counts = {(r.channel, r.reason): r.count for r in IntakeRejection.objects.all()}
    assert counts == {("meta", "forbidden"): 3, ("meta", "invalid"): 1}


def test_new_leads_are_assigned_in_turn_when_auto_assign_is_on(settings):
    settings.INTAKE_AUTO_ASSIGN = True
    first, second = SalespersonFactory(), SalespersonFactory()
    events = [IntakeEventFactory(payload={"phone": f"+99890100000{i}"}) for i in range(3)]
    repeat = IntakeEventFactory(payload={"phone": "+998901000000"})

    services.intake_events_process(event_ids=[e.pk for e in [*events, repeat]])

    owners = list(Lead.objects.order_by("phone").values_list("assigned_to", flat=True))
    assert owners == [first.pk, second.pk, first.pk]


def test_without_salespeople_new_leads_stay_unassigned(settings):
    settings.INTAKE_AUTO_ASSIGN = True
    services.intake_event_run(event_id=IntakeEventFactory().pk)
    assert Lead.objects.get().assigned_to is None


def test_task_retries_a_failed_telegram_reply_until_sent(mocked_http):
    mocked_http.add(responses.POST, SEND_URL, status=502, json={"ok": False, "description": "Bad Gateway"})
    mocked_http.add(responses.POST, SEND_URL, json={"ok": True, "result": {"message_id": 5}})
    event = IntakeEventFactory(
        channel=IntakeChannel.TELEGRAM, external_id="910000002", payload=fixture_json("telegram_update_contact.json")
    )

    with pytest.raises(Retry):  # eager Celery hands the scheduled retry back to the caller
        process_intake_event.delay(event.pk)
    event.refresh_from_db()
    assert (event.status, event.reply_status) == (IntakeStatus.PROCESSED, ReplyStatus.FAILED)
    assert "HTTP 502" in event.reply_error

    process_intake_event.delay(event.pk)  # the retry's delivery

    event.refresh_from_db()
    assert (event.status, event.reply_status, event.reply_error) == (IntakeStatus.PROCESSED, ReplyStatus.SENT, "")
    assert len(mocked_http.calls) == 2 and LeadInquiry.objects.count() == 1
