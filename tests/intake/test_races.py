"""Exactly-once under concurrency, on PostgreSQL with real threads: the same
delivery posted at once, the same event processed by several workers at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from intake import services
from intake.models import IntakeEvent, IntakeStatus
from leads.models import Lead, LeadInquiry
from tests.intake.conftest import META_SECRET, OnCommitClient, fixture_bytes, sha256_signature
from tests.intake.factories import IntakeEventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


def run_at_once(func, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)

    def worker(_):
        try:
            barrier.wait(timeout=10)
            return func()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(worker, range(count), timeout=60))


def test_concurrent_duplicate_webhook_delivery_makes_one_event_and_one_lead():
    body = fixture_bytes("whatsapp_message_webhook.json")
    signature = sha256_signature(body, META_SECRET)

    def deliver():
        response = OnCommitClient().post(
            "/intake/whatsapp/", data=body, content_type="application/json", headers={"X-Hub-Signature-256": signature}
        )
        return response.status_code, response.json()["status"]

    results = run_at_once(deliver)

    assert all(code == 200 for code, _ in results)
    assert sorted(status for _, status in results) == ["duplicate"] * (THREADS - 1) + ["received"]
    assert IntakeEvent.objects.count() == 1
    assert Lead.objects.count() == 1 and LeadInquiry.objects.count() == 1
    assert IntakeEvent.objects.get().status == IntakeStatus.PROCESSED


def test_several_workers_processing_one_event_make_one_lead():
    event = IntakeEventFactory()

    results = run_at_once(lambda: services.intake_event_run(event_id=event.pk).status)

    assert results.count(IntakeStatus.PROCESSED) == 1
    assert results.count("skipped") == THREADS - 1
    event.refresh_from_db()
    assert event.attempts == 1 and event.outcome == "created"
    assert Lead.objects.count() == 1 and LeadInquiry.objects.count() == 1


def test_different_events_for_one_phone_at_once_make_one_lead_and_repeats():
    events = [IntakeEventFactory(payload={"phone": "+998 90 777 66 55", "comment": f"Try {i}"}) for i in range(THREADS)]
    ids = iter([e.pk for e in events])
    lock = threading.Lock()

    def process_next():
        with lock:
            event_id = next(ids)
        return services.intake_event_run(event_id=event_id).outcome

    outcomes = run_at_once(process_next)

    assert sorted(outcomes) == ["created"] + ["repeat"] * (THREADS - 1)
    lead = Lead.objects.get()
    assert lead.inquiry_count == THREADS and LeadInquiry.objects.count() == THREADS
    assert LeadInquiry.objects.filter(is_repeat=False).count() == 1
    # Each event's note landed on its own inquiry, none on another's.
    notes = sorted(LeadInquiry.objects.values_list("note", flat=True))
    assert notes == sorted(f"Landing form: Try {i}" for i in range(THREADS))
