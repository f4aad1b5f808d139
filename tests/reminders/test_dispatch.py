"""The dispatcher: follow-up notifications sent once, repeated, skipped when
no longer useful, retried with backoff, recovered after a crash."""

import datetime
import json

import pytest
import responses
import time_machine
from django.core import mail
from django.core.management import call_command

from leads.models import Lead
from reminders import dispatch
from reminders.dispatch import reminders_dispatch_due
from reminders.followups import COMPLETED, REASSIGNED
from reminders.models import Delivery, DeliveryStatus, LeadReminder, LeadReminderStatus
from reminders.services import followups_complete_for_lead
from tests.factories import SalespersonFactory
from tests.reminders.conftest import telegram_calls
from tests.reminders.factories import LeadReminderFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
MIN = datetime.timedelta(minutes=1)


def overdue(minutes=5, **kwargs):
    due = NOW - minutes * MIN
    return LeadReminderFactory(due_at=due, next_notify_at=due, **kwargs)


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_overdue_follow_up_notifies_the_salesperson_by_email_and_telegram(pinned, telegram):
    person = SalespersonFactory(email="aziz@centre.example", telegram_chat_id="5551")
    reminder = overdue(salesperson=person)
    result = reminders_dispatch_due()
    assert result.as_dict() == {"sent": 2, "skipped": 0, "failed": 0}
    assert [m.to for m in mail.outbox] == [["aziz@centre.example"]]
    assert "is 5 min overdue" in mail.outbox[0].body
    assert f"/admin/leads/lead/{reminder.lead_id}/change/" in mail.outbox[0].body
    [call] = telegram_calls(telegram)
    assert call["chat_id"] == "5551" and "overdue" in call["text"]
    reminder.refresh_from_db()
    assert reminder.status == LeadReminderStatus.SENT
    assert reminder.reminder_count == 1
    assert reminder.last_sent_at == NOW
    assert reminder.next_notify_at == NOW + 30 * MIN
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.parametrize("name", ["Ali\r\nBcc: all@centre.example", "Vali\nValiyev", "Line\u2028Separator"])
def test_a_lead_name_with_line_breaks_still_notifies_with_a_one_line_subject(pinned, name):
    from tests.leads.factories import LeadFactory

    overdue(salesperson=SalespersonFactory(email="aziz@centre.example"), lead=LeadFactory(full_name=name))
    assert reminders_dispatch_due().sent == 1
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject and "\u2028" not in message.subject
    assert message.subject.startswith("Overdue: contact ") and name.split()[0][:3] in message.subject
    assert message.bcc == [] and message.to == ["aziz@centre.example"]
    assert "\n" not in Delivery.objects.get().subject


def test_a_second_pass_sends_nothing_more(pinned):
    overdue()
    assert reminders_dispatch_due().sent == 1
    assert reminders_dispatch_due().as_dict() == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_not_yet_due_follow_up_is_not_sent(pinned):
    LeadReminderFactory(due_at=NOW + MIN, next_notify_at=NOW + MIN)
    assert reminders_dispatch_due().sent == 0
    assert Delivery.objects.count() == 0


def test_repeats_every_interval_until_completed_counting_each(pinned, settings):
    settings.REMINDER_REPEAT_MINUTES = 30
    reminder = overdue()
    reminders_dispatch_due()
    pinned.move_to(NOW + 29 * MIN)
    assert reminders_dispatch_due().sent == 0
    pinned.move_to(NOW + 30 * MIN)
    assert reminders_dispatch_due().sent == 1
    reminder.refresh_from_db()
    assert reminder.reminder_count == 2
    assert "Reminder #2" in mail.outbox[1].body
    followups_complete_for_lead(lead=reminder.lead)
    pinned.move_to(NOW + 3 * 60 * MIN)
    assert reminders_dispatch_due().sent == 0
    assert len(mail.outbox) == 2


def test_worker_down_for_hours_sends_one_catch_up_not_one_per_interval(pinned):
    reminder = overdue(minutes=5 * 60)
    assert reminders_dispatch_due().sent == 1
    reminder.refresh_from_db()
    assert reminder.reminder_count == 1


def test_follow_up_completed_after_it_was_queued_is_skipped_not_sent(pinned):
    reminder = overdue()
    dispatch.deliveries_materialise(now=NOW)
    followups_complete_for_lead(lead=reminder.lead)
    assert reminders_dispatch_due().as_dict() == {"sent": 0, "skipped": 1, "failed": 0}
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.skip_reason) == (DeliveryStatus.SKIPPED, COMPLETED)
    assert mail.outbox == []


def test_follow_up_reassigned_after_it_was_queued_goes_to_the_new_salesperson(pinned):
    reminder = overdue()
    dispatch.deliveries_materialise(now=NOW)
    new_person = SalespersonFactory()
    LeadReminder.objects.filter(pk=reminder.pk).update(salesperson=new_person)
    assert reminders_dispatch_due().as_dict() == {"sent": 1, "skipped": 1, "failed": 0}
    assert Delivery.objects.get(status="skipped").skip_reason == REASSIGNED
    assert [m.to for m in mail.outbox] == [[new_person.email]]


def test_a_delivery_takes_its_leads_salesperson_as_the_lead_has_it_when_written(pinned):
    """The source read the follow-up (lead_owner: the old salesperson) just before
    a handover committed: the new delivery must not stay with the old one, who
    would keep seeing it in their list."""
    handed_over, let_go = overdue(), overdue()
    new_person = SalespersonFactory()
    Lead.objects.filter(pk=handed_over.lead_id).update(assigned_to=new_person)
    Lead.objects.filter(pk=let_go.lead_id).update(assigned_to=None)
    assert dispatch.deliveries_materialise(now=NOW) == 2
    owners = dict(Delivery.objects.values_list("object_id", "lead_owner_id"))
    assert owners == {handed_over.pk: new_person.pk, let_go.pk: None}
    assert LeadReminder.objects.get(pk=handed_over.pk).lead_owner_id == handed_over.salesperson_id  # as it was


def test_materialising_cuts_batches_only_between_leads():
    """A reminder's channels come one after another and the first one sent marks
    it sent: a batch left for the next pass must hold all of a lead's deliveries."""
    rows = [Delivery(lead_id=lead_id) for lead_id in (1, 1, 2, None, None, 3, 3, 3)]
    batches = dispatch._batches_by_lead(iter(rows), 1)
    assert [[d.lead_id for d in batch] for batch in batches] == [[1, 1], [2], [None], [None], [3, 3, 3]]
    assert [len(b) for b in dispatch._batches_by_lead(iter(rows), 3)] == [3, 5]  # the 3s kept together


def test_salesperson_without_any_address_is_recorded_as_skipped(pinned):
    reminder = overdue(salesperson=SalespersonFactory(email=""))
    assert reminders_dispatch_due().skipped == 1
    assert Delivery.objects.get().skip_reason == dispatch.NO_ADDRESS
    reminder.refresh_from_db()
    assert reminder.next_notify_at == NOW + 30 * MIN  # tried again later, not every minute


def test_failed_telegram_send_keeps_the_error_and_retries_with_backoff(pinned, settings):
    settings.TELEGRAM_API_URL = "https://telegram.test"
    settings.TELEGRAM_BOT_TOKEN = "secret-token"
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    settings.REMINDER_MAX_ATTEMPTS = 3
    overdue(salesperson=SalespersonFactory(email="", telegram_chat_id="77"))
    url = "https://telegram.test/botsecret-token/sendMessage"
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, url, status=502, body="Bad Gateway")
        assert reminders_dispatch_due().failed == 1
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.attempts == 1
        assert "HTTP 502" in delivery.last_error and "secret-token" not in delivery.last_error
        assert delivery.next_attempt_at == NOW + MIN
        assert reminders_dispatch_due().failed == 0  # not before its time
        pinned.move_to(NOW + MIN)
        assert reminders_dispatch_due().failed == 1
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == NOW + MIN + 2 * MIN  # doubled
        mock.replace(responses.POST, url, json={"ok": True, "result": {}})
        pinned.move_to(NOW + 3 * MIN)
        assert reminders_dispatch_due().sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 3, "")


def test_gives_up_after_max_attempts_and_keeps_the_last_error(pinned, settings):
    settings.TELEGRAM_API_URL = "https://telegram.test"
    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    settings.REMINDER_MAX_ATTEMPTS = 2
    reminder = overdue(salesperson=SalespersonFactory(email="", telegram_chat_id="77"))
    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            "https://telegram.test/bot123:abc/sendMessage",
            status=403,
            json={"ok": False, "description": "Forbidden: bot was blocked by the user"},
        )
        reminders_dispatch_due()
        pinned.move_to(NOW + 10 * MIN)
        reminders_dispatch_due()
        pinned.move_to(NOW + 20 * MIN)
        assert reminders_dispatch_due().failed == 0
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert "bot was blocked by the user" in delivery.last_error
    reminder.refresh_from_db()
    assert reminder.reminder_count == 0
    assert reminder.next_notify_at == NOW + 10 * MIN + 30 * MIN  # next occurrence after an interval


def test_a_claim_abandoned_by_a_crashed_worker_is_sent_after_the_timeout(pinned, settings):
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 300
    overdue()
    dispatch.deliveries_materialise(now=NOW)
    [_claimed] = dispatch.deliveries_claim(now=NOW)  # ... and the worker dies before sending
    assert reminders_dispatch_due().sent == 0  # still held by the dead worker's claim
    pinned.move_to(NOW + 5 * MIN + datetime.timedelta(seconds=1))
    assert reminders_dispatch_due().sent == 1
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 2


def test_a_late_finish_by_the_first_claimant_does_not_overwrite_the_new_claim(pinned, settings):
    overdue()
    dispatch.deliveries_materialise(now=NOW)
    [stale] = dispatch.deliveries_claim(now=NOW)
    pinned.move_to(NOW + 10 * MIN)
    [fresh] = dispatch.deliveries_claim(now=NOW + 10 * MIN)
    assert stale.claim_token != fresh.claim_token
    assert dispatch._finish(stale, status=DeliveryStatus.FAILED, last_error="late") is False
    assert Delivery.objects.get().status == DeliveryStatus.SENDING


def test_command_prints_one_json_object(pinned, capsys):
    overdue()
    call_command("dispatch_reminders", "--json")
    assert json.loads(capsys.readouterr().out) == {"sent": 1, "skipped": 0, "failed": 0}
    call_command("dispatch_reminders")
    assert "Sent 0, skipped 0, failed 0." in capsys.readouterr().out


def test_beat_task_runs_the_same_pass(pinned):
    from reminders.tasks import dispatch_due

    overdue()
    assert dispatch_due.delay().get() == {"sent": 1, "skipped": 0, "failed": 0}


def test_beat_dispatches_every_minute_in_local_time():
    from crm_project.celery import BEAT_SCHEDULE, app

    entry = BEAT_SCHEDULE["reminders-dispatch-due"]
    assert entry["task"] == "reminders.dispatch_due"
    assert entry["schedule"] == datetime.timedelta(seconds=60)  # REMINDER_DISPATCH_EVERY_SECONDS
    assert entry["options"]["expires"] < 60
    assert str(app.conf.timezone) == "Asia/Tashkent"
    assert "reminders.dispatch_due" in app.tasks


def test_follow_up_of_a_lead_no_longer_assigned_is_skipped(pinned):
    from leads.models import Lead
    from reminders.followups import UNASSIGNED

    reminder = overdue()
    Lead.objects.filter(pk=reminder.lead_id).update(assigned_to=None)
    assert reminders_dispatch_due().skipped == 1
    assert Delivery.objects.get().skip_reason == UNASSIGNED


def test_send_delivery_task_takes_an_id_and_never_sends_twice(pinned):
    from reminders.tasks import send_delivery

    overdue()
    dispatch.deliveries_materialise(now=NOW)
    delivery = Delivery.objects.get()
    assert send_delivery.delay(delivery.pk).get() == "sent"
    assert send_delivery.delay(delivery.pk).get() is None  # a duplicate task: nothing to do
    assert reminders_dispatch_due().sent == 0
    assert len(mail.outbox) == 1


def failing_telegram(settings, mock, status=502):
    settings.TELEGRAM_API_URL = "https://telegram.test"
    settings.TELEGRAM_BOT_TOKEN = "tok"
    mock.add(responses.POST, "https://telegram.test/bottok/sendMessage", status=status, body="Bad Gateway")


def test_a_failure_is_kept_as_its_type_and_message_and_logged(pinned, settings, caplog):
    settings.REMINDER_MAX_ATTEMPTS = 2
    overdue(salesperson=SalespersonFactory(email="", telegram_chat_id="77"))
    with responses.RequestsMock() as mock, caplog.at_level("WARNING", logger="reminders.dispatch"):
        failing_telegram(settings, mock)
        reminders_dispatch_due()
        delivery = Delivery.objects.get()
        assert delivery.last_error.startswith("TelegramError: Telegram sendMessage failed")
        first = [r.getMessage() for r in caplog.records if "failed (attempt" in r.getMessage()]
        assert first == [f"Delivery {delivery.key} failed (attempt 1): {delivery.last_error}"]
        caplog.clear()
        pinned.move_to(NOW + 10 * MIN)
        reminders_dispatch_due()
        last = [r.getMessage() for r in caplog.records if "failed (attempt" in r.getMessage()]
        assert last == [f"Delivery {delivery.key} failed (attempt 2, giving up): {delivery.last_error}"]


def test_retry_now_puts_only_a_failed_delivery_back_in_the_queue(pinned, settings):
    settings.REMINDER_MAX_ATTEMPTS = 1
    overdue(salesperson=SalespersonFactory(email="", telegram_chat_id="77"))
    other = overdue()
    with responses.RequestsMock() as mock:
        failing_telegram(settings, mock)
        reminders_dispatch_due()
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    sent = Delivery.objects.get(status=DeliveryStatus.SENT)
    assert sent.lead_id == other.lead_id
    pinned.move_to(NOW + 5 * MIN)
    assert dispatch.delivery_retry_now(delivery=failed) is True
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (DeliveryStatus.PENDING, 0, NOW + 5 * MIN)
    assert failed.updated_at == NOW + 5 * MIN
    assert dispatch.delivery_retry_now(delivery=sent) is False  # a sent message is never sent again
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT


def test_send_now_sends_only_the_delivery_asked_for(pinned):
    overdue()
    overdue()
    dispatch.deliveries_materialise(now=NOW)
    second = Delivery.objects.order_by("id").last()
    assert dispatch.delivery_send_now(delivery_id=second.pk) == "sent"
    assert list(Delivery.objects.order_by("id").values_list("status", flat=True)) == [
        DeliveryStatus.PENDING,
        DeliveryStatus.SENT,
    ]
    assert dispatch.delivery_send_now(delivery_id=second.pk) is None
    assert len(mail.outbox) == 1


def _queries(func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func()
    # INSERTs are left out: on SQLite bulk_create splits a batch at Django's
    # 999-parameter cap, so their number follows the rows, not one per row.
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT"))


def test_a_claim_and_a_materialisation_cost_the_same_queries_whatever_the_backlog(pinned, monkeypatch):
    """Queries flat in the backlog: the claim reads a batch from its index, the
    sources' rows are inserted MATERIALISE_BATCH at a time."""
    monkeypatch.setattr(dispatch, "MATERIALISE_BATCH", 50)
    person = SalespersonFactory(email="flat@centre.example")
    for _ in range(3):
        overdue(salesperson=person)
    small = _queries(lambda: dispatch.deliveries_materialise(now=NOW))
    claim_small = _queries(lambda: dispatch.deliveries_claim(now=NOW, limit=2))
    Delivery.objects.all().delete()
    for _ in range(37):
        overdue(salesperson=person)
    large = _queries(lambda: dispatch.deliveries_materialise(now=NOW))
    claim_large = _queries(lambda: dispatch.deliveries_claim(now=NOW, limit=2))
    assert (large, claim_large) == (small, claim_small)
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).count() == 2


@pytest.mark.postgres
def test_the_claim_reads_due_rows_in_order_from_its_partial_index_without_sorting(pinned):
    """What keeps a claim flat at 180,000 due: no sort of the backlog."""
    from django.db import connection

    overdue(salesperson=SalespersonFactory(email="plan@centre.example"))
    dispatch.deliveries_materialise(now=NOW)
    with connection.cursor() as cursor:
        # A tiny table would be scanned, or read on any status index and sorted:
        # both cost nothing at this size. Ruling them out asks the real question,
        # whether an index returns the due rows already in the claim's order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    due = (
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(dispatch._due(NOW))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:25]
    )
    plan = due.explain()
    assert "delivery_due" in plan and "Sort" not in plan, plan
