"""Trial reminders in a claimed batch: prepared in one go and recorded with one
UPDATE per flag, so a batch's queries do not grow with its size, and the
outcome — sent or skipped and why, subject, text, the TrialReminder's state —
is exactly what the per-row path (``prepare``/``on_sent``) gives."""

import datetime
import itertools
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reminders import dispatch
from reminders.models import Channel, Delivery, DeliveryKind, DeliveryStatus, MessageKind, MessageTemplate
from reminders.sources import ReminderSource
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.reminders.conftest import TELEGRAM_URL
from tests.trials.factories import book, group_meeting_on
from trials import reminders as trial_reminders
from trials import services
from trials.models import ReminderState, Trial, TrialReminder
from trials.reminders import TrialReminderSource

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
BOOKED = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
FRIDAY = datetime.date(2026, 11, 27)
NOW = datetime.datetime(2026, 11, 27, 14, 30, tzinfo=TZ)  # the 16:00 lesson's reminders are due
S = DeliveryStatus
GREETING = {"uz": "Assalomu alaykum", "ru": "Здравствуйте", "en": "Hello"}
chats = itertools.count(5000)


@pytest.fixture
def one_commit_per_batch(monkeypatch):
    """The batch is recorded at its end whatever the machine's speed."""
    monkeypatch.setattr(dispatch, "SETTLE_AFTER_SECONDS", 3600)


def lesson(start: datetime.time, minutes: int, places: int):
    end = (datetime.datetime.combine(FRIDAY, start) + datetime.timedelta(minutes=minutes)).time()
    return group_meeting_on(FRIDAY, start=start, end=end, capacity=places)


def booked(group, by, *, assigned=True, **lead):
    with time_machine.travel(BOOKED, tick=False):
        return book(lead=LeadFactory(assigned_to=by if assigned else None, **lead), group=group, date=FRIDAY, by=by)


def claim_everything_due() -> list[Delivery]:
    dispatch.deliveries_materialise(now=NOW)
    return dispatch.deliveries_claim(now=NOW, limit=1000)


# --- queries flat in the batch's size ------------------------------------------


def due_trials(n: int, seller) -> None:
    """n trials with a reminder due at NOW: every third one's lesson ended at
    11:30 (the reminder after it), the others start at 16:00 (the one before,
    to the lead by Telegram in their language and to the salesperson)."""
    early, late = lesson(datetime.time(10, 0), 90, n + 2), lesson(datetime.time(16, 0), 90, n + 2)
    languages = itertools.cycle(GREETING)
    for i in range(n):
        trial = booked(early if i % 3 == 0 else late, seller, language=next(languages), telegram_chat_id=next(chats))
        if i % 3 == 0:  # its reminder before the lesson went out this morning
            TrialReminder.objects.filter(trial=trial).update(pre_trial_reminder_status=ReminderState.SENT)


def process_queries(batch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        outcomes = dispatch.deliveries_process(deliveries=batch)
    assert outcomes == ["sent"] * len(batch)
    return len(ctx.captured_queries)


def test_a_claimed_batch_of_trial_reminders_costs_the_same_queries_whatever_its_size(telegram, one_commit_per_batch):
    seller = SalespersonFactory(email="batch@centre.example", telegram_chat_id="", language="ru")
    due_trials(3, seller)
    with time_machine.travel(NOW, tick=False):
        small_batch = claim_everything_due()
        small = process_queries(small_batch)
        due_trials(40, seller)
        large_batch = claim_everything_due()
        large = process_queries(large_batch)
    assert (len(small_batch), len(large_batch)) == (5, 66)  # 1 + 2×2, 14 + 26×2
    # Prepared per recipient language, the salesperson's (ru) and the leads'
    # (the centre's default): the trials read twice, the leads' templates once.
    # Recorded in one transaction (here a savepoint in the test's, 2 statements):
    # the deliveries' UPDATE, and the bookkeeping in its own savepoint (2), one
    # UPDATE per flag (before, after the lesson). 10 statements, not a few per message.
    assert small == large == 10
    assert set(TrialReminder.objects.values_list("pre_trial_reminder_status", "post_trial_reminder_status")) == {
        (ReminderState.SENT, ReminderState.PENDING),
        (ReminderState.SENT, ReminderState.SENT),
    }
    assert TrialReminder.objects.filter(post_trial_reminder_status=ReminderState.SENT).count() == 1 + 14
    to_leads = Delivery.objects.filter(kind=DeliveryKind.TRIAL_PRE_LEAD).select_related("lead")
    assert len(to_leads) == 2 + 26
    assert all(d.body.startswith(GREETING[d.lead.language]) for d in to_leads)
    assert {m.subject.split(" ")[0] for m in mail.outbox} == {"Пробный"}  # the salesperson reads Russian
    assert len(mail.outbox) == (1 + 2) + (14 + 26)


# --- the same outcome as row by row ---------------------------------------------


@pytest.fixture
def mixed_batch(eskiz, settings):
    """A claimed batch of every kind of trial reminder and every reason to skip
    one, to leads and salespeople of each language, by Telegram, email and SMS
    (five, so they go through the gateway's batch call)."""
    settings.TELEGRAM_API_URL, settings.TELEGRAM_BOT_TOKEN = "https://telegram.test", "test-token"
    eskiz.add("POST", TELEGRAM_URL, json={"ok": True, "result": {"message_id": 1}})
    # A manager's edit is what goes out; a deleted row falls back to the built-in text.
    MessageTemplate.objects.filter(kind=MessageKind.TRIAL_PRE_LEAD_TELEGRAM, language="uz").update(
        text="Salom, {name}! Sinov darsi {date} {time}, {place}."
    )
    MessageTemplate.objects.filter(kind=MessageKind.TRIAL_PRE_LEAD_SMS, language="ru").delete()
    s_uz = SalespersonFactory(email="uz@centre.example", telegram_chat_id="9101", language="uz")
    s_ru = SalespersonFactory(email="ru@centre.example", telegram_chat_id="", language="ru")
    s_en = SalespersonFactory(email="", telegram_chat_id="9103", language="en")
    at_16 = lesson(datetime.time(16, 0), 90, 20)
    booked(at_16, s_uz, language="uz", full_name="Kamila Yusupova", telegram_chat_id="4201")
    booked(at_16, s_uz, language="ru", full_name="", telegram_chat_id="4202")  # no name: "Здравствуйте!"
    sms_leads = zip(["uz", "ru", "en", "ru", "uz"], [s_ru, s_en, s_uz, s_uz, s_ru], strict=True)
    for i, (language, seller) in enumerate(sms_leads):
        booked(at_16, seller, language=language, phone=f"+99893700000{i}")  # no Telegram: by SMS
    cancelled = booked(at_16, s_ru, language="ru", telegram_chat_id="4203")
    moved = booked(at_16, s_en, language="en", telegram_chat_id="4204")
    gone = booked(at_16, s_ru, language="uz", telegram_chat_id="4205")
    booked(lesson(datetime.time(14, 15), 90, 5), s_uz, language="en", telegram_chat_id="4206")  # started
    ended = {"language": "ru", "telegram_chat_id": next(chats)}
    attended = booked(lesson(datetime.time(13, 0), 60, 5), s_ru, **ended)  # ended 14:00, result to record
    no_show = booked(lesson(datetime.time(12, 0), 90, 5), s_en, **{**ended, "telegram_chat_id": next(chats)})
    offered = booked(lesson(datetime.time(10, 0), 90, 5), s_uz, **{**ended, "telegram_chat_id": next(chats)})
    # Nobody marked it: the reminder after it goes to whoever booked it.
    booked(lesson(datetime.time(11, 0), 90, 5), s_en, assigned=False, telegram_chat_id=next(chats))
    with time_machine.travel(NOW, tick=False):
        dispatch.deliveries_materialise(now=NOW)
        services.trial_cancel(trial=cancelled, by=s_ru)
        services.trial_reschedule(trial=moved, date=FRIDAY + datetime.timedelta(days=7), by=s_en)
        Trial.objects.filter(pk=gone.pk).delete()
        services.trial_mark_attended(trial=attended, by=s_ru)
        services.trial_mark_no_show(trial=no_show, by=s_en)
        services.trial_mark_attended(trial=offered, by=s_uz)
        services.trial_record_result(trial=offered, result="sales_offer", by=s_uz)
        assert len(dispatch.deliveries_claim(now=NOW, limit=1000)) == Delivery.objects.count()
        yield eskiz


class _Undo(Exception):
    pass


def process_and_undo(eskiz):
    """Process the claimed batch, note everything that came of it, roll it back."""
    calls, outbox = len(eskiz.calls), len(mail.outbox)
    try:
        with transaction.atomic():
            batch = list(
                Delivery.objects.filter(status=S.SENDING).select_related("recipient_user").order_by("due_at", "id")
            )
            with CaptureQueriesContext(connection) as queries:
                outcomes = dispatch.deliveries_process(deliveries=batch)
            deliveries = Delivery.objects.order_by("key").values_list(
                "key", "status", "skip_reason", "subject", "body", "gateway_id", "sent_at"
            )
            reminders = TrialReminder.objects.order_by("trial_id").values_list(
                "trial_id",
                "pre_trial_reminder_status",
                "pre_trial_reminder_sent_at",
                "post_trial_reminder_status",
                "post_trial_reminder_sent_at",
            )
            sent = sorted(
                [json.loads(c.request.body) for c in eskiz.calls[calls:] if c.request.url == TELEGRAM_URL],
                key=repr,
            ) + sorted((m.to, m.subject, m.body) for m in mail.outbox[outbox:])
            seen = {
                "outcomes": sorted(zip((d.key for d in batch), outcomes, strict=True)),
                "deliveries": list(deliveries),
                "reminders": list(reminders),
                "sent": sent,
                "sms": [c.request.body for c in eskiz.calls[calls:] if "/sms/" in c.request.url],
            }
            raise _Undo
    except _Undo:
        pass
    assert Delivery.objects.filter(status=S.SENDING).count() == len(batch)  # rolled back
    return seen, len(queries)


def test_a_batch_is_prepared_and_recorded_exactly_as_row_by_row(mixed_batch, monkeypatch, one_commit_per_batch):
    with monkeypatch.context() as per_row:
        per_row.setattr(TrialReminderSource, "prepare_batch", ReminderSource.prepare_batch)
        per_row.setattr(TrialReminderSource, "on_sent_batch", ReminderSource.on_sent_batch)
        expected, per_row_queries = process_and_undo(mixed_batch)
    with time_machine.travel(NOW, tick=False):
        got, batch_queries = process_and_undo(mixed_batch)
    assert got == expected
    assert batch_queries < per_row_queries

    # ... and that outcome is the one the rules call for, not two equal mistakes.
    by_reason = {}
    for key, status, reason, *_ in got["deliveries"]:
        by_reason.setdefault(reason if status == S.SKIPPED else status, set()).add(key.split(":")[0])
    assert by_reason == {
        S.SENT: {DeliveryKind.TRIAL_PRE_LEAD, DeliveryKind.TRIAL_PRE_SALES, DeliveryKind.TRIAL_POST_SALES},
        trial_reminders.CANCELLED: {DeliveryKind.TRIAL_PRE_LEAD, DeliveryKind.TRIAL_PRE_SALES},
        trial_reminders.RESCHEDULED: {DeliveryKind.TRIAL_PRE_LEAD, DeliveryKind.TRIAL_PRE_SALES},
        trial_reminders.GONE: {DeliveryKind.TRIAL_PRE_LEAD, DeliveryKind.TRIAL_PRE_SALES},
        trial_reminders.STARTED: {DeliveryKind.TRIAL_PRE_LEAD, DeliveryKind.TRIAL_PRE_SALES},
        # The status is named in the recipient's language: the leads' rows in the
        # centre's (English in tests), the salespeople's in theirs.
        trial_reminders.NOT_SCHEDULED.format(status="attended"): {DeliveryKind.TRIAL_PRE_LEAD},
        trial_reminders.NOT_SCHEDULED.format(status="пришёл"): {DeliveryKind.TRIAL_PRE_SALES},
        trial_reminders.NOT_SCHEDULED.format(status="keldi"): {DeliveryKind.TRIAL_PRE_SALES},
        trial_reminders.NOT_SCHEDULED.format(status="no-show"): {
            DeliveryKind.TRIAL_PRE_LEAD,
            DeliveryKind.TRIAL_PRE_SALES,
        },
        trial_reminders.NO_SHOW: {DeliveryKind.TRIAL_POST_SALES},
        trial_reminders.RESULT_RECORDED: {DeliveryKind.TRIAL_POST_SALES},
    }
    to_leads = [row for row in got["deliveries"] if row[0].startswith("trial_pre_lead") and row[1] == S.SENT]
    assert sorted(row[0].split(":")[3] for row in to_leads) == [Channel.SMS] * 5 + [Channel.TELEGRAM] * 2
    bodies = {row[4] for row in to_leads}
    assert any(b.startswith("Salom, Kamila! Sinov darsi 27.11 16:00") for b in bodies)
    assert any(b.startswith("Здравствуйте! Ждём вас") and "кабинет" in b for b in bodies)  # the nameless lead
    assert {b.split(" ")[0].strip("!,") for b in bodies} == {"Salom", "Assalomu", "Здравствуйте", "Hello"}
    staff_subjects = {row[3].split(" ")[0] for row in got["deliveries"] if row[1] == S.SENT and row[3]}
    assert staff_subjects == {"Sinov", "Пробный", "Trial"}  # each salesperson in their own language
    assert len(got["sms"]) == 1 and len(json.loads(got["sms"][0])["messages"]) == 5  # one batch call


def test_the_bookkeeping_marks_only_reminders_still_due_at_their_delivery_time():
    """As ``on_sent`` row by row: an SMS brought forward out of quiet hours, or a
    delivery for the time before a reschedule, does not mark the reminder sent."""
    seller = SalespersonFactory(email="flags@centre.example")
    group = lesson(datetime.time(16, 0), 90, 5)
    on_time, early_sms, moved = (booked(group, seller) for _ in range(3))
    reminders = TrialReminder.objects.in_bulk(field_name="trial_id")
    pre = {pk: r.pre_trial_reminder_scheduled_at for pk, r in reminders.items()}
    post = {pk: r.post_trial_reminder_scheduled_at for pk, r in reminders.items()}
    hours = datetime.timedelta(hours=1)
    deliveries = [
        Delivery(kind=DeliveryKind.TRIAL_PRE_LEAD, object_id=on_time.pk, due_at=pre[on_time.pk]),
        Delivery(kind=DeliveryKind.TRIAL_PRE_SALES, object_id=on_time.pk, due_at=pre[on_time.pk]),
        Delivery(kind=DeliveryKind.TRIAL_PRE_LEAD, object_id=early_sms.pk, due_at=pre[early_sms.pk] - 3 * hours),
        Delivery(kind=DeliveryKind.TRIAL_PRE_SALES, object_id=moved.pk, due_at=pre[moved.pk] - 24 * hours),
        Delivery(kind=DeliveryKind.TRIAL_POST_SALES, object_id=moved.pk, due_at=post[moved.pk]),
    ]
    states = TrialReminder.objects.order_by("trial_id").values_list(
        "trial_id", "pre_trial_reminder_status", "pre_trial_reminder_sent_at", "post_trial_reminder_status"
    )
    source, at = trial_reminders.source, NOW
    try:
        with transaction.atomic():
            for delivery in deliveries:
                source.on_sent(delivery=delivery, at=at)
            row_by_row = list(states)
            raise _Undo
    except _Undo:
        pass
    with CaptureQueriesContext(connection) as ctx:
        source.on_sent_batch(deliveries=deliveries, at=at)
    assert len(ctx.captured_queries) == 2  # one UPDATE per flag
    assert (
        list(states)
        == row_by_row
        == [
            (on_time.pk, ReminderState.SENT, NOW, ReminderState.PENDING),
            (early_sms.pk, ReminderState.PENDING, None, ReminderState.PENDING),
            (moved.pk, ReminderState.PENDING, None, ReminderState.SENT),
        ]
    )
