"""The reminder dispatcher: one pass sends everything that is due, once.

A pass (the beat task every minute, or ``manage.py dispatch_reminders``):

1. **Materialise.** Every source lists the deliveries that are due now; they
   are inserted with ``bulk_create(ignore_conflicts=True)`` on the unique
   ``key``, so two beats, two passes or a retried task never create two rows
   for the same message.
2. **Claim.** In one short transaction, due rows are selected
   ``FOR UPDATE SKIP LOCKED`` and switched to ``sending`` with this pass's
   claim token (the UPDATE re-checks that they are still claimable). A racing
   pass skips the locked rows and, after the commit, no longer sees them as
   claimable. Due means ``pending``/``failed`` with ``next_attempt_at`` passed,
   or ``sending`` with a claim older than REMINDER_CLAIM_TIMEOUT_SECONDS (the
   worker that claimed it died).
3. **Send**, outside any transaction: the source says whether the message is
   still useful (else the row is ``skipped`` with the reason) and what it says;
   the channel sends it; the row is marked ``sent`` at once. An error is kept in
   ``last_error`` and retried with exponential backoff via ``next_attempt_at``
   (never a Celery countdown) until REMINDER_MAX_ATTEMPTS.

Trade-off: between the channel accepting a message and the ``sent`` update
committing, a crash leaves the row ``sending``; after the claim timeout it is
reclaimed and sent again. That window (one UPDATE) is the only way to get a
duplicate; without reclaiming we could lose messages instead.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from core.text import one_line
from reminders.channels import channel_send
from reminders.models import Channel, Delivery, DeliveryKind, DeliveryStatus
from reminders.sms import DAILY_LIMIT, sms_reference, sms_send_batch, sms_sent_today, sms_skip_reason
from reminders.sources import Message, Skip, all_sources, source_for

logger = logging.getLogger(__name__)

S = DeliveryStatus
NO_ADDRESS = "No address: the recipient has neither a Telegram chat nor an email address."
CLAIM_BATCH = 25  # small, so overlapping passes share slow sends
SMS_BATCH_MIN = 5  # this many SMS in one claimed batch go through the gateway's batch endpoint
MATERIALISE_BATCH = 1000  # deliveries built and inserted at a time


@dataclass
class DispatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def reminders_dispatch_due(*, now: datetime | None = None) -> DispatchResult:
    """One pass: materialise due deliveries, then claim and send them in batches."""
    now = now or timezone.now()
    deliveries_materialise(now=now)
    result = DispatchResult()
    while True:
        claimed = deliveries_claim(now=now, limit=CLAIM_BATCH)
        if not claimed:
            break
        for outcome in deliveries_process(deliveries=claimed):
            result.add(outcome)
    if result.sent or result.skipped or result.failed:
        logger.info("Reminders dispatched: %s", result.as_dict())
    return result


def deliveries_materialise(*, now: datetime) -> int:
    """Insert the deliveries every source says are due; existing keys are left alone.

    The sources' rows are streamed and inserted MATERIALISE_BATCH at a time, so
    a worker catching up on a backlog of 180,000 holds one batch, not all of them.
    """
    count = 0
    rows = (delivery for source in all_sources() for delivery in source.due_deliveries(now=now))
    while batch := list(islice(rows, MATERIALISE_BATCH)):
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        count += len(batch)
    return count


def _due(now: datetime) -> Q:
    """Waiting to be sent (or retried). Matches the partial index ``delivery_due``
    (Delivery.Meta): the claim reads it in order and stops after ``limit`` rows."""
    return Q(status__in=[S.PENDING, S.FAILED], next_attempt_at__lte=now)


def _abandoned(now: datetime) -> Q:
    """Claimed by a worker that died (partial index ``delivery_sending``: few rows)."""
    stale = now - timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    return Q(status=S.SENDING, claimed_at__lt=stale)


def _claimable(now: datetime) -> Q:
    return _due(now) | _abandoned(now)


def deliveries_claim(*, now: datetime, limit: int = CLAIM_BATCH, ids: list[int] | None = None) -> list[Delivery]:
    """Claim up to ``limit`` due deliveries for this caller; nobody else gets them
    until they are finished or their claim goes stale.

    On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED`` — abandoned
    claims first, then due rows in ``next_attempt_at`` order — and switched to
    ``sending`` by one UPDATE that re-checks that each is still claimable. Each
    pick is its own query on its own partial index, so a claim costs the same
    with 10 or 200,000 rows due: one query over "due or abandoned" (an OR)
    would sort the whole backlog for every batch. On SQLite, which has no row
    locks, one UPDATE with the pick as its subquery is serialised by the database.
    """
    token = uuid.uuid4()
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            picked = _pick(now=now, limit=limit, ids=ids)
            if not picked:
                return []
            rows = Delivery.objects.filter(_claimable(now), pk__in=picked)
        else:
            # SQLite: no row locks, and a read followed by a write in one
            # transaction can fail outright ("database is locked") under a racing
            # pass, so one write statement picks and claims. Its backlogs are small.
            due = Delivery.objects.filter(_claimable(now))
            if ids is not None:
                due = due.filter(pk__in=ids)
            rows = Delivery.objects.filter(
                _claimable(now), pk__in=due.order_by("next_attempt_at", "id").values("pk")[:limit]
            )
        claimed = rows.update(
            status=S.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=timezone.now(),
        )
    if not claimed:
        return []
    return list(
        Delivery.objects.filter(status=S.SENDING, claim_token=token)
        .select_related("recipient_user")
        .order_by("due_at", "id")
    )


def _pick(*, now: datetime, limit: int, ids: list[int] | None) -> list[int]:
    """Lock up to ``limit`` claimable rows, skipping those another pass holds:
    abandoned claims first, then due rows, each from its own partial index."""
    picked: list[int] = []
    for condition, order in ((_abandoned(now), ("claimed_at", "id")), (_due(now), ("next_attempt_at", "id"))):
        rows = Delivery.objects.select_for_update(skip_locked=True).filter(condition)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        picked += rows.order_by(*order).values_list("pk", flat=True)[: limit - len(picked)]
        if len(picked) >= limit:
            break
    return picked


def _finish(delivery: Delivery, **fields) -> bool:
    """Write the outcome if we still hold the claim."""
    fields["updated_at"] = timezone.now()
    updated = Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token, status=S.SENDING).update(
        **fields
    )
    for name, value in fields.items():
        setattr(delivery, name, value)
    if not updated:
        logger.warning("Delivery %s was reclaimed by another pass before we finished it.", delivery.key)
    return bool(updated)


def recipient_language(delivery: Delivery) -> str:
    """The staff recipient's language (User.language), else the centre's default."""
    user = delivery.recipient_user
    return (user.language if user is not None else "") or settings.LANGUAGE_CODE


def retry_delay(attempts: int) -> timedelta:
    base = settings.REMINDER_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.REMINDER_RETRY_MAX_SECONDS))


def delivery_process(*, delivery: Delivery) -> str:
    """Send (or skip) one claimed delivery; returns "sent", "skipped" or "failed"."""
    source = source_for(delivery.kind)
    try:
        # The SMS channel's own rules (consent, quiet hours, daily cap) skip a
        # message without telling the source: the reminder itself still stands.
        channel_skip = None
        if delivery.channel == Channel.SMS and delivery.address:
            channel_skip = sms_skip_reason(delivery=delivery, now=timezone.now())
        if channel_skip:
            _settle(
                delivery,
                None,
                {},
                status=S.SKIPPED,
                skip_reason=channel_skip[:255],
                claim_token=None,
                next_attempt_at=None,
            )
            return "skipped"
        # Staff read their notifications in their own language (texts to leads
        # pick the lead's language from their templates).
        with translation.override(recipient_language(delivery)):
            prepared = (
                Skip(NO_ADDRESS) if not delivery.address else source.prepare(delivery=delivery, now=timezone.now())
            )
        if isinstance(prepared, Skip):
            at = timezone.now()
            _settle(
                delivery,
                source.on_skipped,
                {"at": at, "reason": prepared.reason},
                status=S.SKIPPED,
                skip_reason=prepared.reason[:255],
                claim_token=None,
                next_attempt_at=None,
            )
            return "skipped"
        assert isinstance(prepared, Message)
        gateway_id = channel_send(
            channel=delivery.channel,
            address=delivery.address,
            subject=prepared.subject,
            text=prepared.text,
            reference=sms_reference(delivery.pk),
        )
    except Exception as exc:  # noqa: BLE001 - any failure is kept on the row and retried
        return _fail(delivery, source, exc)
    at = timezone.now()
    _settle(
        delivery,
        source.on_sent,
        {"at": at},
        status=S.SENT,
        sent_at=at,
        subject=one_line(prepared.subject)[:255],
        body=prepared.text,
        gateway_id=gateway_id or "",
        claim_token=None,
        next_attempt_at=None,
        last_error="",
    )
    return "sent"


def deliveries_process(*, deliveries: list[Delivery]) -> list[str]:
    """Send (or skip) a claimed batch: one by one, except SMS when there are
    at least SMS_BATCH_MIN of them, which go in one gateway call."""
    sms_rows = [d for d in deliveries if d.channel == Channel.SMS and d.address]
    if len(sms_rows) < SMS_BATCH_MIN:
        return [delivery_process(delivery=d) for d in deliveries]
    batched = {d.pk for d in sms_rows}
    outcomes = [delivery_process(delivery=d) for d in deliveries if d.pk not in batched]
    return outcomes + sms_batch_process(deliveries=sms_rows)


def sms_batch_process(*, deliveries: list[Delivery]) -> list[str]:
    """The SMS of one claimed batch through one batch call, under the same
    rules as delivery_process: the channel's and the source's skips first, then
    the send, then each row marked sent (or failed and retried) on its own."""
    outcomes, ready = [], []
    now = timezone.now()
    room = settings.SMS_DAILY_LIMIT - sms_sent_today(now=now)
    for delivery in deliveries:
        source = source_for(delivery.kind)
        try:
            reason = sms_skip_reason(delivery=delivery, now=now, count_limit=False)
            if reason is None and len(ready) >= room:
                reason = str(DAILY_LIMIT % {"limit": settings.SMS_DAILY_LIMIT})
            hook = None
            if reason is None:
                with translation.override(recipient_language(delivery)):
                    prepared = source.prepare(delivery=delivery, now=now)
                if isinstance(prepared, Skip):
                    reason, hook = prepared.reason, source.on_skipped
        except Exception as exc:  # noqa: BLE001 - kept on the row and retried
            outcomes.append(_fail(delivery, source, exc))
            continue
        if reason is not None:
            hook_kwargs = {"at": timezone.now(), "reason": reason} if hook else {}
            _settle(
                delivery,
                hook,
                hook_kwargs,
                status=S.SKIPPED,
                skip_reason=reason[:255],
                claim_token=None,
                next_attempt_at=None,
            )
            outcomes.append("skipped")
            continue
        ready.append((delivery, source, prepared))
    if not ready:
        return outcomes
    try:
        batch_id = sms_send_batch(messages=[(d.pk, d.address, m.text) for d, _s, m in ready])
    except Exception as exc:  # noqa: BLE001 - the whole call failed: every message is retried
        return outcomes + [_fail(d, source, exc) for d, source, _m in ready]
    at = timezone.now()
    for delivery, source, prepared in ready:
        _settle(
            delivery,
            source.on_sent,
            {"at": at},
            status=S.SENT,
            sent_at=at,
            subject=one_line(prepared.subject)[:255],
            body=prepared.text,
            gateway_id=batch_id or sms_reference(delivery.pk),
            claim_token=None,
            next_attempt_at=None,
            last_error="",
        )
        outcomes.append("sent")
    return outcomes


def _fail(delivery: Delivery, source, exc: Exception) -> str:
    at = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS
    logger.warning(
        "Delivery %s failed (attempt %s%s): %s", delivery.key, delivery.attempts, ", giving up" if final else "", error
    )
    next_attempt = None if final else at + retry_delay(delivery.attempts)
    _settle(
        delivery,
        source.on_gave_up if final else None,
        {"at": at},
        status=S.FAILED,
        last_error=error,
        next_attempt_at=next_attempt,
        claim_token=None,
    )
    return "failed"


def _settle(delivery: Delivery, hook, hook_kwargs: dict, **fields) -> bool:
    """Record the outcome and the source's bookkeeping in one commit (one
    fsync per message). The hook runs in a savepoint: if it fails, the outcome
    still commits — the unique key already prevents a second send."""
    with transaction.atomic():
        done = _finish(delivery, **fields)
        if done and hook is not None:
            try:
                with transaction.atomic():
                    hook(delivery=delivery, **hook_kwargs)
            except Exception:
                logger.exception("Reminder source hook %s failed for %s", hook.__qualname__, delivery.key)
    return done


def delivery_send_now(*, delivery_id: int) -> str | None:
    """Send one delivery now if it is due and nobody holds it (the same claim
    as a pass, so it cannot race one); None if there was nothing to do."""
    claimed = deliveries_claim(now=timezone.now(), limit=1, ids=[delivery_id])
    return delivery_process(delivery=claimed[0]) if claimed else None


def delivery_retry_now(*, delivery: Delivery) -> bool:
    """Operator action: put a failed or skipped delivery back in the queue.
    Sent deliveries are never re-sent, nor a manager's test SMS (it has no
    source: the manager sends another)."""
    updated = (
        Delivery.objects.filter(pk=delivery.pk, status__in=[S.FAILED])
        .exclude(kind=DeliveryKind.SMS_TEST)
        .update(status=S.PENDING, next_attempt_at=timezone.now(), attempts=0, updated_at=timezone.now())
    )
    return bool(updated)
