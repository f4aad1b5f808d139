"""Exactly-once under races, on PostgreSQL: two dispatch passes (two beat
schedulers, a retried task, two workers) started at the same moment send,
together, exactly what one pass would."""

import datetime
import threading
import time
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from leads.models import Lead
from leads.services import lead_assign
from reminders import dispatch
from reminders.dispatch import deliveries_claim, deliveries_materialise, reminders_dispatch_due
from reminders.models import Channel, Delivery, DeliveryStatus, LeadReminder
from tests.eskiz_fake import sms_phones
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.reminders.conftest import telegram_calls
from tests.reminders.factories import LeadReminderFactory
from tests.scheduling.factories import ensure_role_groups
from tests.trials.factories import book, group_meeting_on

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _roles():
    ensure_role_groups()  # earlier transaction=True tests flushed them


def run_together(func, n=2):
    """Run ``func`` in ``n`` threads released at the same instant; return results."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait()
            results[i] = func()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.fixture
def due_work(telegram):
    """30 overdue follow-ups (email + Telegram each) and 5 trials whose
    pre-trial reminders are due (lead Telegram + salesperson email + Telegram)."""
    person = SalespersonFactory(email="race@centre.example", telegram_chat_id="1000")
    for i in range(30):
        LeadReminderFactory(
            salesperson=person,
            due_at=NOW - datetime.timedelta(minutes=i + 1),
            next_notify_at=NOW - datetime.timedelta(minutes=i + 1),
        )
    friday = datetime.date(2026, 11, 27)
    group = group_meeting_on(friday, capacity=10)
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        for i in range(5):
            lead = LeadFactory(assigned_to=person, telegram_chat_id=f"20{i}")
            book(lead=lead, group=group, date=friday, by=person)
    return person


def assert_each_sent_once(telegram):
    deliveries = Delivery.objects.all()
    assert deliveries.count() == 30 * 2 + 5 * 3
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    chats = Counter(c["chat_id"] for c in telegram_calls(telegram))
    assert chats["1000"] == 30 + 5 and all(chats[f"20{i}"] == 1 for i in range(5))
    assert len(mail.outbox) == 30 + 5
    assert len({(m.subject, m.body) for m in mail.outbox}) == 35
    assert set(LeadReminder.objects.filter(kind="follow_up").values_list("reminder_count", flat=True)) == {1}


# 14:30 in Tashkent on Friday: the 16:00 trials' pre-trial reminders are due.
DUE = datetime.datetime(2026, 11, 27, 9, 30, tzinfo=datetime.UTC)


def test_two_passes_started_at_once_send_each_message_exactly_once(due_work, telegram):
    with time_machine.travel(DUE, tick=False):
        results = run_together(lambda: reminders_dispatch_due().as_dict())
    assert sum(r["sent"] for r in results) == 30 * 2 + 5 * 3
    assert sum(r["failed"] + r["skipped"] for r in results) == 0
    assert_each_sent_once(telegram)


def test_four_passes_racing_still_send_once(due_work, telegram):
    with time_machine.travel(DUE, tick=False):
        results = run_together(lambda: reminders_dispatch_due().as_dict(), n=4)
    assert sum(r["sent"] for r in results) == 75
    assert_each_sent_once(telegram)


def test_concurrent_materialisation_creates_each_delivery_once(due_work):
    at = DUE
    run_together(lambda: deliveries_materialise(now=at), n=3)
    assert Delivery.objects.count() == 75
    assert Delivery.objects.values("key").distinct().count() == 75


def in_thread(func):
    """Start ``func`` in a thread of its own connection; returns (thread, errors)."""
    errors = []

    def run():
        try:
            func()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.fixture
def quick_lock_timeout():
    """A pass that waits on a lock fails in seconds instead of hanging the test."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


def test_a_handover_under_way_leaves_its_leads_delivery_to_the_next_pass_with_the_new_owner(
    due_work, quick_lock_timeout
):
    """A lead being handed over at the instant of materialising: its deliveries
    are neither waited for (the pass goes on) nor written with the old
    salesperson; the next pass writes them with the new one."""
    reminder = LeadReminder.objects.filter(kind="follow_up").order_by("pk").first()
    new_person = SalespersonFactory(email="new@centre.example", telegram_chat_id="3000")  # two addresses too
    locked, release = threading.Event(), threading.Event()

    def hand_over():
        with transaction.atomic():
            lead_assign(lead=Lead.objects.get(pk=reminder.lead_id), salesperson=new_person)
            locked.set()
            assert release.wait(30)

    handover, errors = in_thread(hand_over)
    try:
        assert locked.wait(30)
        deliveries_materialise(now=DUE)  # returns while the lead is still locked
        assert Delivery.objects.count() == 75 - 2
        assert not Delivery.objects.filter(lead_id=reminder.lead_id).exists()
    finally:
        release.set()
        handover.join(30)
    assert not handover.is_alive() and not errors, errors
    deliveries_materialise(now=DUE)
    assert Delivery.objects.count() == 75
    late = Delivery.objects.filter(kind="followup_overdue", object_id=reminder.pk)
    # The follow-up moved with the lead: its reminder goes to, and is seen by, the new salesperson.
    assert set(late.values_list("recipient_user_id", "lead_owner_id")) == {(new_person.pk, new_person.pk)}


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid = %s", [pid])
        return cursor.fetchone()[0] > 0


def test_a_handover_that_starts_after_the_read_waits_and_moves_the_new_deliveries(due_work, monkeypatch):
    """The other order: the pass has read the owners, then a handover starts. It
    waits for the pass's commit and then moves what the pass wrote."""
    reminder = LeadReminder.objects.filter(kind="follow_up").order_by("pk").first()
    new_person = SalespersonFactory()
    read_owners = dispatch.lead_owners_share_locked
    started = []

    def read_then_let_a_handover_start(lead_ids):
        owners = read_owners(lead_ids)
        if not started:  # the first batch: every lead of this small fixture
            lead, pids = Lead.objects.get(pk=reminder.lead_id), []

            def hand_over():
                pids.append(backend_pid())
                lead_assign(lead=lead, salesperson=new_person)

            started.append(in_thread(hand_over))
            deadline = time.monotonic() + 10
            while not (pids and waits_on_a_lock(pids[0])):  # until the handover waits on this pass's lock
                assert time.monotonic() < deadline, "the handover never waited"
                time.sleep(0.02)
        return owners

    monkeypatch.setattr(dispatch, "lead_owners_share_locked", read_then_let_a_handover_start)
    deliveries_materialise(now=DUE)
    handover, errors = started[0]
    handover.join(30)
    assert not handover.is_alive() and not errors, errors
    assert Delivery.objects.count() == 75
    moved = Delivery.objects.filter(lead_id=reminder.lead_id)
    assert set(moved.values_list("lead_owner_id", flat=True)) == {new_person.pk}


def test_concurrent_claims_never_share_a_row(due_work):
    at = DUE
    deliveries_materialise(now=at)
    results = run_together(lambda: [d.pk for d in deliveries_claim(now=at, limit=50)], n=3)
    claimed = [pk for batch in results for pk in batch]
    assert len(claimed) == len(set(claimed)) == 75


@pytest.fixture
def due_sms(eskiz):
    """10 trials of leads without Telegram: each lead's pre-trial reminder goes by SMS."""
    person = SalespersonFactory(email="sms-race@centre.example", telegram_chat_id="")
    friday = datetime.date(2026, 11, 27)
    group = group_meeting_on(friday, capacity=12)
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        for i in range(10):
            lead = LeadFactory(assigned_to=person, telegram_chat_id="", phone=f"+99890123450{i}")
            book(lead=lead, group=group, date=friday, by=person)
    return person


def test_racing_passes_send_each_sms_exactly_once(due_sms, eskiz):
    with time_machine.travel(DUE, tick=False):
        results = run_together(lambda: reminders_dispatch_due().as_dict(), n=4)
    assert sum(r["sent"] for r in results) == 10 * 2  # the lead's SMS and the salesperson's email
    # Alone or in a batch (a pass that claimed five or more), each phone once.
    assert Counter(sms_phones(eskiz)) == {f"99890123450{i}": 1 for i in range(10)}
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert sms.count() == 10
    assert set(sms.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert "" not in set(sms.values_list("gateway_id", flat=True))
    assert len(mail.outbox) == 10
