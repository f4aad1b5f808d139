"""A dead broker loses nothing and fails nobody: every on-commit enqueue in the
project, with the broker URL pointing at a closed port, still stores its row
and answers; the row's beat safety net queues it once the broker is back."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from analytics.models import MarketingAnalytics
from analytics.services.marketing_spend import marketing_spend_record
from analytics.services.rollup import analytics_rollup_stale_spend_days
from import_service.models import ImportStatus
from import_service.services import uploads as import_services
from intake.models import IntakeEvent, IntakeStatus
from intake.services import intake_events_requeue_stale
from leads.models import Lead, LeadSource
from reminders.dispatch import reminders_dispatch_due
from reminders.models import Delivery, DeliveryStatus
from tests.celery_helpers import dead_broker
from tests.factories import SalespersonFactory
from tests.intake.conftest import CALLS_SECRET, LANDING_KEY, fixture_bytes, sha256_signature
from tests.reminders.factories import LeadReminderFactory

pytestmark = pytest.mark.django_db

BROKER_DOWN_LOG = "Broker unreachable"


def post_committed(client, *args, **kwargs):
    """A request whose on-commit callbacks run, as a real commit would run them."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(*args, **kwargs)


@pytest.fixture
def channels_on(settings):
    settings.INTAKE_LANDING_KEYS = [LANDING_KEY]
    settings.INTAKE_AUTO_ASSIGN = False
    settings.CALL_TRACKING_SECRET = CALLS_SECRET
    return settings


def test_landing_and_webhook_deliveries_are_stored_and_answered_when_the_broker_is_down(channels_on, caplog):
    client = Client()
    body = fixture_bytes("call_tracking_post_call.json")
    with dead_broker(), caplog.at_level(logging.ERROR, logger="core.tasks"):
        landing = post_committed(
            client,
            "/intake/landing/",
            {"name": "Broker Down", "phone": "+998 90 555 77 01", "key": LANDING_KEY},
        )
        call = post_committed(
            client,
            "/intake/calls/",
            data=body,
            content_type="application/json",
            headers={"X-Signature": sha256_signature(body, CALLS_SECRET)},
        )
        # The safety net cannot queue either while the broker is down.
        assert intake_events_requeue_stale(now=timezone.now() + datetime.timedelta(minutes=2)) == 0

    assert (landing.status_code, call.status_code) == (201, 200)
    assert set(IntakeEvent.objects.values_list("status", flat=True)) == {IntakeStatus.PENDING}
    assert IntakeEvent.objects.count() == 2
    assert sum(BROKER_DOWN_LOG in r.getMessage() for r in caplog.records) >= 2
    assert not Lead.objects.exists()

    # The broker is back (tasks run inline here): the beat safety net makes the leads.
    assert intake_events_requeue_stale(now=timezone.now() + datetime.timedelta(minutes=2)) == 2
    assert set(IntakeEvent.objects.values_list("status", flat=True)) == {IntakeStatus.PROCESSED}
    assert Lead.objects.filter(phone="+998905557701", source=LeadSource.LANDING).exists()
    assert Lead.objects.count() == 2


def test_background_import_is_queued_later_when_the_broker_was_down(manager, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_ROW_THRESHOLD = 2
    rows = "".join(f"Talaba {n},+998 91 {n:07d},IELTS\n" for n in range(4000100, 4000105))
    upload = SimpleUploadedFile("list.csv", ("Ism,Telefon,Kurs\n" + rows).encode())
    preview = import_services.import_upload_preview(upload=upload, by=manager)
    with dead_broker(), caplog.at_level(logging.ERROR, logger="core.tasks"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            run = import_services.import_confirm(dry_run_log=preview, by=manager)
        assert import_services.import_runs_requeue_stale(now=timezone.now() + datetime.timedelta(minutes=11)) == 0
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED
    assert any(BROKER_DOWN_LOG in r.getMessage() for r in caplog.records)

    assert import_services.import_runs_requeue_stale(now=timezone.now()) == 0  # too fresh to be lost
    assert import_services.import_runs_requeue_stale(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    run.refresh_from_db()
    assert (run.status, run.created) == (ImportStatus.COMPLETED, 5)
    assert Lead.objects.count() == 5


def test_marketing_spend_is_saved_and_its_day_rolled_up_later_when_the_broker_was_down(manager, caplog):
    day = timezone.localdate() - datetime.timedelta(days=3)
    with (
        dead_broker(),
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        marketing_spend_record(
            date=day, channel=LeadSource.INSTAGRAM, impressions=1000, clicks=50, cost=Decimal("250000"), by=manager
        )
    assert any(BROKER_DOWN_LOG in r.getMessage() for r in caplog.records)
    assert not MarketingAnalytics.objects.filter(date=day).exists()

    assert analytics_rollup_stale_spend_days() == [day]
    row = MarketingAnalytics.objects.get(date=day, channel=LeadSource.INSTAGRAM)
    assert (row.impressions, row.clicks, row.cost_total) == (1000, 50, Decimal("250000.00"))
    assert analytics_rollup_stale_spend_days() == []  # rolled up since: nothing stale


def test_retry_now_answers_when_the_broker_is_down_and_the_next_pass_sends(manager_client, settings, caplog):
    import responses

    from tests.reminders.conftest import TELEGRAM_URL

    settings.TELEGRAM_API_URL = "https://telegram.test"
    settings.TELEGRAM_BOT_TOKEN = ""
    LeadReminderFactory(salesperson=SalespersonFactory(email="", telegram_chat_id="7"))
    reminders_dispatch_due()
    delivery = Delivery.objects.get(status=DeliveryStatus.FAILED)
    settings.TELEGRAM_BOT_TOKEN = "test-token"
    with dead_broker(), caplog.at_level(logging.ERROR, logger="core.tasks"):
        response = post_committed(
            manager_client,
            reverse("admin:reminders_delivery_changelist"),
            {"action": "retry_now", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    assert any(BROKER_DOWN_LOG in r.getMessage() for r in caplog.records)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING

    with responses.RequestsMock() as mock:
        mock.add(responses.POST, TELEGRAM_URL, json={"ok": True, "result": {"message_id": 1}})
        assert reminders_dispatch_due().sent == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
