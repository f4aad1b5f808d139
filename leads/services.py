"""Writes to the lead domain. Admin, commands, webhooks and tasks all call these.

Every status change goes through ``lead_change_status`` so LeadStatusChange is
complete (analytics counts from it); a status staff pick by hand goes through
``lead_set_status``, which refuses the statuses only a flow sets (FLOW_STATUSES).
Creation goes through ``lead_register_inquiry`` (or ``lead_create``), which
relies on the unique phone constraint, not on a prior check, so two concurrent
deliveries of the same phone make one lead.
"""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from leads import hooks
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus, LeadStatusChange
from leads.phones import InvalidPhone, normalize_phone
from leads.search import lead_search_text

S = LeadStatus

# Which status may follow which. Anything else is refused with ILLEGAL_TRANSITION.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.CONTACTED, S.INTERESTED, S.TRIAL_SCHEDULED, S.LOST}),
    S.CONTACTED: frozenset({S.INTERESTED, S.TRIAL_SCHEDULED, S.LOST}),
    S.INTERESTED: frozenset({S.CONTACTED, S.TRIAL_SCHEDULED, S.ENROLLED, S.LOST}),
    S.TRIAL_SCHEDULED: frozenset({S.TRIAL_ATTENDED, S.INTERESTED, S.LOST}),
    S.TRIAL_ATTENDED: frozenset({S.ENROLLED, S.TRIAL_SCHEDULED, S.INTERESTED, S.LOST}),
    S.ENROLLED: frozenset({S.LOST}),
    S.LOST: frozenset({S.NEW, S.CONTACTED, S.INTERESTED}),
}
# Statuses that mean a salesperson has talked to the lead.
CONTACT_STATUSES = frozenset(set(S.values) - {S.NEW, S.LOST})
# Statuses that stand for a record elsewhere, so reminders and analytics always
# find it: they follow from booking a trial, marking attendance and the trial's
# result or an enrolment (trials, scheduling), never from a status typed by hand.
FLOW_STATUSES: dict[str, str] = {
    S.TRIAL_SCHEDULED: _("booking a trial lesson"),
    S.TRIAL_ATTENDED: _("marking the trial attended"),
    S.ENROLLED: _("recording the trial's result as accepted, or enrolling the lead in a group"),
}
# What staff may pick by hand (the admin's status field, the API's change-status).
MANUAL_STATUSES = frozenset(set(S.values) - set(FLOW_STATUSES))

ILLEGAL_TRANSITION = _("A lead cannot go from “{from_label}” to “{to_label}”. Allowed next: {allowed}.")
SAME_STATUS = _("The lead is already “{label}”.")
UNKNOWN_STATUS = _("Unknown status “{value}”.")
UNKNOWN_SOURCE = _("Unknown lead source “{value}”. Known sources: {known}.")
LOST_REASON_REQUIRED = _("Say why the lead is lost.")
NOT_A_SALESPERSON = _("{user} is not an active member of the Sales group.")
NO_SALESPEOPLE = _("There are no active salespeople to assign leads to.")
LEAD_EXISTS = _("A lead with phone {phone} already exists: {lead}.")
PHONE_TAKEN = _("Phone {phone} already belongs to another lead: {lead}.")
STATUS_NEEDS_FLOW = _("“%(label)s” is not set by hand: it follows from %(flow)s on the lead's page.")


@dataclass(frozen=True)
class InquiryResult:
    lead: Lead
    created: bool
    reopened: bool = False


# --- validation helpers -----------------------------------------------------


def phone_or_error(raw, *, field: str = "phone") -> str:
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        raise ValidationError({field: str(exc)}) from exc


def validate_source(value: str) -> str:
    if value not in LeadSource.values:
        raise ValidationError({"source": UNKNOWN_SOURCE.format(value=value, known=", ".join(LeadSource.values))})
    return value


def lead_transition_check(*, lead: Lead, to_status: str, reason: str = "") -> None:
    """Raise ValidationError if ``lead`` may not move to ``to_status`` now."""
    if to_status not in S.values:
        raise ValidationError({"status": UNKNOWN_STATUS.format(value=to_status)})
    if to_status == lead.status:
        raise ValidationError({"status": SAME_STATUS.format(label=S(to_status).label)})
    allowed = ALLOWED_TRANSITIONS[S(lead.status)]
    if to_status not in allowed:
        raise ValidationError(
            {
                "status": ILLEGAL_TRANSITION.format(
                    from_label=S(lead.status).label,
                    to_label=S(to_status).label,
                    allowed=", ".join(str(S(s).label) for s in S.values if s in allowed),
                )
            }
        )
    if to_status == S.LOST and not reason.strip():
        raise ValidationError({"lost_reason": LOST_REASON_REQUIRED})


def allowed_next_statuses(lead: Lead) -> list[str]:
    allowed = ALLOWED_TRANSITIONS[S(lead.status)]
    return [s for s in S.values if s in allowed]


def manual_next_statuses(lead: Lead) -> list[str]:
    """The statuses staff may pick by hand now: allowed next, and needing no record."""
    return [s for s in allowed_next_statuses(lead) if s in MANUAL_STATUSES]


def lead_manual_status_check(*, lead: Lead, to_status: str, reason: str = "") -> None:
    """lead_transition_check for a status picked by hand: a status that stands
    for a record (FLOW_STATUSES) is refused, naming the flow that sets it."""
    if to_status in FLOW_STATUSES:
        raise ValidationError(
            {"status": STATUS_NEEDS_FLOW % {"label": S(to_status).label, "flow": FLOW_STATUSES[to_status]}}
        )
    lead_transition_check(lead=lead, to_status=to_status, reason=reason)


# --- creation -----------------------------------------------------------------


def lead_create(*, phone, source: str, by=None, at: datetime | None = None, **details) -> Lead:
    """Create a lead; raises ValidationError if the phone already belongs to one."""
    result = lead_register_inquiry(phone=phone, source=source, by=by, at=at, **details)
    if not result.created:
        raise ValidationError({"phone": LEAD_EXISTS.format(phone=result.lead.phone, lead=result.lead)})
    return result.lead


def lead_register_inquiry(*, phone, source: str, by=None, at: datetime | None = None, **details) -> InquiryResult:
    """Create the lead for this phone, or record a repeat inquiry on the existing one.

    A repeat inquiry on a lost lead reopens it (back to new). Details of an
    existing lead are never overwritten, only blanks are filled in.
    """
    e164 = phone_or_error(phone)
    validate_source(source)
    at = at or timezone.now()
    details.setdefault("phone_raw", str(phone).strip()[:64])
    with transaction.atomic():
        existing = Lead.objects.select_for_update().filter(phone=e164).first()
        if existing is None:
            try:
                with transaction.atomic():
                    lead = _insert_lead(phone=e164, source=source, by=by, at=at, details=details)
                return InquiryResult(lead=lead, created=True)
            except IntegrityError:
                # Someone else created it between our look-up and insert.
                existing = Lead.objects.select_for_update().get(phone=e164)
        reopened = lead_record_repeat_inquiry(lead=existing, source=source, at=at, details=details)
        return InquiryResult(lead=existing, created=False, reopened=reopened)


def _insert_lead(*, phone: str, source: str, by, at: datetime, details: dict) -> Lead:
    assigned_to = details.pop("assigned_to", None)
    lead = Lead(phone=phone, source=source, created_at=at, **details)
    return lead_save_new(lead=lead, by=by, at=at, assigned_to=assigned_to)


def lead_save_new(*, lead: Lead, by=None, at: datetime | None = None, assigned_to=None) -> Lead:
    """Save an unsaved Lead (built by a form or an importer) with its first
    history row and inquiry. The phone must already be normalised."""
    at = at or timezone.now()
    lead_init_new(lead, at=at)
    lead.full_clean(validate_unique=False, exclude=["assigned_to"])
    lead.save()
    # Written unowned: lead_assign below moves them to the salesperson with the lead.
    LeadStatusChange.objects.create(**first_status_change_row(lead_id=lead.pk, by_id=getattr(by, "pk", None), at=at))
    LeadInquiry.objects.create(**inquiry_row(lead_id=lead.pk, source=lead.source, at=at, is_repeat=False))
    if assigned_to is not None:
        lead_assign(lead=lead, salesperson=assigned_to, by=by, at=at)
    return lead


def lead_record_repeat_inquiry(*, lead: Lead, source: str, at: datetime, details: dict | None = None) -> bool:
    """Count a repeat inquiry on ``lead``; returns True if it reopened a lost lead."""
    lead.inquiry_count += 1
    lead.last_inquiry_at = at
    lead.last_inquiry_source = source
    changed = ["inquiry_count", "last_inquiry_at", "last_inquiry_source", "updated_at"]
    changed += lead_fill_blanks(lead, details or {})
    lead.save(update_fields=changed)
    LeadInquiry.objects.create(
        **inquiry_row(lead_id=lead.pk, source=source, at=at, is_repeat=True, lead_owner_id=lead.assigned_to_id)
    )
    if lead.status == S.LOST:
        lead_change_status(lead=lead, to_status=S.NEW, at=at, note=REOPENED_BY_INQUIRY.format(source=source))
        return True
    return False


# --- what a new lead and its history look like ------------------------------------
# One definition for lead_save_new (one lead) and leads.bulk (thousands at once).

# Blank fields a repeat inquiry may fill in (never overwrite).
FILLABLE_FIELDS = frozenset(
    {
        "full_name",
        "email",
        "course_interest",
        "telegram_chat_id",
        "whatsapp_id",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
        "campaign_id",
        "ad_id",
        "form_id",
    }
)
REOPENED_BY_INQUIRY = _("Reopened by a repeat inquiry ({source})")


def lead_init_new(lead: Lead, *, at: datetime) -> Lead:
    """Give an unsaved lead the state every new lead starts in: status new since
    ``at``, and its last inquiry (``at`` from its own source, unless already set)."""
    lead.status = S.NEW
    lead.status_changed_at = at
    lead.last_inquiry_at = lead.last_inquiry_at or at
    lead.last_inquiry_source = lead.last_inquiry_source or lead.source
    if lead.created_at is None:
        lead.created_at = at
    lead.search_text = lead_search_text(lead)
    return lead


def lead_fill_blanks(lead: Lead, details: dict) -> list[str]:
    """Fill the lead's blank FILLABLE_FIELDS from ``details`` (never overwrite);
    returns the names of the fields it set."""
    filled = []
    for name, value in details.items():
        if name in FILLABLE_FIELDS and value and not getattr(lead, name):
            setattr(lead, name, value)
            filled.append(name)
    if SEARCHED_FIELDS & set(filled):
        lead.search_text = lead_search_text(lead)
        filled.append("search_text")
    return filled


def first_status_change_row(*, lead_id: int, by_id: int | None, at: datetime, lead_owner_id: int | None = None) -> dict:
    """A new lead's first LeadStatusChange ("" → new), as column values;
    ``lead_owner_id`` is the lead's salesperson (Lead.assigned_to)."""
    return {
        "lead_id": lead_id,
        "from_status": "",
        "to_status": S.NEW.value,
        "changed_by_id": by_id,
        "changed_at": at,
        "note": "",
        "lead_owner_id": lead_owner_id,
    }


def inquiry_row(
    *,
    lead_id: int,
    source: str,
    at: datetime,
    is_repeat: bool,
    note: str = "",
    fingerprint: str = "",
    lead_owner_id: int | None = None,
) -> dict:
    """A LeadInquiry as column values. ``fingerprint`` (16 hex digits) identifies
    an imported row, so importing it again is recognised; blank otherwise.
    ``lead_owner_id`` is the lead's salesperson (Lead.assigned_to)."""
    return {
        "lead_id": lead_id,
        "source": source,
        "received_at": at,
        "is_repeat": is_repeat,
        "note": note[:255],
        "fingerprint": fingerprint,
        "lead_owner_id": lead_owner_id,
    }


# --- details --------------------------------------------------------------------

# The fields Lead.search_text is made of (leads/search.py).
SEARCHED_FIELDS = frozenset({"full_name", "email"})

# What people may edit on a lead directly; status and assignment have their own services.
LEAD_DETAIL_FIELDS = frozenset(
    {
        "full_name",
        "phone",
        "phone_raw",
        "email",
        "source",
        "course_interest",
        "comment",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
        "campaign_id",
        "ad_id",
        "form_id",
        "telegram_chat_id",
        "whatsapp_id",
        "language",
        "sms_opt_out",
    }
)


def lead_update_details(*, lead: Lead, by=None, **changes) -> Lead:
    """Change a lead's details (not its status or salesperson). A new phone is
    normalised (the typed form kept in ``phone_raw``) and must not belong to
    another lead; the unique constraint, not the look-up, has the last word."""
    unknown = set(changes) - LEAD_DETAIL_FIELDS
    if unknown:
        raise TypeError(f"lead_update_details() got fields it does not edit: {', '.join(sorted(unknown))}")
    if "phone" in changes:
        raw = changes["phone"]
        changes["phone"] = phone_or_error(raw)
        if changes["phone"] != lead.phone:
            changes.setdefault("phone_raw", str(raw).strip()[:64])
    if "source" in changes:
        validate_source(changes["source"])
    for name, value in changes.items():
        setattr(lead, name, value)
    if not changes:
        return lead
    others = [f.name for f in Lead._meta.concrete_fields if f.name not in changes]
    lead.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    if SEARCHED_FIELDS & set(changes):
        lead.search_text = lead_search_text(lead)
        changes["search_text"] = lead.search_text
    if "phone" in changes:
        taken = Lead.objects.filter(phone=changes["phone"]).exclude(pk=lead.pk).first()
        if taken is not None:
            raise ValidationError({"phone": PHONE_TAKEN.format(phone=changes["phone"], lead=taken)})
    try:
        with transaction.atomic():
            lead.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(
            {"phone": PHONE_TAKEN.format(phone=lead.phone, lead=gettext("created just now"))}
        ) from exc
    return lead


# --- status -------------------------------------------------------------------


def lead_change_status(
    *, lead: Lead, to_status: str, by=None, reason: str = "", note: str = "", at: datetime | None = None
) -> LeadStatusChange:
    """Move ``lead`` to ``to_status``, validating the transition and writing history."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        lead_transition_check(lead=locked, to_status=to_status, reason=reason)
        change = LeadStatusChange.objects.create(
            lead=locked,
            from_status=locked.status,
            to_status=to_status,
            changed_by=by,
            changed_at=at,
            note=(note or reason)[:255],
            lead_owner_id=locked.assigned_to_id,
        )
        locked.status = to_status
        locked.status_changed_at = at
        update = ["status", "status_changed_at", "updated_at"]
        if to_status == S.LOST:
            locked.lost_reason = reason.strip()[:255]
            update.append("lost_reason")
        elif locked.lost_reason:
            locked.lost_reason = ""
            update.append("lost_reason")
        if to_status in CONTACT_STATUSES and locked.first_contacted_at is None:
            locked.first_contacted_at = at
            update.append("first_contacted_at")
        locked.save(update_fields=update)
        hooks.publish(
            hooks.LeadStatusChanged(
                lead=locked, from_status=change.from_status, to_status=to_status, by=by, at=at, reason=reason
            )
        )
    for name in ("status", "status_changed_at", "lost_reason", "first_contacted_at", "updated_at"):
        setattr(lead, name, getattr(locked, name))
    return change


def lead_set_status(
    *, lead: Lead, to_status: str, by=None, reason: str = "", note: str = "", at: datetime | None = None
) -> LeadStatusChange:
    """A status picked by hand (the admin's status field, the API's
    change-status): only MANUAL_STATUSES. The flows (trials, scheduling) call
    lead_change_status themselves, beside the record they write."""
    lead_manual_status_check(lead=lead, to_status=to_status, reason=reason)
    return lead_change_status(lead=lead, to_status=to_status, by=by, reason=reason, note=note, at=at)


def lead_mark_lost(*, lead: Lead, reason: str, by=None, at: datetime | None = None) -> LeadStatusChange:
    return lead_change_status(lead=lead, to_status=S.LOST, reason=reason, by=by, at=at)


# --- assignment -----------------------------------------------------------------


def lead_assign(*, lead: Lead, salesperson, by=None, at: datetime | None = None) -> Lead:
    if not (salesperson.is_active and roles.is_salesperson(salesperson)):
        raise ValidationError({"assigned_to": NOT_A_SALESPERSON.format(user=salesperson)})
    at = at or timezone.now()
    with transaction.atomic():
        # Compare with the stored row: a form may already have put the new
        # salesperson on the instance it hands us.
        current = Lead.objects.select_for_update().values_list("assigned_to_id", flat=True).get(pk=lead.pk)
        if current == salesperson.pk:
            return lead
        lead.assigned_to = salesperson
        lead.assigned_at = at
        lead.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
        lead_rows_move(lead=lead, owner_id=salesperson.pk)
        hooks.publish(hooks.LeadAssigned(lead=lead, salesperson=salesperson, by=by, at=at))
    return lead


def lead_unassign(*, lead: Lead, by=None, at: datetime | None = None) -> Lead:
    """Take the lead away from its salesperson, leaving it for a manager to hand
    out again; what hangs off the assignment (the open follow-up) ends with it."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.assigned_to_id is None:
            return lead
        previous = locked.assigned_to
        locked.assigned_to = None
        locked.assigned_at = None
        locked.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
        lead_rows_move(lead=locked, owner_id=None)
        hooks.publish(hooks.LeadUnassigned(lead=locked, previous_salesperson=previous, by=by, at=at))
    lead.assigned_to, lead.assigned_at = None, None
    return lead


def lead_rows_move(*, lead: Lead, owner_id: int | None) -> None:
    """Give the lead's status changes and inquiries its new salesperson
    (``lead_owner``, see leads.models.lead_owner_field), inside the transaction
    that (re)assigns it. Trials, follow-ups and deliveries are moved by their
    apps on the same LeadAssigned / LeadUnassigned event (leads.hooks), with
    lead_owner_rows_move."""
    lead_owner_rows_move(LeadStatusChange, LeadInquiry, lead=lead, owner_id=owner_id)


def lead_owner_rows_move(*models, lead: Lead, owner_id: int | None) -> int:
    """Set ``lead_owner`` of the lead's rows in each of ``models`` (rows that
    already have it are left alone); the number of rows moved."""
    return sum(
        model.objects.filter(lead_id=lead.pk).exclude(lead_owner_id=owner_id).update(lead_owner_id=owner_id)
        for model in models
    )


def lead_note_next_followup(*, lead: Lead, due_at: datetime | None) -> None:
    """Record the deadline of the lead's open follow-up (None: none open). The
    reminders app calls this whenever it opens, moves or ends one."""
    Lead.objects.filter(pk=lead.pk).update(next_followup_at=due_at)
    lead.next_followup_at = due_at


def salesperson_rotation() -> Iterator:
    """Active salespeople in a fair endless cycle, starting after whoever got the
    most recent assignment, so successive round-robin runs continue the turn."""
    people = list(roles.salespeople())
    if not people:
        raise ValidationError(NO_SALESPEOPLE)
    last_id = (
        Lead.objects.filter(assigned_to__in=people, assigned_at__isnull=False)
        .order_by("-assigned_at", "-id")
        .values_list("assigned_to_id", flat=True)
        .first()
    )
    ids = [p.pk for p in people]
    start = (ids.index(last_id) + 1) % len(people) if last_id in ids else 0
    return itertools.cycle(people[start:] + people[:start])


def leads_assign_round_robin(*, leads: Iterable[Lead], by=None, at: datetime | None = None) -> dict:
    """Assign ``leads`` in turn across active salespeople; returns {salesperson: count}."""
    rotation = salesperson_rotation()
    at = at or timezone.now()
    counts: dict = {}
    with transaction.atomic():
        for lead in leads:
            person = next(rotation)
            lead_assign(lead=lead, salesperson=person, by=by, at=at)
            counts[person] = counts.get(person, 0) + 1
    return counts
