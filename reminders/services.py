"""Writes to follow-up reminders. The lead page, leads.services hooks, seed
data and tests call these; the dispatcher (reminders.dispatch) sends.

At most one open (pending or sent) reminder per lead, enforced by a partial
unique constraint: setting a new follow-up completes the open one first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from leads.models import Lead, LeadStatus
from leads.services import lead_change_status, lead_note_next_followup, lead_owner_rows_move
from reminders.models import OPEN_REMINDER_STATUSES, Delivery, LeadReminder, LeadReminderKind, LeadReminderStatus

FOLLOWUP_IN_PAST = _("The follow-up time must be in the future.")
FOLLOWUP_NO_SALESPERSON = _("Assign the lead to a salesperson before setting a follow-up.")
FOLLOWUP_NOT_SALESPERSON = _("{user} is not an active member of the Sales group.")
FOLLOWUP_LEAD_CLOSED = _("The lead is {status}; follow-ups are for leads still being worked.")
RECORD_CONTACT_NOTE = _("Contact recorded")
SUPERSEDED_NOTE = _("Replaced by a new follow-up")
UNASSIGNED_NOTE = _("The lead was taken from {salesperson}")

CLOSED_LEAD_STATUSES = frozenset({LeadStatus.ENROLLED, LeadStatus.LOST})


def _open(lead) -> LeadReminder | None:
    return LeadReminder.objects.select_for_update().filter(lead=lead, status__in=OPEN_REMINDER_STATUSES).first()


def followup_create_first_contact(*, lead: Lead, salesperson, at: datetime | None = None) -> LeadReminder | None:
    """Called when a lead is assigned: a new, never contacted lead gets a
    first-contact deadline REMINDER_FIRST_CONTACT_MINUTES away. Re-assigning
    moves the open reminder to the new salesperson. Returns the open reminder,
    or None for a lead that has already been contacted."""
    at = at or timezone.now()
    with transaction.atomic():
        existing = _open(lead)
        if existing is not None:
            if existing.salesperson_id != salesperson.pk:
                existing.salesperson = salesperson
                existing.save(update_fields=["salesperson"])
            return existing
        if lead.status != LeadStatus.NEW or lead.first_contacted_at is not None:
            return None
        due = at + timedelta(minutes=settings.REMINDER_FIRST_CONTACT_MINUTES)
        try:
            with transaction.atomic():
                reminder = LeadReminder.objects.create(
                    lead=lead,
                    salesperson=salesperson,
                    lead_owner_id=lead.assigned_to_id,
                    kind=LeadReminderKind.FIRST_CONTACT,
                    due_at=due,
                    next_notify_at=due,
                    created_at=at,
                )
        except IntegrityError:  # created concurrently by another assignment
            return LeadReminder.objects.get(lead=lead, status__in=OPEN_REMINDER_STATUSES)
        lead_note_next_followup(lead=lead, due_at=reminder.due_at)
        return reminder


def lead_rows_move_to_owner(*, lead: Lead, owner_id: int | None) -> None:
    """Give the lead's follow-ups and deliveries its current salesperson
    (``lead_owner``): called, through leads.hooks, in the transaction that
    (re)assigns the lead. ``salesperson`` of a follow-up is not touched: it
    says whom that follow-up was for."""
    lead_owner_rows_move(LeadReminder, Delivery, lead=lead, owner_id=owner_id)


def followup_set(
    *, lead: Lead, due_at: datetime, by, note: str = "", salesperson=None, at: datetime | None = None
) -> LeadReminder:
    """Set the lead's next follow-up. The open reminder, if any, is completed
    (superseded) so the lead keeps exactly one deadline."""
    at = at or timezone.now()
    salesperson = salesperson or lead.assigned_to
    if salesperson is None:
        raise ValidationError({"salesperson": FOLLOWUP_NO_SALESPERSON})
    if not (salesperson.is_active and roles.is_salesperson(salesperson)):
        raise ValidationError({"salesperson": FOLLOWUP_NOT_SALESPERSON.format(user=salesperson)})
    if due_at <= at:
        raise ValidationError({"due_at": FOLLOWUP_IN_PAST})
    if lead.status in CLOSED_LEAD_STATUSES:
        raise ValidationError(FOLLOWUP_LEAD_CLOSED.format(status=lead.get_status_display().lower()))
    with transaction.atomic():
        # Serialise per lead; the stored salesperson is who sees the row (lead_owner).
        owner_id = Lead.objects.select_for_update().filter(pk=lead.pk).values_list("assigned_to_id", flat=True).first()
        existing = _open(lead)
        if existing is not None:
            _complete(existing, by=by, at=at, note=SUPERSEDED_NOTE)
        reminder = LeadReminder.objects.create(
            lead=lead,
            salesperson=salesperson,
            lead_owner_id=owner_id,
            kind=LeadReminderKind.FOLLOW_UP,
            due_at=due_at,
            next_notify_at=due_at,
            note=note.strip()[:255],
            created_by=by,
            created_at=at,
        )
        lead_note_next_followup(lead=lead, due_at=due_at)
    return reminder


def _complete(reminder: LeadReminder, *, by, at: datetime, note: str, status=LeadReminderStatus.COMPLETED) -> None:
    reminder.status = status
    reminder.completed_at = at
    reminder.completed_by = by
    reminder.completion_note = note[:255]
    reminder.next_notify_at = None
    reminder.save(update_fields=["status", "completed_at", "completed_by", "completion_note", "next_notify_at"])


def followups_complete_for_lead(
    *, lead: Lead, by=None, at: datetime | None = None, note: str = "", kinds: tuple[str, ...] | None = None
) -> int:
    """Complete the lead's open follow-up (the lead was contacted), or only an
    open one of ``kinds`` (the first contact meets only the first-contact
    deadline). Idempotent."""
    at = at or timezone.now()
    with transaction.atomic():
        reminders = _end_open(
            lead, by=by, at=at, note=str(note or RECORD_CONTACT_NOTE), status=LeadReminderStatus.COMPLETED, kinds=kinds
        )
    return len(reminders)


def followups_cancel_for_lead(*, lead: Lead, by=None, at: datetime | None = None, note: str = "") -> int:
    """End the lead's open follow-up without it counting as met or missed (the
    lead was taken from its salesperson, who is not to be nagged or measured on it)."""
    at = at or timezone.now()
    with transaction.atomic():
        reminders = _end_open(lead, by=by, at=at, note=note, status=LeadReminderStatus.CANCELLED)
    return len(reminders)


def _end_open(
    lead: Lead, *, by, at: datetime, note: str, status: str, kinds: tuple[str, ...] | None = None
) -> list[LeadReminder]:
    open_ones = LeadReminder.objects.select_for_update().filter(lead=lead, status__in=OPEN_REMINDER_STATUSES)
    if kinds is not None:
        open_ones = open_ones.filter(kind__in=kinds)
    reminders = list(open_ones)
    for reminder in reminders:
        _complete(reminder, by=by, at=at, note=note, status=status)
    if reminders:
        lead_note_next_followup(lead=lead, due_at=None)
    return reminders


def followup_record_contact(*, lead: Lead, by, note: str = "", at: datetime | None = None) -> int:
    """The salesperson talked to the lead: a new lead becomes "contacted" (which
    writes the status history) and the open follow-up is completed."""
    at = at or timezone.now()
    with transaction.atomic():
        if lead.status == LeadStatus.NEW:
            lead_change_status(
                lead=lead, to_status=LeadStatus.CONTACTED, by=by, at=at, note=note or RECORD_CONTACT_NOTE
            )
        # Completed by the status hook for a new lead; otherwise here.
        return followups_complete_for_lead(lead=lead, by=by, at=at, note=note or RECORD_CONTACT_NOTE)
