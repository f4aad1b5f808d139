"""A claimed batch is prepared, sent and recorded together: its queries do not
grow with its size, a failing row or hook fails alone, what was sent is
recorded even when the batch is cut short, and a backlog of quick sends is
claimed in larger batches."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reminders import dispatch, followups
from reminders.dispatch import reminders_dispatch_due
from reminders.models import Delivery, DeliveryStatus, LeadReminder
from tests.factories import SalespersonFactory
from tests.reminders.factories import LeadReminderFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
S = DeliveryStatus


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def overdue(n, person):
    due = NOW - datetime.timedelta(minutes=5)
    return [LeadReminderFactory(salesperson=person, due_at=due, next_notify_at=due) for _ in range(n)]


def claimed(n, person):
    """n overdue follow-ups (email only), materialised and claimed in one batch."""
    overdue(n, person)
    dispatch.deliveries_materialise(now=NOW)
    batch = dispatch.deliveries_claim(now=NOW, limit=n)
    assert len(batch) == n
    return batch


def process_queries(batch):
    with CaptureQueriesContext(connection) as ctx:
        outcomes = dispatch.deliveries_process(deliveries=batch)
    assert outcomes == ["sent"] * len(batch)
    return len(ctx.captured_queries)


def test_a_claimed_batch_costs_the_same_queries_whatever_its_size(pinned, monkeypatch):
    # Recorded once per batch however slow the machine is (the wall clock, not
    # the pinned one, decides when a long batch records early).
    monkeypatch.setattr(dispatch, "SETTLE_AFTER_SECONDS", 3600)
    person = SalespersonFactory(email="batch@centre.example", language="ru")
    small = process_queries(claimed(3, person))
    large = process_queries(claimed(40, person))
    # The follow-ups read, the outcomes written, the follow-ups' bookkeeping
    # (one transaction, here a savepoint inside the test's, and the hook's own
    # savepoint): 7 statements, not a few per message.
    assert small == large == 7
    assert Delivery.objects.filter(status=S.SENT).count() == 43
    assert set(LeadReminder.objects.values_list("reminder_count", flat=True)) == {1}
    assert len(mail.outbox) == 43


def test_one_row_that_cannot_be_prepared_fails_alone(pinned, monkeypatch):
    person = SalespersonFactory(email="prepare@centre.example")
    batch = claimed(4, person)
    bad = batch[2]
    message = followups.source._message

    def broken(delivery, reminder, now):
        if delivery.pk == bad.pk:
            raise RuntimeError("broken follow-up")
        return message(delivery, reminder, now)

    monkeypatch.setattr(followups.source, "_message", broken)
    outcomes = dispatch.deliveries_process(deliveries=batch)
    assert sorted(outcomes) == ["failed", "sent", "sent", "sent"]
    bad.refresh_from_db()
    assert (bad.status, bad.last_error) == (S.FAILED, "RuntimeError: broken follow-up")
    assert bad.next_attempt_at is not None  # retried like any failure
    assert len(mail.outbox) == 3


def test_a_failing_batch_bookkeeping_is_done_row_by_row_and_the_sends_stay_recorded(pinned, monkeypatch):
    person = SalespersonFactory(email="hook@centre.example")
    batch = claimed(3, person)
    on_sent_batch = followups.FollowUpSource.on_sent_batch
    calls = []

    def on_sent_batch_once(self, *, deliveries, at):
        calls.append(len(deliveries))
        if len(deliveries) > 1:
            raise RuntimeError("set-wise update failed")
        on_sent_batch(self, deliveries=deliveries, at=at)

    monkeypatch.setattr(followups.FollowUpSource, "on_sent_batch", on_sent_batch_once)
    assert dispatch.deliveries_process(deliveries=batch) == ["sent"] * 3
    assert calls == [3, 1, 1, 1]  # the batch, rolled back, then each on its own
    assert set(Delivery.objects.values_list("status", flat=True)) == {S.SENT}
    assert set(LeadReminder.objects.values_list("reminder_count", flat=True)) == {1}


def test_what_was_sent_before_a_batch_is_cut_short_is_recorded_and_the_rest_stays_claimed(pinned, monkeypatch):
    """The crash window: a batch's sends are recorded together, so anything
    that stops the batch (here an exception no handler catches) must not lose
    the record of what already went out; the rest is reclaimed after the timeout."""
    person = SalespersonFactory(email="crash@centre.example")
    batch = claimed(5, person)
    send = dispatch.channel_send
    sent = []

    def send_then_die(**kwargs):
        if len(sent) == 2:
            raise KeyboardInterrupt  # the worker is stopped mid-batch
        sent.append(kwargs["address"])
        return send(**kwargs)

    monkeypatch.setattr(dispatch, "channel_send", send_then_die)
    with pytest.raises(KeyboardInterrupt):
        dispatch.deliveries_process(deliveries=batch)
    statuses = list(Delivery.objects.order_by("due_at", "id").values_list("status", flat=True))
    assert statuses == [S.SENT, S.SENT, S.SENDING, S.SENDING, S.SENDING]
    assert len(mail.outbox) == 2
    assert set(LeadReminder.objects.values_list("reminder_count", flat=True)) == {0, 1}


def test_a_send_waits_at_most_settle_after_seconds_to_be_recorded(pinned, monkeypatch):
    """Slow channels: with the limit at zero, each send is recorded before the
    next one goes out, as before batching."""
    monkeypatch.setattr(dispatch, "SETTLE_AFTER_SECONDS", 0)
    person = SalespersonFactory(email="slow@centre.example")
    batch = claimed(3, person)
    send = dispatch.channel_send
    recorded_before_each_send = []

    def send_and_look(**kwargs):
        recorded_before_each_send.append(Delivery.objects.filter(status=S.SENT).count())
        return send(**kwargs)

    monkeypatch.setattr(dispatch, "channel_send", send_and_look)
    assert dispatch.deliveries_process(deliveries=batch) == ["sent"] * 3
    assert recorded_before_each_send == [0, 1, 2]


def test_a_batch_records_nothing_for_a_row_another_pass_reclaimed(pinned, settings):
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 60
    person = SalespersonFactory(email="stale@centre.example")
    batch = claimed(3, person)
    later = NOW + datetime.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        [taken] = dispatch.deliveries_claim(now=later, limit=1)  # our claim went stale
        outcomes = dispatch.deliveries_process(deliveries=batch)
    assert outcomes == ["sent"] * 3  # sent (the duplicate the timeout trades for never losing one) ...
    new_token = taken.claim_token
    taken.refresh_from_db()
    assert (taken.status, taken.claim_token) == (S.SENDING, new_token)  # ... but not recorded over the new claim
    assert Delivery.objects.filter(status=S.SENT).count() == 2


def test_a_backlog_of_quick_sends_is_claimed_in_growing_batches(pinned, monkeypatch):
    monkeypatch.setattr(dispatch, "CLAIM_BATCH", 2)
    monkeypatch.setattr(dispatch, "CLAIM_BATCH_MAX", 8)
    overdue(20, SalespersonFactory(email="grow@centre.example"))
    claim = dispatch.deliveries_claim
    sizes = []

    def counted(**kwargs):
        rows = claim(**kwargs)
        sizes.append(len(rows))
        return rows

    monkeypatch.setattr(dispatch, "deliveries_claim", counted)
    assert reminders_dispatch_due().sent == 20
    assert sizes == [2, 4, 8, 6, 0]
    assert len(mail.outbox) == 20


@pytest.mark.parametrize(
    ("limit", "claimed", "took", "expected"),
    [
        (25, 25, 0.1, 50),  # a full, quick batch: claim more
        (200, 200, 0.1, 200),  # up to CLAIM_BATCH_MAX
        (50, 30, 0.1, 50),  # the backlog is drained: no growth
        (50, 50, 0.7, 50),  # quick enough, not quick enough to grow
        (100, 100, 1.5, 50),  # slow sends: smaller batches, shared with other passes
        (25, 25, 9.0, 25),  # never below CLAIM_BATCH
    ],
)
def test_the_next_claim_grows_with_quick_full_batches_and_shrinks_with_slow_ones(limit, claimed, took, expected):
    assert dispatch.next_claim_size(limit=limit, claimed=claimed, took=took) == expected
