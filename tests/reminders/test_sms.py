"""The SMS channel end to end: a trial booked for a lead without Telegram
gets exactly one SMS two hours before, in the lead's language, and its
delivery report is recorded; consent, quiet hours and the daily cap skip with
the reason. Eskiz is faked at the HTTP layer from recorded shapes."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import responses
import time_machine

from leads.models import Lead
from reminders.dispatch import reminders_dispatch_due
from reminders.models import Channel, Delivery, DeliveryKind, DeliveryStatus, MessageKind, MessageTemplate
from reminders.sms import DAILY_LIMIT, OPTED_OUT, QUIET_HOURS
from tests.eskiz_fake import eskiz_shape, sms_batches, sms_calls, sms_phones
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.reminders.conftest import TELEGRAM_URL
from tests.trials.factories import book, group_meeting_on
from trials.models import ReminderState, TrialReminder

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
BOOKED = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
FRIDAY = datetime.date(2026, 11, 27)
START = datetime.datetime(2026, 11, 27, 16, 0, tzinfo=TZ)
MIN = datetime.timedelta(minutes=1)
CALLBACK = "/sms/eskiz/callback-secret/"


@pytest.fixture
def clock():
    with time_machine.travel(BOOKED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def seller():
    return SalespersonFactory(email="malika@centre.example", telegram_chat_id="")


def book_for(lead_kwargs, *, start=datetime.time(16, 0), seller):
    lead = LeadFactory(assigned_to=seller, phone="+998901234567", **lead_kwargs)
    group = group_meeting_on(FRIDAY, start=start, end=(datetime.datetime.combine(FRIDAY, start) + 90 * MIN).time())
    return book(lead=lead, group=group, date=FRIDAY, by=seller)


def sms_deliveries():
    return Delivery.objects.filter(channel=Channel.SMS)


def test_a_trial_for_a_lead_without_telegram_sends_one_sms_two_hours_before_and_records_its_report(
    clock, seller, eskiz, client
):
    trial = book_for({"full_name": "Kamila Yusupova", "language": "uz"}, seller=seller)
    clock.move_to(START - 121 * MIN)
    reminders_dispatch_due()
    assert not sms_calls(eskiz)

    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    reminders_dispatch_due()  # a second beat sends nothing more
    clock.move_to(START - 100 * MIN)
    reminders_dispatch_due()

    [sent] = sms_calls(eskiz)
    assert sent["mobile_phone"] == "998901234567" and sent["from"] == "4546"
    assert "boʻyicha" not in sent["message"] and "bo'yicha sinov darsingiz" in sent["message"]  # GSM-7 apostrophe
    assert "27.11 kuni soat 16:00" in sent["message"]
    delivery = sms_deliveries().get()
    assert (delivery.kind, delivery.status, delivery.gateway_id) == (
        DeliveryKind.TRIAL_PRE_LEAD,
        DeliveryStatus.SENT,
        "4385062",
    )
    assert sent["user_sms_id"] == f"crm-{delivery.pk}"
    assert delivery.body == sent["message"]  # what was sent, GSM-7 apostrophes included
    assert TrialReminder.objects.get(trial=trial).pre_trial_reminder_status == ReminderState.SENT

    report = {**eskiz_shape("callback_delivered"), "user_sms_id": f"crm-{delivery.pk}"}
    response = client.post(CALLBACK, report)
    assert response.status_code == 200, response.content
    delivery.refresh_from_db()
    assert delivery.gateway_status == "DELIVRD"
    assert delivery.gateway_status_at == datetime.datetime(2026, 11, 27, 14, 0, 9, tzinfo=TZ)
    assert delivery.gateway_report["phone_number"] == "998901234567"


def test_a_russian_speaking_lead_gets_the_sms_in_russian(clock, seller, eskiz):
    book_for({"language": "ru"}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    [sent] = sms_calls(eskiz)
    assert sent["message"].startswith("Здравствуйте! Ждём вас на пробном уроке")


def test_an_edited_template_is_what_the_lead_receives(clock, seller, eskiz):
    MessageTemplate.objects.update_or_create(
        kind=MessageKind.TRIAL_PRE_LEAD_SMS, language="en", defaults={"text": "Trial {date} {time}: {course}"}
    )
    trial = book_for({"language": "en"}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert sms_calls(eskiz)[0]["message"] == f"Trial 27.11 16:00: {trial.group.course.name}"


def test_a_lead_with_telegram_gets_no_sms_unless_both_channels_are_wanted(clock, seller, eskiz, settings):
    settings.TELEGRAM_API_URL, settings.TELEGRAM_BOT_TOKEN = "https://telegram.test", "test-token"
    eskiz.add(responses.POST, TELEGRAM_URL, json={"ok": True, "result": {"message_id": 1}})  # one mock for both
    book_for({"telegram_chat_id": "4242"}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert not sms_calls(eskiz)

    settings.SMS_BOTH_CHANNELS = True
    other = LeadFactory(assigned_to=seller, phone="+998901112233", telegram_chat_id="4343")
    with time_machine.travel(BOOKED, tick=False):
        book(lead=other, group=group_meeting_on(FRIDAY), date=FRIDAY, by=seller)
    reminders_dispatch_due()
    assert [c["mobile_phone"] for c in sms_calls(eskiz)] == ["998901112233"]


def test_without_eskiz_credentials_no_sms_delivery_is_created(clock, seller, settings):
    settings.ESKIZ_EMAIL = ""
    book_for({}, seller=seller)
    clock.move_to(START - 120 * MIN)
    with responses.RequestsMock():  # any HTTP call would fail the test
        reminders_dispatch_due()
    assert not sms_deliveries().exists()


def test_an_opted_out_lead_is_skipped_with_the_reason(clock, seller, eskiz):
    trial = book_for({"sms_opt_out": True}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert not sms_calls(eskiz)
    delivery = sms_deliveries().get()
    assert (delivery.status, delivery.skip_reason) == (DeliveryStatus.SKIPPED, str(OPTED_OUT))
    # The channel's refusal is not the reminder's: the salesperson's message still counts.
    assert TrialReminder.objects.get(trial=trial).pre_trial_reminder_status == ReminderState.SENT


def test_a_reminder_due_in_quiet_hours_goes_out_at_20_45_the_evening_before(clock, seller, eskiz):
    book_for({}, start=datetime.time(9, 0), seller=seller)  # reminder due 07:00 Friday
    clock.move_to(datetime.datetime(2026, 11, 26, 20, 44, tzinfo=TZ))
    reminders_dispatch_due()
    assert not sms_calls(eskiz)
    clock.move_to(datetime.datetime(2026, 11, 26, 20, 45, tzinfo=TZ))
    reminders_dispatch_due()
    assert len(sms_calls(eskiz)) == 1
    clock.move_to(datetime.datetime(2026, 11, 27, 7, 0, tzinfo=TZ))
    reminders_dispatch_due()  # the salesperson's reminder at 07:00; no second SMS
    assert len(sms_calls(eskiz)) == 1
    assert sms_deliveries().get().due_at == datetime.datetime(2026, 11, 26, 20, 45, tzinfo=TZ)


def test_a_reminder_that_would_still_fall_in_quiet_hours_is_skipped_with_the_reason(seller, eskiz):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 23, 0, tzinfo=TZ), tick=False):
        book_for({}, start=datetime.time(9, 0), seller=seller)
        reminders_dispatch_due()
    assert not sms_calls(eskiz)
    delivery = sms_deliveries().get()
    assert (delivery.status, delivery.skip_reason) == (DeliveryStatus.SKIPPED, str(QUIET_HOURS))


def test_the_daily_limit_skips_what_is_over_it(clock, seller, eskiz, settings):
    settings.SMS_DAILY_LIMIT = 1
    book_for({}, seller=seller)
    other = LeadFactory(assigned_to=seller, phone="+998901112233")
    with time_machine.travel(BOOKED, tick=False):
        book(lead=other, group=group_meeting_on(FRIDAY), date=FRIDAY, by=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert len(sms_calls(eskiz)) == 1
    statuses = sorted(sms_deliveries().values_list("status", "skip_reason"))
    assert statuses == [
        (DeliveryStatus.SENT, ""),
        (DeliveryStatus.SKIPPED, str(DAILY_LIMIT % {"limit": 1})),
    ]


def test_a_gateway_error_is_retried_like_any_channel(clock, seller, eskiz):
    eskiz.replace(responses.POST, "https://eskiz.test/api/message/sms/send", json={"message": "down"}, status=500)
    book_for({}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    delivery = sms_deliveries().get()
    assert delivery.status == DeliveryStatus.FAILED and "HTTP 500" in delivery.last_error
    eskiz.replace(responses.POST, "https://eskiz.test/api/message/sms/send", json=eskiz_shape("send"))
    clock.move_to(delivery.next_attempt_at)
    reminders_dispatch_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.gateway_id == "4385062"


# --- the callback -----------------------------------------------------------------


@pytest.fixture
def sent_sms(clock, seller, eskiz):
    book_for({}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    return sms_deliveries().get()


def test_the_callback_needs_the_secret(sent_sms, client, settings):
    assert client.post("/sms/eskiz/wrong/", eskiz_shape("callback_delivered")).status_code == 404
    settings.ESKIZ_CALLBACK_SECRET = ""
    assert client.post(CALLBACK, eskiz_shape("callback_delivered")).status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"request_id": "4385062"}', "application/json"),
        (b'{"request_id": "4385062", "status": "<script>"}', "application/json"),
        (b'{"request_id": "../../etc", "status": "DELIVRD"}', "application/json"),
        (b"\xff\xfe", "application/x-www-form-urlencoded"),
        (b"status=DELIVRD", "text/plain"),
    ],
)
def test_bad_reports_are_400_and_change_nothing(sent_sms, client, body, content_type):
    response = client.post(CALLBACK, body, content_type=content_type)
    assert response.status_code == 400
    sent_sms.refresh_from_db()
    assert sent_sms.gateway_status == ""


def test_a_report_for_an_sms_we_did_not_send_is_refused(sent_sms, client):
    report = {**eskiz_shape("callback_delivered"), "request_id": "999", "user_sms_id": "crm-999999"}
    assert client.post(CALLBACK, report).status_code == 400


def test_a_late_interim_status_does_not_replace_the_final_one(sent_sms, client):
    client.post(CALLBACK, eskiz_shape("callback_delivered"), content_type="application/json")
    late = {**eskiz_shape("callback_delivered"), "status": "TRANSMTD"}
    assert client.post(CALLBACK, late, content_type="application/json").status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.gateway_status == "DELIVRD"


# --- many due at once: the batch endpoint -------------------------------------------


def many_trials(seller, n, **lead_kwargs):
    group = group_meeting_on(FRIDAY, capacity=n + 2)
    with time_machine.travel(BOOKED, tick=False):
        for i in range(n):
            lead = LeadFactory(assigned_to=seller, phone=f"+99890700000{i}", **lead_kwargs)
            book(lead=lead, group=group, date=FRIDAY, by=seller)


def test_many_due_sms_go_in_one_batch_call_and_each_report_finds_its_message(clock, seller, eskiz, client):
    many_trials(seller, 6, language="ru")
    clock.move_to(START - 120 * MIN)
    assert reminders_dispatch_due().sent == 12  # six SMS and six emails to the salesperson
    assert not sms_calls(eskiz)
    [batch] = sms_batches(eskiz)
    assert sorted(m["to"] for m in batch["messages"]) == [f"99890700000{i}" for i in range(6)]
    assert all(m["text"].startswith("Здравствуйте!") for m in batch["messages"])
    batch_id = eskiz_shape("send_batch")["id"]
    assert set(sms_deliveries().values_list("status", "gateway_id")) == {(DeliveryStatus.SENT, batch_id)}

    one = sms_deliveries().order_by("pk").last()
    report = {**eskiz_shape("callback_delivered"), "request_id": batch_id, "user_sms_id": f"crm-{one.pk}"}
    assert client.post(CALLBACK, report).status_code == 200
    assert list(sms_deliveries().exclude(gateway_status="").values_list("pk", flat=True)) == [one.pk]


def test_a_failed_batch_call_retries_every_message_in_it(clock, seller, eskiz):
    eskiz.replace(responses.POST, "https://eskiz.test/api/message/sms/send-batch", json={"message": "x"}, status=502)
    many_trials(seller, 5)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert set(sms_deliveries().values_list("status", "attempts")) == {(DeliveryStatus.FAILED, 1)}
    assert all(d.next_attempt_at for d in sms_deliveries())


def test_the_daily_limit_holds_inside_a_batch(clock, seller, eskiz, settings):
    settings.SMS_DAILY_LIMIT = 5
    many_trials(seller, 7)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert len(sms_phones(eskiz)) == 5
    assert sms_deliveries().filter(status=DeliveryStatus.SKIPPED).count() == 2


def test_an_opted_out_lead_in_a_batch_is_skipped_and_the_rest_sent(clock, seller, eskiz):
    many_trials(seller, 5)
    Lead.objects.filter(phone="+998907000003").update(sms_opt_out=True)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert sorted(sms_phones(eskiz)) == [f"99890700000{i}" for i in (0, 1, 2, 4)]
    assert sms_deliveries().get(status=DeliveryStatus.SKIPPED).skip_reason == str(OPTED_OUT)


@pytest.mark.parametrize(
    ("language", "sms_start", "telegram_start"),
    [
        ("uz", "Assalomu alaykum! 27.11 kuni soat 16:00 da", "Assalomu alaykum, Kamila! 27.11 kuni soat 16:00 da"),
        ("ru", "Здравствуйте! Ждём вас на пробном уроке", "Здравствуйте, Kamila! Ждём вас на пробном уроке"),
        ("en", "Hello! Your trial", "Hello, Kamila! We look forward"),
    ],
)
def test_the_reminder_is_rendered_in_each_language_on_both_channels(
    clock, seller, eskiz, settings, language, sms_start, telegram_start
):
    settings.TELEGRAM_API_URL, settings.TELEGRAM_BOT_TOKEN = "https://telegram.test", "test-token"
    settings.SMS_BOTH_CHANNELS = True
    eskiz.add(responses.POST, TELEGRAM_URL, json={"ok": True, "result": {"message_id": 1}})
    book_for({"full_name": "Kamila Yusupova", "language": language, "telegram_chat_id": "4242"}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    assert sms_calls(eskiz)[0]["message"].startswith(sms_start)
    [telegram] = [json.loads(c.request.body) for c in eskiz.calls if c.request.url == TELEGRAM_URL]
    assert telegram["chat_id"] == "4242" and telegram["text"].startswith(telegram_start)


def test_a_deleted_template_falls_back_to_the_built_in_text_of_its_language(clock, seller, eskiz, settings):
    settings.LANGUAGE_CODE = "ru"
    MessageTemplate.objects.filter(kind=MessageKind.TRIAL_PRE_LEAD_SMS, language="uz").delete()
    book_for({"language": "uz"}, seller=seller)
    clock.move_to(START - 120 * MIN)
    reminders_dispatch_due()
    # The built-in Uzbek text stands in for the deleted row.
    assert sms_calls(eskiz)[0]["message"].startswith("Assalomu alaykum!")


def test_a_malformed_multipart_report_is_400_not_500(sent_sms, client):
    response = client.generic("POST", CALLBACK, b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")
    assert response.status_code == 400


def test_a_multipart_report_is_recorded(sent_sms, client):
    report = {**eskiz_shape("callback_delivered"), "user_sms_id": f"crm-{sent_sms.pk}"}
    response = client.post(CALLBACK, report)  # the test client's default: multipart
    assert response.status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.gateway_status == "DELIVRD"
