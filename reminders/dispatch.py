"""The reminder dispatcher: one pass sends everything that is due, once.

A pass (the beat task every minute, or ``manage.py dispatch_reminders``):

1. **Materialise.** Every source lists the deliveries that are due now; they
   are inserted with ``bulk_create(ignore_conflicts=True)`` on the unique
   ``key``, so two beats, two passes or a retried task never create two rows
   for the same message. Each row gets its lead's salesperson as the lead
   has it at that moment (``_insert_with_current_owners``), not as the source
   read it a moment before: a handover in between must not leave it behind.
2. **Claim.** In one short transaction, due rows are selected
   ``FOR UPDATE SKIP LOCKED`` and switched to ``sending`` with this pass's
   claim token (the UPDATE re-checks that they are still claimable). A racing
   pass skips the locked rows and, after the commit, no longer sees them as
   claimable. Due means ``pending``/``failed`` with ``next_attempt_at`` passed,
   or ``sending`` with a claim older than REMINDER_CLAIM_TIMEOUT_SECONDS (the
   worker that claimed it died).
3. **Send**, outside any transaction, a claimed batch at a time: each source
   says, for the whole batch in one go (``prepare_batch``), whether each
   message is still useful (else the row is ``skipped`` with the reason) and
   what it says; the channel sends it (emails of a batch share one mail
   connection). The outcomes are **recorded together**: one transaction per
   batch — one conditional UPDATE per kind of outcome, then the sources'
   bookkeeping (``on_sent_batch``) — at the end of the batch, or as soon as
   the oldest unrecorded send is SETTLE_AFTER_SECONDS old, and also when the
   batch is cut short by an error. An error is kept in ``last_error`` and
   retried with exponential backoff via ``next_attempt_at`` (never a Celery
   countdown) until REMINDER_MAX_ATTEMPTS. The first claim of a pass takes
   CLAIM_BATCH rows; while full batches finish in under BATCH_SECONDS / 2 the
   next claim doubles, up to CLAIM_BATCH_MAX (a backlog of quick sends), and
   a slower batch halves it again (slow sends stay shared between passes).

Trade-off: between the channel accepting a message and the commit that
records it ``sent``, a crash leaves the row ``sending``; after the claim
timeout it is reclaimed and sent again. That window is one commit, as before,
but it now covers the messages a batch sent since its last record: at most
about SETTLE_AFTER_SECONDS of sends (plus the one in flight) and at most one
batch — with quick sends (email) up to CLAIM_BATCH_MAX messages, with slow
ones (Telegram, SMS) a handful. Recording each message in its own commit
(one fsync per message) cost most of a pass's time. Without reclaiming we
could lose messages instead. The sources' ``prepare`` now runs for a batch
before its first send, so a follow-up completed during a batch's sends
(seconds at most) can still be reminded of once.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone, translation

from core.text import one_line
from leads.models import Lead
from leads.selectors import lead_owners_share_locked
from reminders.channels import ChannelSession, channel_send
from reminders.models import Channel, Delivery, DeliveryKind, DeliveryStatus
from reminders.sms import DAILY_LIMIT, sms_reference, sms_send_batch, sms_sent_today, sms_skip_reason
from reminders.sources import Message, ReminderSource, Skip, all_sources, source_for

logger = logging.getLogger(__name__)

S = DeliveryStatus
NO_ADDRESS = "No address: the recipient has neither a Telegram chat nor an email address."
CLAIM_BATCH = 25  # the first claim of a pass: small, so overlapping passes share slow sends
CLAIM_BATCH_MAX = 200  # a backlog of quick sends grows the claim up to this (next_claim_size)
BATCH_SECONDS = 1.0  # a claimed batch that takes longer shrinks the next claim
SMS_BATCH_MIN = 5  # this many SMS in one claimed batch go through the gateway's batch endpoint
MATERIALISE_BATCH = 1000  # deliveries built and inserted at a time
SETTLE_AFTER_SECONDS = 1.0  # a send waits at most about this long (plus one send) to be recorded


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
    limit = CLAIM_BATCH
    while True:
        claimed = deliveries_claim(now=now, limit=limit)
        if not claimed:
            break
        started = time.perf_counter()
        for outcome in deliveries_process(deliveries=claimed):
            result.add(outcome)
        limit = next_claim_size(limit=limit, claimed=len(claimed), took=time.perf_counter() - started)
    if result.sent or result.skipped or result.failed:
        logger.info("Reminders dispatched: %s", result.as_dict())
    return result


def next_claim_size(*, limit: int, claimed: int, took: float) -> int:
    """A backlog of quick sends is claimed in growing batches (fewer round
    trips per message), up to CLAIM_BATCH_MAX; a batch that took longer than
    BATCH_SECONDS shrinks it again towards CLAIM_BATCH, so slow sends stay in
    small batches that overlapping passes share."""
    if took > BATCH_SECONDS:
        return max(CLAIM_BATCH, limit // 2)
    if claimed == limit and took < BATCH_SECONDS / 2:
        return min(CLAIM_BATCH_MAX, limit * 2)
    return limit


def deliveries_materialise(*, now: datetime) -> int:
    """Insert the deliveries every source says are due; existing keys are left alone.

    The sources' rows are streamed and inserted MATERIALISE_BATCH at a time, so
    a worker catching up on a backlog of 180,000 holds one batch, not all of
    them (on PostgreSQL; SQLite reads them whole first, see below).
    """
    count = 0
    rows = (delivery for source in all_sources() for delivery in source.due_deliveries(now=now))
    if connection.vendor == "sqlite":
        # A source's stream keeps its read open between batches; SQLite cannot
        # turn that read into a write once another pass has committed since it
        # began ("database is locked", no waiting). So SQLite holds the whole
        # backlog (its deployments are small); PostgreSQL streams it.
        rows = iter(list(rows))
    for batch in _batches_by_lead(rows, MATERIALISE_BATCH):
        count += _insert_with_current_owners(batch)
    return count


def _batches_by_lead(rows: Iterable[Delivery], size: int) -> Iterator[list[Delivery]]:
    """``rows`` in batches of about ``size``, cut only between leads. A source
    yields one reminder's deliveries (its channels) one after another, and the
    first of them sent marks the reminder sent; a batch that skips a lead being
    handed over (see _insert_with_current_owners) must skip all of them, or the
    rest would never be made."""
    batch: list[Delivery] = []
    for delivery in rows:
        if len(batch) >= size and (delivery.lead_id is None or delivery.lead_id != batch[-1].lead_id):
            yield batch
            batch = []
        batch.append(delivery)
    if batch:
        yield batch


def _insert_with_current_owners(batch: list[Delivery]) -> int:
    """Insert ``batch`` with each delivery's ``lead_owner`` as its lead has it
    when the row is written, not as the source read it: a lead handed over in
    between (its rows moved to the new salesperson by then) must not leave a
    new delivery with the previous one, who would keep seeing it. Returns how
    many went to the INSERT (existing keys included, deferred ones not).

    PostgreSQL: the batch's leads are read under a share lock (see
    leads.selectors.lead_owners_share_locked), so a handover either committed
    before, or waits and then moves these rows too; the deliveries of a lead
    being written at this instant are left for the next pass (their source
    still lists them: _batches_by_lead keeps them in one batch). SQLite has
    no row locks but one writer at a time: the rows are inserted first, which
    takes the database's write lock, then given their leads' owners in the
    same transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            owners = lead_owners_share_locked(d.lead_id for d in batch if d.lead_id is not None)
            kept = [d for d in batch if d.lead_id is None or d.lead_id in owners]
            if len(kept) < len(batch):
                logger.info("Materialising: %d deliveries left for the next pass (lead busy)", len(batch) - len(kept))
            for delivery in kept:
                if delivery.lead_id is not None:
                    delivery.lead_owner_id = owners[delivery.lead_id]
            Delivery.objects.bulk_create(kept, ignore_conflicts=True)
            return len(kept)
        # SQLite
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        owner = Lead.objects.filter(pk=OuterRef("lead_id")).values("assigned_to_id")[:1]
        keys = [d.key for d in batch]
        per = connection.features.max_query_params  # SQLite builds before 3.32 allow 999 parameters
        for start in range(0, len(keys), per):
            written = Delivery.objects.filter(key__in=keys[start : start + per], lead__isnull=False)
            written.update(lead_owner_id=Subquery(owner))
    return len(batch)


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


def recipient_language(delivery: Delivery) -> str:
    """The staff recipient's language (User.language), else the centre's default."""
    user = delivery.recipient_user
    return (user.language if user is not None else "") or settings.LANGUAGE_CODE


def retry_delay(attempts: int) -> timedelta:
    base = settings.REMINDER_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.REMINDER_RETRY_MAX_SECONDS))


def delivery_process(*, delivery: Delivery) -> str:
    """Send (or skip) one claimed delivery; returns "sent", "skipped" or "failed"."""
    return deliveries_process(deliveries=[delivery])[0]


def deliveries_process(*, deliveries: list[Delivery]) -> list[str]:
    """Send (or skip) a claimed batch; one outcome per delivery.

    The sources prepare the batch a language at a time (``prepare_batch``: one
    query, not one per row), emails share one mail connection, SMS go in one
    gateway call when there are at least SMS_BATCH_MIN of them, and the
    outcomes are recorded together (``_Outcomes``): one commit per batch
    instead of one per message.
    """
    outcomes = _Outcomes()
    session = ChannelSession()
    try:
        sms_rows = [d for d in deliveries if d.channel == Channel.SMS and d.address]
        batched = sms_rows if len(sms_rows) >= SMS_BATCH_MIN else []
        batched_ids = {d.pk for d in batched}
        results = _send_each([d for d in deliveries if d.pk not in batched_ids], outcomes, session)
        if batched:
            results += sms_batch_process(deliveries=batched, outcomes=outcomes)
    finally:
        # Also when something unexpected went wrong: what was sent is recorded.
        outcomes.record()
        session.close()
    return results


def _send_each(deliveries: list[Delivery], outcomes: _Outcomes, session: ChannelSession) -> list[str]:
    """The deliveries sent one by one: channel checks, the source's say, the send."""
    now = timezone.now()
    sources = [source_for(delivery.kind) for delivery in deliveries]
    prepared = _prepare([(d, s) for d, s in zip(deliveries, sources, strict=True) if d.address], now)
    results = []
    for delivery, source in zip(deliveries, sources, strict=True):
        try:
            # The SMS channel's own rules (consent, quiet hours, daily cap) skip a
            # message without telling the source: the reminder itself still stands.
            channel_skip = None
            if delivery.channel == Channel.SMS and delivery.address:
                outcomes.record_sms()  # the daily cap counts the SMS sent just before
                channel_skip = sms_skip_reason(delivery=delivery, now=timezone.now())
            if channel_skip:
                outcomes.add(delivery, skipped=channel_skip)
                results.append("skipped")
                continue
            message = prepared.get(delivery.pk, Skip(NO_ADDRESS))
            if isinstance(message, Exception):
                raise message
            if isinstance(message, Skip):
                outcomes.add(delivery, skipped=message.reason, source=source)
                results.append("skipped")
                continue
            gateway_id = channel_send(
                channel=delivery.channel,
                address=delivery.address,
                subject=message.subject,
                text=message.text,
                reference=sms_reference(delivery.pk),
                session=session,
            )
        except Exception as exc:  # noqa: BLE001 - any failure is kept on the row and retried
            results.append(_fail(delivery, source, exc, outcomes))
            continue
        outcomes.add(delivery, sent=message, gateway_id=gateway_id or "", source=source)
        results.append("sent")
    return results


def _prepare(rows: list[tuple[Delivery, ReminderSource]], now: datetime) -> dict[int, Message | Skip | Exception]:
    """What each source says of its rows, asked once per source and recipient
    language (staff read their notifications in their own language; texts to
    leads pick the lead's language from their templates). A failing batch is
    asked again row by row, so only the bad row fails."""
    groups: dict[tuple[ReminderSource, str], list[Delivery]] = defaultdict(list)
    for delivery, source in rows:
        groups[(source, recipient_language(delivery))].append(delivery)
    prepared: dict[int, Message | Skip | Exception] = {}
    for (source, language), group in groups.items():
        with translation.override(language):
            try:
                results = source.prepare_batch(deliveries=group, now=now)
                if len(results) != len(group):
                    raise ValueError(f"prepare_batch returned {len(results)} results for {len(group)} deliveries.")
            except Exception:  # retried row by row just below
                logger.warning("Reminder source %s failed a batch; preparing it row by row.", source, exc_info=True)
                results = [_prepare_one(source, delivery, now) for delivery in group]
        prepared.update(zip((d.pk for d in group), results, strict=True))
    return prepared


def _prepare_one(source: ReminderSource, delivery: Delivery, now: datetime) -> Message | Skip | Exception:
    try:
        return source.prepare(delivery=delivery, now=now)
    except Exception as exc:  # noqa: BLE001 - the dispatcher records it as this row's failure
        return exc


def sms_batch_process(*, deliveries: list[Delivery], outcomes: _Outcomes) -> list[str]:
    """The SMS of one claimed batch through one batch call, under the same
    rules as the single sends: the channel's and the source's skips first, then
    the send, then each row marked sent (or failed and retried)."""
    results, ready, checked = [], [], []
    now = timezone.now()
    room = settings.SMS_DAILY_LIMIT - sms_sent_today(now=now)
    for delivery in deliveries:
        source = source_for(delivery.kind)
        try:
            checked.append((delivery, source, sms_skip_reason(delivery=delivery, now=now, count_limit=False)))
        except Exception as exc:  # noqa: BLE001 - kept on the row and retried
            results.append(_fail(delivery, source, exc, outcomes))
    prepared = _prepare([(d, s) for d, s, reason in checked if reason is None], now)
    for delivery, source, reason in checked:
        try:
            if reason is None and len(ready) >= room:
                reason = str(DAILY_LIMIT % {"limit": settings.SMS_DAILY_LIMIT})
            if reason is not None:
                outcomes.add(delivery, skipped=reason)
                results.append("skipped")
                continue
            message = prepared[delivery.pk]
            if isinstance(message, Exception):
                raise message
        except Exception as exc:  # noqa: BLE001 - kept on the row and retried
            results.append(_fail(delivery, source, exc, outcomes))
            continue
        if isinstance(message, Skip):
            outcomes.add(delivery, skipped=message.reason, source=source)
            results.append("skipped")
            continue
        ready.append((delivery, source, message))
    if not ready:
        return results
    try:
        batch_id = sms_send_batch(messages=[(d.pk, d.address, m.text) for d, _s, m in ready])
    except Exception as exc:  # noqa: BLE001 - the whole call failed: every message is retried
        return results + [_fail(d, source, exc, outcomes) for d, source, _m in ready]
    for delivery, source, message in ready:
        outcomes.add(delivery, sent=message, gateway_id=batch_id or sms_reference(delivery.pk), source=source)
        results.append("sent")
    return results


def _fail(delivery: Delivery, source: ReminderSource, exc: Exception, outcomes: _Outcomes) -> str:
    at = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS
    logger.warning(
        "Delivery %s failed (attempt %s%s): %s", delivery.key, delivery.attempts, ", giving up" if final else "", error
    )
    next_attempt = None if final else at + retry_delay(delivery.attempts)
    outcomes.add(
        delivery,
        source=source if final else None,
        hook="on_gave_up",
        hook_kwargs={"at": at},
        status=S.FAILED,
        last_error=error,
        next_attempt_at=next_attempt,
        claim_token=None,
    )
    return "failed"


@dataclass
class _Outcome:
    delivery: Delivery
    fields: dict
    source: ReminderSource | None = None  # whose hook runs, if any
    hook: str = ""
    hook_kwargs: dict = field(default_factory=dict)


class _Outcomes:
    """The outcomes of a claimed batch, recorded together (``record``) at the
    end of the batch, or sooner once the oldest unrecorded send is
    SETTLE_AFTER_SECONDS old (slow channels: Telegram over a bad network)."""

    def __init__(self):
        self.pending: list[_Outcome] = []
        self.oldest_send: float | None = None

    def add(
        self,
        delivery: Delivery,
        *,
        sent: Message | None = None,
        gateway_id: str = "",
        skipped: str | None = None,
        source: ReminderSource | None = None,
        hook: str = "",
        hook_kwargs: dict | None = None,
        **fields,
    ) -> None:
        if sent is not None:
            at = timezone.now()
            hook = "on_sent"
            fields = {
                "status": S.SENT,
                "sent_at": at,
                "subject": one_line(sent.subject)[:255],
                "body": sent.text,
                "gateway_id": gateway_id,
                "claim_token": None,
                "next_attempt_at": None,
                "last_error": "",
            }
        elif skipped is not None:
            hook, hook_kwargs = "on_skipped", {"at": timezone.now(), "reason": skipped}
            fields = {"status": S.SKIPPED, "skip_reason": skipped[:255], "claim_token": None, "next_attempt_at": None}
        self.pending.append(_Outcome(delivery, fields, source, hook if source else "", hook_kwargs or {}))
        if sent is not None:
            if self.oldest_send is None:
                self.oldest_send = time.perf_counter()
            if time.perf_counter() - self.oldest_send >= SETTLE_AFTER_SECONDS:
                self.record()

    def record_sms(self) -> None:
        """Record now if an SMS send is waiting (the daily cap counts recorded SMS)."""
        if any(o.fields["status"] == S.SENT and o.delivery.channel == Channel.SMS for o in self.pending):
            self.record()

    def record(self) -> None:
        if self.pending:
            _settle_batch(self.pending)
        self.pending, self.oldest_send = [], None


def _settle_batch(outcomes: list[_Outcome]) -> list[_Outcome]:
    """Record the outcomes and the sources' bookkeeping in one commit. A row
    whose claim was taken over by another pass is left to it. The hooks run in
    savepoints: if one fails, the outcomes still commit — the unique key
    already prevents a second send. Returns the outcomes recorded."""
    with transaction.atomic():
        at = timezone.now()
        held = _finish_batch(outcomes, at)
        sent: dict[ReminderSource, list[Delivery]] = defaultdict(list)
        for outcome in held:
            if outcome.hook == "on_sent":
                sent[outcome.source].append(outcome.delivery)
            elif outcome.hook:
                _hook(getattr(outcome.source, outcome.hook), outcome.delivery, outcome.hook_kwargs)
        for source, deliveries in sent.items():
            try:
                with transaction.atomic():
                    source.on_sent_batch(deliveries=deliveries, at=at)
            except Exception:
                logger.exception("Reminder source %s failed on_sent_batch; calling on_sent row by row.", source)
                for delivery in deliveries:
                    _hook(source.on_sent, delivery, {"at": at})
    return held


def _hook(hook, delivery: Delivery, kwargs: dict) -> None:
    try:
        with transaction.atomic():
            hook(delivery=delivery, **kwargs)
    except Exception:
        logger.exception("Reminder source hook %s failed for %s", hook.__qualname__, delivery.key)


def _finish_batch(outcomes: list[_Outcome], at: datetime) -> list[_Outcome]:
    """Write each outcome whose row we still hold (``sending`` with our claim
    token) with one conditional UPDATE per kind of outcome, and return those
    written: the others were reclaimed by another pass and are its business.
    Write first, no read before it (SQLite can fail a read-then-write
    transaction under a racing writer); PostgreSQL re-checks the condition on a
    row a racing claim changed before our UPDATE got to it."""
    by_fields: dict[tuple[str, ...], list[_Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.delivery.claim_token is not None:
            by_fields[tuple(outcome.fields)].append(outcome)
    held: set[int] = set()
    with connection.cursor() as cursor:
        for names, group in by_fields.items():
            for part in _chunks(group, per_row=2 + len(names)):
                cursor.execute(*_update_from_values(names, part, at))
                held.update(pk for (pk,) in cursor.fetchall())
    done = []
    for outcome in outcomes:
        delivery = outcome.delivery
        if delivery.pk not in held:
            logger.warning("Delivery %s was reclaimed by another pass before we finished it.", delivery.key)
            continue
        for name, value in (*outcome.fields.items(), ("updated_at", at)):
            setattr(delivery, name, value)
        done.append(outcome)
    return done


def _finish(delivery: Delivery, **fields) -> bool:
    """Write one outcome if we still hold the claim."""
    return bool(_finish_batch([_Outcome(delivery, fields)], timezone.now()))


def _chunks(group: list[_Outcome], *, per_row: int):
    """Parts of ``group`` small enough for the database's parameter limit (SQLite: 999)."""
    size = max(1, (connection.features.max_query_params or 10**6) // per_row - 1)
    for start in range(0, len(group), size):
        yield group[start : start + size]


def _update_from_values(names: tuple[str, ...], group: list[_Outcome], at: datetime) -> tuple[str, list]:
    """``UPDATE … FROM (VALUES …) … RETURNING id``, for PostgreSQL and SQLite
    alike: each row's own values for the fields that differ, plain parameters
    for those all share, and only the rows still ``sending`` under their claim
    token. QuerySet.bulk_update would build one CASE per field and row, at many
    times the cost in Python, and could not say which rows it wrote."""
    opts, quote = Delivery._meta, connection.ops.quote_name
    table, pk, token = quote(opts.db_table), opts.pk, opts.get_field("claim_token")
    fields = [opts.get_field(name) for name in names]
    shared = [f for f in fields if len({repr(o.fields[f.name]) for o in group}) == 1]
    own = [f for f in fields if f not in shared]
    updated_at, status = opts.get_field("updated_at"), opts.get_field("status")
    assignments = [f"{quote(f.column)} = %s" for f in (*shared, updated_at)]
    assignments += [f"{quote(f.column)} = v.column{i}" for i, f in enumerate(own, start=3)]
    params = [f.get_db_prep_save(group[0].fields[f.name], connection) for f in shared]
    params.append(updated_at.get_db_prep_save(at, connection))
    row = "(" + ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in (pk, token, *own)) + ")"
    for outcome in group:
        delivery = outcome.delivery
        params += [delivery.pk, token.get_db_prep_save(delivery.claim_token, connection)]
        params += [f.get_db_prep_save(outcome.fields[f.name], connection) for f in own]
    params.append(S.SENDING)
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} FROM (VALUES {', '.join([row] * len(group))}) AS v "
        f"WHERE {table}.{quote(pk.column)} = v.column1 AND {table}.{quote(token.column)} = v.column2 "
        f"AND {table}.{quote(status.column)} = %s RETURNING {table}.{quote(pk.column)}"
    )
    return sql, params


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
