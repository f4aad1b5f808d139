"""The SMS channel: who may get one, when, how many, and what the gateway said.

Sending goes through Eskiz (core/eskiz.py) under the dispatcher's exactly-once
rules (reminders.dispatch); this module holds the rules that are the SMS
channel's own and apply to every source:

- **Consent.** A lead marked ``sms_opt_out`` gets none. Eskiz does not pass
  replies to an alphanumeric sender name back to us, so "STOP" replies cannot be
  read automatically: staff tick the flag when a lead asks.
- **Quiet hours.** No SMS between 21:00 and 08:00 local. A reminder due in them
  is brought forward to 20:45 the evening before (``sms_send_time``); one that
  would still go out in them (booked late, a worker that was down) is skipped
  with the reason.
- **Daily cap.** At most SMS_DAILY_LIMIT SMS per local day; the rest are skipped
  with the reason. Two passes racing at the cap may each send one more.
- **Delivery reports** (``sms_record_report``): Eskiz posts them to our callback
  with the ``request_id`` it answered the send with; only a delivery we sent
  over SMS with that id is updated.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import eskiz
from core.days import day_bounds
from core.gsm import sms_text
from leads.models import Lead
from reminders.models import Channel, Delivery, DeliveryKind, DeliveryStatus
from reminders.templates import message_render

QUIET_FROM = dt.time(21, 0)
QUIET_UNTIL = dt.time(8, 0)
EVENING_SLOT = dt.time(20, 45)  # where a reminder due in quiet hours is moved

OPTED_OUT = _("The lead asked not to receive SMS.")
QUIET_HOURS = _("Quiet hours: no SMS between 21:00 and 08:00.")
DAILY_LIMIT = _("The daily SMS limit (%(limit)s) is reached.")
CHANNEL_OFF = _("SMS is off: ESKIZ_EMAIL, ESKIZ_PASSWORD and ESKIZ_FROM are not set.")
NOT_UZBEK = _("Not an Uzbek phone number (998…); Eskiz sends only to those.")

# Eskiz's final report statuses; anything else (waiting, TRANSMTD, ACCEPTD) is on its way.
DELIVERED = frozenset({"DELIVRD"})
UNDELIVERED = frozenset({"REJECTD", "UNDELIV", "EXPIRED", "DELETED", "UNKNOWN", "FAILED", "ERROR", "REJECTED"})
FINAL = DELIVERED | UNDELIVERED


def sms_enabled() -> bool:
    return eskiz.enabled()


def sms_phone(e164: str) -> str:
    """The digits Eskiz takes (998901234567), or "" for a number outside Uzbekistan."""
    digits = "".join(ch for ch in e164 or "" if ch.isdigit())
    return digits if digits.startswith("998") and len(digits) == 12 else ""


def in_quiet_hours(at: dt.datetime) -> bool:
    local = timezone.localtime(at).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def sms_send_time(at: dt.datetime) -> dt.datetime:
    """When an SMS meant for ``at`` goes out: ``at`` itself, or 20:45 of the
    evening before when ``at`` falls in quiet hours (20:45 the same evening
    when it is after 21:00)."""
    if not in_quiet_hours(at):
        return at
    local = timezone.localtime(at)
    day = local.date() if local.time() >= QUIET_FROM else local.date() - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, EVENING_SLOT), timezone.get_default_timezone())


def sms_sent_today(*, now: dt.datetime) -> int:
    start, end = day_bounds(timezone.localdate(now))
    return Delivery.objects.filter(
        channel=Channel.SMS, status=DeliveryStatus.SENT, sent_at__gte=start, sent_at__lt=end
    ).count()


def sms_skip_reason(*, delivery: Delivery, now: dt.datetime, count_limit: bool = True) -> str | None:
    """Why this SMS must not go out now, or None. Checked just before sending
    (a batch counts the daily limit itself: ``count_limit=False``)."""
    if not sms_enabled():
        return str(CHANNEL_OFF)
    if not sms_phone(delivery.address):
        return str(NOT_UZBEK)
    if delivery.lead_id and Lead.objects.filter(pk=delivery.lead_id, sms_opt_out=True).exists():
        return str(OPTED_OUT)
    if in_quiet_hours(now):
        return str(QUIET_HOURS)
    if count_limit and sms_sent_today(now=now) >= settings.SMS_DAILY_LIMIT:
        return str(DAILY_LIMIT % {"limit": settings.SMS_DAILY_LIMIT})
    return None


def sms_send(*, phone: str, text: str, reference: str = "") -> str:
    """Send ``text`` (GSM-7-safe apostrophes) to ``phone``; returns the gateway id."""
    digits = sms_phone(phone)
    if not digits:
        raise eskiz.EskizError(str(NOT_UZBEK))
    return eskiz.send_sms(phone=digits, text=sms_text(text), user_sms_id=reference)


SAMPLE_CONTEXT = {"name": "Kamila", "course": "IELTS", "time": "16:00", "place": "101"}


def sms_test_send(*, kind: str, language: str, phone: str, by) -> Delivery:
    """A manager's test: the template of ``kind`` in ``language`` with sample
    values, sent now to ``phone`` (E.164) and recorded as a sent delivery, so
    its delivery report arrives like any other. Raises EskizError on failure."""
    now = timezone.now()
    context = {**SAMPLE_CONTEXT, "date": f"{timezone.localdate(now) + dt.timedelta(days=1):%d.%m}"}
    text = message_render(kind=kind, language=language, context=context)
    delivery = Delivery.objects.create(
        key=f"sms_test:{by.pk}:{now:%Y%m%dT%H%M%S.%f}:sms:{phone}"[:200],
        kind=DeliveryKind.SMS_TEST,
        channel=Channel.SMS,
        address=phone,
        recipient_user=None,
        object_id=by.pk,
        occurrence=f"{now:%Y%m%dT%H%M%S}",
        due_at=now,
        status=DeliveryStatus.SENDING,
        attempts=1,
        body=sms_text(text),
    )
    try:
        gateway_id = sms_send(phone=phone, text=text, reference=sms_reference(delivery.pk))
    except eskiz.EskizError as exc:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error=str(exc)[:2000])
        raise
    sent_at = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=sent_at, gateway_id=gateway_id)
    delivery.status, delivery.sent_at, delivery.gateway_id = DeliveryStatus.SENT, sent_at, gateway_id
    return delivery


def sms_send_batch(*, messages: list[tuple[int, str, str]]) -> str:
    """Send many SMS in one gateway call: (delivery id, phone, text) each;
    returns the batch's id. Reports name each message by its reference."""
    batch = []
    for delivery_id, phone, text in messages:
        digits = sms_phone(phone)
        if not digits:
            raise eskiz.EskizError(str(NOT_UZBEK))
        batch.append(eskiz.BatchMessage(user_sms_id=sms_reference(delivery_id), phone=digits, text=sms_text(text)))
    return eskiz.send_batch(messages=batch, dispatch_id=messages[0][0])


def sms_reference(delivery_id: int) -> str:
    """Our id of a delivery in Eskiz's ``user_sms_id``."""
    return f"crm-{delivery_id}"


def sms_record_report(
    *, request_id: str, reference: str = "", status: str, at: dt.datetime, report: dict
) -> Delivery | None:
    """Record a delivery report on the SMS we sent: found by our
    ``user_sms_id`` reference, else by Eskiz's ``request_id`` (the id its send
    answered); None if no SMS of ours matches. A late "on its way" status never
    replaces a final one."""
    sent = Delivery.objects.filter(channel=Channel.SMS).exclude(gateway_id="")
    delivery = None
    # Our reference first: SMS sent in one batch share the batch's gateway id.
    if reference.startswith("crm-") and reference[4:].isdigit():
        delivery = sent.filter(pk=int(reference[4:])).first()
    if delivery is None and request_id:
        delivery = sent.filter(gateway_id=request_id).first()
    if delivery is None:
        return None
    if delivery.gateway_status in FINAL and status not in FINAL:
        return delivery
    Delivery.objects.filter(pk=delivery.pk).update(
        gateway_status=status, gateway_status_at=at, gateway_report=report, updated_at=timezone.now()
    )
    delivery.gateway_status, delivery.gateway_status_at, delivery.gateway_report = status, at, report
    return delivery
