"""Trial reminders through the dispatcher: who gets what, when, and what is
skipped as no longer useful."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from reminders.dispatch import reminders_dispatch_due
from reminders.models import Delivery, DeliveryKind, DeliveryStatus
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.reminders.conftest import telegram_calls
from tests.trials.factories import book, group_meeting_on
from trials import reminders as trial_reminders
from trials import services
from trials.models import ReminderState, TrialReminder

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
BOOKED = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
FRIDAY = datetime.date(2026, 11, 27)
START = datetime.datetime(2026, 11, 27, 16, 0, tzinfo=TZ)
MIN = datetime.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(BOOKED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def seller():
    return SalespersonFactory(email="malika@centre.example", telegram_chat_id="9001")


@pytest.fixture
def trial(clock, seller):
    lead = LeadFactory(assigned_to=seller, full_name="Kamila Yusupova", telegram_chat_id="4242")
    group = group_meeting_on(FRIDAY, name="IELTS Evening")
    return book(lead=lead, group=group, date=FRIDAY, by=seller)


def kinds_sent():
    return sorted(Delivery.objects.filter(status="sent").values_list("kind", "channel"))


def test_nothing_goes_out_before_two_hours_before_the_start(trial, clock, telegram):
    clock.move_to(START - 2 * 60 * MIN - MIN)
    assert reminders_dispatch_due().sent == 0


def test_pre_trial_reminder_goes_to_the_lead_by_telegram_and_to_the_salesperson(trial, clock, telegram):
    clock.move_to(START - 2 * 60 * MIN)
    assert reminders_dispatch_due().as_dict() == {"sent": 3, "skipped": 0, "failed": 0}
    assert kinds_sent() == [
        (DeliveryKind.TRIAL_PRE_LEAD, "telegram"),
        (DeliveryKind.TRIAL_PRE_SALES, "email"),
        (DeliveryKind.TRIAL_PRE_SALES, "telegram"),
    ]
    to_lead = [c for c in telegram_calls(telegram) if c["chat_id"] == "4242"]
    assert len(to_lead) == 1
    assert "Hello, Kamila!" in to_lead[0]["text"] and "on 27.11 at 16:00" in to_lead[0]["text"]
    assert "Call to confirm" in mail.outbox[0].body and f"/admin/trials/trial/{trial.pk}/change/" in mail.outbox[0].body
    reminder = TrialReminder.objects.get(trial=trial)
    assert (
        reminder.pre_trial_reminder_status == ReminderState.SENT
        and reminder.pre_trial_reminder_sent_at == START - 2 * 60 * MIN
    )
    assert reminder.post_trial_reminder_status == ReminderState.PENDING
    assert reminders_dispatch_due().sent == 0


def test_lead_without_telegram_gets_nothing_but_the_salesperson_is_reminded(clock, seller, telegram):
    lead = LeadFactory(assigned_to=seller)
    book(lead=lead, group=group_meeting_on(FRIDAY), date=FRIDAY, by=seller)
    seller.telegram_chat_id = ""
    seller.save()
    clock.move_to(START - 60 * MIN)
    assert reminders_dispatch_due().sent == 1
    assert kinds_sent() == [(DeliveryKind.TRIAL_PRE_SALES, "email")]


def test_post_trial_reminder_asks_the_salesperson_for_attendance_and_the_offer(trial, clock, telegram):
    clock.move_to(START - 2 * 60 * MIN)
    reminders_dispatch_due()
    mail.outbox.clear()
    clock.move_to(START + 90 * MIN + 2 * MIN)  # the lesson ends at 17:30; due at 17:33
    assert reminders_dispatch_due().sent == 0
    clock.move_to(START + 90 * MIN + 3 * MIN)
    assert reminders_dispatch_due().sent == 2
    assert "record attendance and make the offer" in mail.outbox[0].subject
    assert TrialReminder.objects.get(trial=trial).post_trial_reminder_status == ReminderState.SENT


def test_post_trial_reminder_skipped_once_the_result_is_recorded(trial, clock, seller):
    clock.move_to(START + 10 * MIN)
    services.trial_mark_attended(trial=trial, by=seller)
    services.trial_record_result(trial=trial, result="sales_offer", by=seller)
    clock.move_to(START + 2 * 60 * MIN)
    result = reminders_dispatch_due()
    # the pre-trial ones (lead + 2 salesperson channels) are stale, the post-trial ones useless
    assert result.as_dict() == {"sent": 0, "skipped": 5, "failed": 0}
    post = Delivery.objects.filter(kind=DeliveryKind.TRIAL_POST_SALES)
    assert set(post.values_list("skip_reason", flat=True)) == {trial_reminders.RESULT_RECORDED}
    assert TrialReminder.objects.get(trial=trial).post_trial_reminder_status == ReminderState.SKIPPED


def test_worker_down_for_an_hour_catches_up_and_skips_what_is_stale(trial, clock, seller, telegram):
    """Pre-trial due 14:00, trial at 16:00. The worker is down 15:30–16:40:
    the pre-trial reminders were due but the trial has started — skipped, not
    sent late. A follow-up due at 16:00 is still useful — sent."""
    from tests.reminders.factories import LeadReminderFactory

    clock.move_to(START - 2 * 60 * MIN - 5 * MIN)
    reminders_dispatch_due()  # 13:55: nothing due yet
    other = LeadFactory(assigned_to=None)
    followup = LeadReminderFactory(lead=other, salesperson=seller, due_at=START, next_notify_at=START)
    with time_machine.travel(START + 40 * MIN, tick=False):
        result = reminders_dispatch_due()
    assert result.as_dict() == {"sent": 2, "skipped": 3, "failed": 0}
    pre = Delivery.objects.filter(kind__startswith="trial_pre")
    assert set(pre.values_list("status", "skip_reason")) == {("skipped", trial_reminders.STARTED)}
    assert TrialReminder.objects.get(trial=trial).pre_trial_reminder_status == ReminderState.SKIPPED
    followup.refresh_from_db()
    assert followup.reminder_count == 1


def test_cancelled_trial_sends_nothing_and_queued_deliveries_are_skipped(trial, clock, seller):
    from reminders.dispatch import deliveries_materialise

    clock.move_to(START - 2 * 60 * MIN)
    deliveries_materialise(now=START - 2 * 60 * MIN)
    services.trial_cancel(trial=trial, by=seller)
    assert reminders_dispatch_due().as_dict() == {"sent": 0, "skipped": 3, "failed": 0}
    assert set(Delivery.objects.values_list("skip_reason", flat=True)) == {trial_reminders.CANCELLED}
    clock.move_to(START + 3 * 60 * MIN)
    assert reminders_dispatch_due().as_dict() == {"sent": 0, "skipped": 0, "failed": 0}


def test_rescheduled_trial_is_reminded_for_the_new_time_only(trial, clock, seller, telegram):
    from reminders.dispatch import deliveries_materialise

    clock.move_to(START - 2 * 60 * MIN)
    deliveries_materialise(now=START - 2 * 60 * MIN)  # queued for the old time...
    services.trial_reschedule(trial=trial, date=FRIDAY + datetime.timedelta(days=7), by=seller)
    assert reminders_dispatch_due().as_dict() == {"sent": 0, "skipped": 3, "failed": 0}
    assert set(Delivery.objects.values_list("skip_reason", flat=True)) == {trial_reminders.RESCHEDULED}
    assert TrialReminder.objects.get(trial=trial).pre_trial_reminder_status == ReminderState.PENDING
    clock.move_to(START + datetime.timedelta(days=7) - 2 * 60 * MIN)
    assert reminders_dispatch_due().sent == 3
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, occurrence="20261204T1600").count() == 3


def test_unassigned_lead_reminds_whoever_booked(clock, seller):
    lead = LeadFactory()
    book(lead=lead, group=group_meeting_on(FRIDAY), date=FRIDAY, by=seller)
    clock.move_to(START - 60 * MIN)
    reminders_dispatch_due()
    assert Delivery.objects.filter(kind=DeliveryKind.TRIAL_PRE_SALES, recipient_user=seller).count() == 2


def test_sent_flags_follow_the_status_written_by_the_dispatcher(trial, clock, telegram):
    reminder = TrialReminder.objects.get(trial=trial)
    assert (reminder.pre_trial_reminder_sent, reminder.post_trial_reminder_sent) == (False, False)
    clock.move_to(START - 2 * 60 * MIN)
    reminders_dispatch_due()
    reminder.refresh_from_db()
    assert (reminder.pre_trial_reminder_sent, reminder.post_trial_reminder_sent) == (True, False)
    clock.move_to(START + 90 * MIN + 3 * MIN)
    reminders_dispatch_due()
    reminder.refresh_from_db()
    assert (reminder.pre_trial_reminder_sent, reminder.post_trial_reminder_sent) == (True, True)


def test_sent_flags_are_computed_by_the_database_on_bulk_updates_and_filters(trial, clock, seller):
    """The booleans are generated columns: a queryset update of the status (what
    the dispatcher's bookkeeping does) moves them, and they can be filtered on."""
    other = book(lead=LeadFactory(assigned_to=seller), group=trial.group, date=FRIDAY, by=seller)
    TrialReminder.objects.filter(trial=trial).update(pre_trial_reminder_status=ReminderState.SENT)
    TrialReminder.objects.filter(trial=other).update(post_trial_reminder_status=ReminderState.SENT)
    assert list(TrialReminder.objects.filter(pre_trial_reminder_sent=True).values_list("trial", flat=True)) == [
        trial.pk
    ]
    assert list(TrialReminder.objects.filter(post_trial_reminder_sent=True).values_list("trial", flat=True)) == [
        other.pk
    ]
    TrialReminder.objects.filter(trial=trial).update(pre_trial_reminder_status=ReminderState.SKIPPED)
    assert not TrialReminder.objects.filter(pre_trial_reminder_sent=True).exists()


def test_reschedule_clears_the_sent_flags(trial, clock, seller, telegram):
    clock.move_to(START - 2 * 60 * MIN)
    reminders_dispatch_due()
    assert TrialReminder.objects.get(trial=trial).pre_trial_reminder_sent
    next_friday = FRIDAY + datetime.timedelta(days=7)
    services.trial_reschedule(trial=trial, date=next_friday, by=seller)
    reminder = TrialReminder.objects.get(trial=trial)
    assert (reminder.pre_trial_reminder_status, reminder.pre_trial_reminder_sent) == (ReminderState.PENDING, False)
    assert reminder.pre_trial_reminder_sent_at is None
