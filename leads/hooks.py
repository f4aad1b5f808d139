"""The one extension point of the lead domain: what other apps do when a lead
is assigned, un-assigned or changes status.

``leads`` sits below ``reminders`` and ``trials`` (see README "Architecture"),
so its services cannot call them. Instead those apps subscribe a handler here
in their ``AppConfig.ready()``, and ``leads.services`` publishes each event
inside its own transaction, after its own writes: a handler's writes commit
or roll back with the lead's, and a handler that raises undoes the whole
change. Handlers run in subscription order (INSTALLED_APPS order).

Every event and who fills it in today:

==================  ==========================================  ===================================================
event               published by                                handled by
==================  ==========================================  ===================================================
LeadAssigned        lead_assign, leads_bulk_register            scheduling: enrolments get the new lead_owner;
                                                                reminders: the salesperson's first-contact deadline;
                                                                follow-ups and deliveries get the new lead_owner;
                                                                trials: the trials get the new lead_owner
LeadUnassigned      lead_unassign                               scheduling: enrolments lose their lead_owner;
                                                                reminders: the open follow-up is cancelled, rows
                                                                lose their lead_owner; trials: likewise
LeadStatusChanged   lead_change_status                          reminders: the first contact meets the first-contact
                                                                deadline, enrolled or lost ends any follow-up;
                                                                trials: a lost lead gives up its scheduled trial
==================  ==========================================  ===================================================

The lead's own rows (status changes, inquiries) are moved to the new
salesperson by leads.services itself (``lead_rows_move``), in the same
transaction as every handler's writes.

These are plain function calls, not Django signals: the list above is the
whole contract, ``subscribers()`` shows what is wired, and a test holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LeadAssigned:
    lead: Any  # leads.models.Lead, saved with the new salesperson
    salesperson: Any
    by: Any | None
    at: datetime
    # True when the lead was created with this assignment (a bulk import): no
    # trials, follow-ups or deliveries of it exist yet to move to the salesperson.
    new_lead: bool = False


@dataclass(frozen=True)
class LeadUnassigned:
    lead: Any  # saved with assigned_to = None
    previous_salesperson: Any
    by: Any | None
    at: datetime


@dataclass(frozen=True)
class LeadStatusChanged:
    lead: Any  # locked and saved with the new status
    from_status: str
    to_status: str
    by: Any | None
    at: datetime
    reason: str = ""


EVENTS = (LeadAssigned, LeadUnassigned, LeadStatusChanged)
Handler = Callable[[Any], None]
_subscribers: dict[type, list[Handler]] = {event: [] for event in EVENTS}


def subscribe(event: type, handler: Handler) -> None:
    """Call ``handler(event_instance)`` whenever ``event`` is published.
    Subscribing the same handler twice has no effect (ready() may run again)."""
    if event not in _subscribers:
        raise LookupError(f"leads.hooks has no event {event!r}; known: {', '.join(e.__name__ for e in EVENTS)}.")
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(event: object) -> None:
    for handler in tuple(_subscribers[type(event)]):
        handler(event)


def subscribers(event: type) -> tuple[Handler, ...]:
    return tuple(_subscribers[event])
