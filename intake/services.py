"""Writes of the intake stream: store what arrived, then turn it into leads.

Storing happens in the request's transaction, before any processing, so a bug
or a crash later loses nothing. Processing claims the event row (row lock that
skips rows another worker holds, plus a conditional status update) and writes
the lead and the event's result in one transaction, so a redelivered task or two
workers at once produce one lead and one history entry.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import telegram
from core.tasks import enqueue, enqueue_on_commit
from intake.channels import module_for
from intake.channels.base import Ignore, Incoming, Inquiry, TransientError, Unprocessable
from intake.models import (
    OPEN_STATUSES,
    IntakeChannel,
    IntakeEvent,
    IntakeOutcome,
    IntakeRejection,
    IntakeStatus,
    ReplyStatus,
)
from leads import services as lead_services
from leads.models import LeadInquiry

logger = logging.getLogger(__name__)

# Rejection reasons counted per channel and day.
REJECT_FORBIDDEN = "forbidden"
REJECT_INVALID = "invalid"
REJECT_THROTTLED = "throttled"
REJECT_HONEYPOT = "honeypot"

REQUEUE_BATCH = 500


@dataclass(frozen=True)
class Stored:
    event: IntakeEvent
    created: bool


@dataclass
class RunResult:
    event_id: int
    status: str  # an IntakeStatus, or "skipped" when another worker has it or it is done
    outcome: str = ""
    error: str = ""
    retry: bool = False  # a dependency failed; worth trying again later
    reply_status: str = ""


@dataclass
class Summary:
    processed: int = 0
    created: int = 0
    repeats: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)

    def add(self, result: RunResult) -> None:
        if result.status in (IntakeStatus.PROCESSED, IntakeStatus.IGNORED):
            self.processed += 1
            self.created += result.outcome == IntakeOutcome.CREATED
            self.repeats += result.outcome == IntakeOutcome.REPEAT
        elif result.status == IntakeStatus.FAILED:
            self.failed += 1
            self.errors.append((result.event_id, result.error))

    def as_dict(self) -> dict:
        return {"processed": self.processed, "created": self.created, "repeats": self.repeats, "failed": self.failed}


# --- receiving ------------------------------------------------------------------


def intake_events_store(
    *, channel: str, incoming: list[Incoming], headers: dict, body: str, received_at=None, enqueue: bool = True
) -> list[Stored]:
    """Store each incoming item once (unique by channel + external id) and queue
    its processing after commit (``enqueue=False``: the caller processes it, as
    the demo seeder does). A redelivered item returns the stored event."""
    received_at = received_at or timezone.now()
    results = []
    with transaction.atomic():
        for item in incoming:
            try:
                with transaction.atomic():
                    event = IntakeEvent.objects.create(
                        channel=channel,
                        external_id=item.external_id,
                        platform=item.platform,
                        received_at=received_at,
                        headers=headers,
                        body=body,
                        payload=item.payload,
                    )
            except IntegrityError:
                event = IntakeEvent.objects.get(channel=channel, external_id=item.external_id)
                results.append(Stored(event=event, created=False))
                continue
            results.append(Stored(event=event, created=True))
            if enqueue:
                # The event is committed either way; if the broker is down the
                # beat safety net (intake_events_requeue_stale) queues it later.
                _enqueue_processing_on_commit(event.pk)
    return results


def _enqueue_processing_on_commit(event_id: int) -> None:
    from intake.tasks import process_intake_event

    enqueue_on_commit(process_intake_event, event_id)


def enqueue_processing(event_id: int) -> bool:
    """Queue the processing of one stored event; False when the broker is unreachable."""
    from intake.tasks import process_intake_event

    return enqueue(process_intake_event, event_id)


def intake_rejection_record(*, channel: str, reason: str, at=None) -> None:
    """Count a refused request (nothing of it is stored). Race-safe upsert."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    filters = {"channel": channel, "reason": reason, "day": day}
    with transaction.atomic():
        if IntakeRejection.objects.filter(**filters).update(count=F("count") + 1, last_at=at):
            return
        try:
            with transaction.atomic():
                IntakeRejection.objects.create(**filters, count=1, last_at=at)
        except IntegrityError:
            IntakeRejection.objects.filter(**filters).update(count=F("count") + 1, last_at=at)


# --- processing -----------------------------------------------------------------


def intake_event_run(*, event_id: int) -> RunResult:
    """Process the event if it is still open, then send its reply if one is due.
    The one entry point for the Celery task, the command and the admin action."""
    result = intake_event_process(event_id=event_id)
    reply = intake_event_send_reply(event_id=event_id)
    result.reply_status = reply.status
    result.retry = result.retry or reply.retry
    return result


def intake_event_process(*, event_id: int) -> RunResult:
    event = IntakeEvent.objects.filter(pk=event_id).first()
    if event is None or event.status not in OPEN_STATUSES:
        return RunResult(event_id=event_id, status="skipped")
    channel = module_for(event.channel)

    # Fetch what the event only points to (Graph API) outside the transaction,
    # so no row lock is held across an HTTP call.
    if getattr(channel, "needs_fetch", None) and channel.needs_fetch(event):
        try:
            fetched = channel.prepare(event)
        except TransientError as exc:
            return _fail(event_id, str(exc), retry=True)
        except Unprocessable as exc:
            return _fail(event_id, str(exc))
        event.fetched = fetched
        platform = channel.platform_of(event) if hasattr(channel, "platform_of") else event.platform
        IntakeEvent.objects.filter(pk=event_id, status__in=OPEN_STATUSES).update(fetched=fetched, platform=platform)

    with transaction.atomic():
        locked = (
            IntakeEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, status__in=OPEN_STATUSES)
            .first()
        )
        # The conditional update is the claim on databases without row locks (SQLite).
        if locked is None or not IntakeEvent.objects.filter(pk=event_id, status__in=OPEN_STATUSES).update(
            attempts=F("attempts") + 1
        ):
            return RunResult(event_id=event_id, status="skipped")
        locked.attempts += 1
        now = timezone.now()
        try:
            with transaction.atomic():
                action = channel.handle(locked)
                outcome, lead = _apply(action)
        except (ValidationError, Unprocessable) as exc:
            return _record_failure(locked, _error_text(exc), now)
        except DatabaseError as exc:
            logger.warning("Intake event %s: database error, will retry: %s", event_id, exc)
            result = _record_failure(locked, f"Database error: {exc}", now)
            result.retry = True
            return result
        except Exception as exc:  # a bug: keep the event failed and visible, do not crash the worker
            logger.exception("Intake event %s could not be processed", event_id)
            return _record_failure(locked, f"{exc.__class__.__name__}: {exc}", now)
        locked.status = IntakeStatus.PROCESSED if isinstance(action, Inquiry) else IntakeStatus.IGNORED
        locked.error = "" if isinstance(action, Inquiry) else f"Ignored: {action.reason}"
        locked.outcome = outcome
        locked.lead = lead
        locked.processed_at = now
        if action.reply:
            locked.reply = action.reply
            locked.reply_status = ReplyStatus.PENDING
        locked.save(
            update_fields=[
                "status",
                "error",
                "outcome",
                "lead",
                "processed_at",
                "reply",
                "reply_status",
                "fetched",
                "platform",
            ]
        )
        return RunResult(event_id=event_id, status=locked.status, outcome=outcome)


def _apply(action: Inquiry | Ignore):
    if isinstance(action, Ignore):
        return "", None
    result = lead_services.lead_register_inquiry(
        phone=action.phone, source=action.source, at=action.at, **action.details
    )
    if action.note:
        # The lead row is locked (or not yet visible) until we commit, so the
        # newest inquiry of this lead is the one just written.
        newest = LeadInquiry.objects.filter(lead=result.lead).order_by("-id").values_list("pk", flat=True)[:1]
        LeadInquiry.objects.filter(pk__in=list(newest)).update(note=action.note[:255])
    if result.created and settings.INTAKE_AUTO_ASSIGN:
        _auto_assign(result.lead)
    return (IntakeOutcome.CREATED if result.created else IntakeOutcome.REPEAT), result.lead


def _auto_assign(lead) -> None:
    try:
        salesperson = next(lead_services.salesperson_rotation())
    except ValidationError:  # nobody in Sales yet: managers assign by hand
        return
    lead_services.lead_assign(lead=lead, salesperson=salesperson)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc)


def _record_failure(locked: IntakeEvent, error: str, now) -> RunResult:
    locked.status = IntakeStatus.FAILED
    locked.error = error
    locked.processed_at = now
    locked.save(update_fields=["status", "error", "processed_at"])
    logger.warning("Intake event %s (%s) failed: %s", locked.pk, locked.channel, error)
    return RunResult(event_id=locked.pk, status=IntakeStatus.FAILED, error=error)


def _fail(event_id: int, error: str, *, retry: bool = False) -> RunResult:
    IntakeEvent.objects.filter(pk=event_id, status__in=OPEN_STATUSES).update(
        status=IntakeStatus.FAILED, error=error, attempts=F("attempts") + 1, processed_at=timezone.now()
    )
    logger.warning("Intake event %s failed: %s", event_id, error)
    return RunResult(event_id=event_id, status=IntakeStatus.FAILED, error=error, retry=retry)


# --- replies --------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyResult:
    status: str  # a ReplyStatus, or "" when there was nothing to send
    retry: bool = False


def intake_event_send_reply(*, event_id: int) -> ReplyResult:
    """Send the event's pending (or failed) reply, claimed so that it goes out
    at most once even if two workers get here."""
    claimed = IntakeEvent.objects.filter(
        pk=event_id, reply_status__in=(ReplyStatus.PENDING, ReplyStatus.FAILED)
    ).update(reply_status=ReplyStatus.SENDING)
    if not claimed:
        return ReplyResult(status="")
    event = IntakeEvent.objects.only("reply").get(pk=event_id)
    reply = event.reply or {}
    try:
        telegram.send_message(chat_id=reply["chat_id"], text=reply["text"], reply_markup=reply.get("reply_markup"))
    except (telegram.TelegramError, KeyError) as exc:
        status = getattr(exc, "status", None)
        # Network errors, 5xx and flood control pass; a blocked bot or unknown chat does not.
        retry = isinstance(exc, telegram.TelegramError) and (status is None or status >= 500 or status == 429)
        IntakeEvent.objects.filter(pk=event_id).update(reply_status=ReplyStatus.FAILED, reply_error=str(exc)[:1000])
        logger.warning("Intake event %s: reply failed: %s", event_id, exc)
        return ReplyResult(status=ReplyStatus.FAILED, retry=retry)
    IntakeEvent.objects.filter(pk=event_id).update(
        reply_status=ReplyStatus.SENT, reply_error="", replied_at=timezone.now()
    )
    return ReplyResult(status=ReplyStatus.SENT)


# --- by hand and on schedule ----------------------------------------------------


def intake_events_process(*, event_ids) -> Summary:
    """Process these events one by one (admin action, command). Never raises for one event."""
    summary = Summary()
    for event_id in event_ids:
        summary.add(intake_event_run(event_id=event_id))
    return summary


def intake_events_process_open(*, channel: str | None = None, limit: int | None = None) -> Summary:
    """Every pending or failed event, oldest first (``manage.py process_intake``)."""
    queryset = IntakeEvent.objects.filter(status__in=OPEN_STATUSES)
    if channel:
        queryset = queryset.filter(channel=IntakeChannel(channel))
    ids = list(queryset.order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    return intake_events_process(event_ids=ids)


def intake_events_requeue_stale(*, now=None, older_than: timedelta | None = None, limit: int = REQUEUE_BATCH) -> int:
    """Queue again pending events older than INTAKE_REQUEUE_AFTER_SECONDS (a
    minute): a safety net for a task lost by the broker or a killed worker.
    Processing is idempotent, so a duplicate is harmless."""
    now = now or timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.INTAKE_REQUEUE_AFTER_SECONDS)
    ids = list(
        IntakeEvent.objects.filter(status=IntakeStatus.PENDING, received_at__lt=now - older_than)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for event_id in ids:
        if not enqueue_processing(event_id):
            break  # the broker is down: the next beat run tries again
        queued += 1
    return queued
