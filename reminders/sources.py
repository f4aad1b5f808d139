"""What the dispatcher asks of each kind of reminder.

A *source* turns its due reminders into ``Delivery`` rows (unsaved; the
dispatcher inserts them ignoring key conflicts), decides just before sending
whether a delivery is still useful and what it says, and hears back when it
was sent, skipped or given up. Follow-ups live in reminders.followups, trial
reminders in trials.reminders; the dispatcher knows only this interface.

Sources are registered in their app's ``AppConfig.ready()`` with
``register_source``, in INSTALLED_APPS order, which is the order their
deliveries are built in. An app above reminders (trials) adds its own source
this way, so reminders never imports it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from reminders.models import Channel, Delivery


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


@dataclass(frozen=True)
class Skip:
    reason: str


class ReminderSource(ABC):
    kinds: tuple[str, ...] = ()

    @abstractmethod
    def due_deliveries(self, *, now: datetime) -> Iterable[Delivery]:
        """Unsaved Delivery rows for everything due at ``now`` (keys make repeats harmless)."""

    @abstractmethod
    def prepare(self, *, delivery: Delivery, now: datetime) -> Message | Skip:
        """What to send for ``delivery`` now, or why it is no longer useful."""

    def prepare_batch(self, *, deliveries: Sequence[Delivery], now: datetime) -> list[Message | Skip]:
        """``prepare`` for part of a claimed batch, one result per delivery in
        the same order; the dispatcher calls it once per recipient language.
        Override it to load the batch's objects in one query instead of one per
        delivery. If it raises, the dispatcher falls back to ``prepare`` row by
        row, so a bad row fails on its own."""
        return [self.prepare(delivery=delivery, now=now) for delivery in deliveries]

    def on_sent(self, *, delivery: Delivery, at: datetime) -> None:  # noqa: B027 - optional hook
        """The delivery went out."""

    def on_sent_batch(self, *, deliveries: Sequence[Delivery], at: datetime) -> None:
        """``on_sent`` for deliveries recorded as sent in one commit; ``at`` is
        the time of that record (each delivery's ``sent_at`` is its own send).
        Runs in a savepoint: if it raises, it is rolled back and ``on_sent`` is
        called row by row instead. Override it with set-wise updates."""
        for delivery in deliveries:
            self.on_sent(delivery=delivery, at=at)

    def on_skipped(self, *, delivery: Delivery, at: datetime, reason: str) -> None:  # noqa: B027 - optional hook
        """The delivery was judged no longer useful."""

    def on_gave_up(self, *, delivery: Delivery, at: datetime) -> None:  # noqa: B027 - optional hook
        """The delivery failed REMINDER_MAX_ATTEMPTS times."""


_sources: list[ReminderSource] = []


def register_source(source: ReminderSource) -> None:
    """Add ``source`` to the dispatcher (idempotent). Its kinds must be its own."""
    if source in _sources:
        return
    taken = {kind for other in _sources for kind in other.kinds} & set(source.kinds)
    if taken:
        raise ValueError(f"Delivery kinds {sorted(taken)} already have a reminder source.")
    _sources.append(source)


def all_sources() -> tuple[ReminderSource, ...]:
    return tuple(_sources)


def source_for(kind: str) -> ReminderSource:
    for source in _sources:
        if kind in source.kinds:
            return source
    raise LookupError(f"No reminder source handles delivery kind “{kind}”.")


def staff_addresses(user) -> list[tuple[str, str]]:
    """Where a staff member is notified: Telegram if they linked a chat, and
    email if they have an address. With neither, one email "delivery" with no
    address is returned so the miss is recorded (it is skipped, not lost)."""
    addresses = []
    if user.telegram_chat_id:
        addresses.append((Channel.TELEGRAM, user.telegram_chat_id))
    if user.email:
        addresses.append((Channel.EMAIL, user.email))
    return addresses or [(Channel.EMAIL, "")]


def delivery_key(*, kind: str, object_id: int, occurrence: str, channel: str, recipient: str) -> str:
    """What, for which object, which occurrence, to whom — unique per message."""
    return f"{kind}:{object_id}:{occurrence}:{channel}:{recipient}"[:200]


def build_delivery(
    *,
    kind: str,
    object_id: int,
    occurrence: str,
    channel: str,
    address: str,
    due_at: datetime,
    lead_id: int | None,
    recipient_user=None,
    lead_owner_id: int | None = None,
) -> Delivery:
    """``lead_owner_id``: the lead's salesperson (Lead.assigned_to), who sees the delivery."""
    recipient = f"user{recipient_user.pk}" if recipient_user is not None else address
    return Delivery(
        key=delivery_key(kind=kind, object_id=object_id, occurrence=occurrence, channel=channel, recipient=recipient),
        kind=kind,
        channel=channel,
        address=address,
        recipient_user=recipient_user,
        lead_id=lead_id,
        lead_owner_id=lead_owner_id,
        object_id=object_id,
        occurrence=occurrence,
        due_at=due_at,
        next_attempt_at=due_at,
    )


def admin_link(path: str) -> str:
    """Absolute link into the admin for message texts."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
