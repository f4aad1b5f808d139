"""Set-based lead registration: many inquiries at once, the same history as one.

``leads_bulk_register`` does for a chunk of rows what
``leads.services.lead_register_inquiry`` does for one: a new phone becomes a
lead with its first LeadStatusChange ("" → new) and LeadInquiry; a known phone
(in the database, or earlier in the same run) gets a repeat LeadInquiry, its
``inquiry_count`` / ``last_inquiry_*`` counted up and blank details filled in,
never overwritten; a lost lead is reopened through ``lead_change_status``.

It only uses the lead models and services, with a fixed number of queries per
chunk. The unique phone constraint is the guard against a concurrent webhook
or import: an insert that hits it is rolled back to a savepoint, the phones
that someone else created meanwhile are re-read and treated as known, and the
rest is inserted again.
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.models import Lead, LeadInquiry, LeadStatus, LeadStatusChange
from leads.services import _FILLABLE_FIELDS, lead_change_status

MAX_INSERT_RETRIES = 5


@dataclass
class BulkEntry:
    """One inquiry to register. ``phone`` is already normalised (E.164)."""

    key: int
    phone: str
    at: datetime
    details: dict = field(default_factory=dict)
    # True when ``at`` is the inquiry's own time (from the file): the same
    # (lead, source, time) is then recorded once, so re-importing a file
    # does not count its inquiries again.
    timed: bool = False


@dataclass
class BulkOutcome:
    key: int
    created: bool
    lead_id: int | None  # None only for a lead a dry run would create


def _fill_blanks(target: dict, details: dict) -> None:
    for name, value in details.items():
        if value and not target.get(name):
            target[name] = value


def leads_bulk_register(
    *,
    entries: Sequence[BulkEntry],
    source: str,
    by=None,
    assign: Callable[[], object] | None = None,
    seen: dict[str, int | None],
    dry_run: bool = False,
    now: datetime | None = None,
) -> list[BulkOutcome]:
    """Register ``entries`` (one chunk, in file order); returns one outcome per entry.

    ``seen`` maps phones registered earlier in the same run to their lead id
    and is updated; a dry run relies on it for repeats within the file, since
    it writes nothing. ``assign`` gives the salesperson for each new lead.
    Must run inside a transaction (the caller's), except for a dry run.
    """
    now = now or timezone.now()
    by_phone: dict[str, list[BulkEntry]] = {}
    for entry in entries:
        by_phone.setdefault(entry.phone, []).append(entry)

    lookup = Lead.objects.filter(phone__in=list(by_phone))
    if not dry_run:
        lookup = lookup.select_for_update()
    existing: dict[str, Lead] = {lead.phone: lead for lead in lookup}

    new_phones = [p for p in by_phone if p not in existing and not (dry_run and p in seen)]
    outcomes: dict[int, BulkOutcome] = {}

    if dry_run:
        for phone, group in by_phone.items():
            known = phone in existing or phone in seen
            lead_id = existing[phone].pk if phone in existing else seen.get(phone)
            for position, entry in enumerate(group):
                created = not known and position == 0
                outcomes[entry.key] = BulkOutcome(entry.key, created, lead_id)
            seen.setdefault(phone, lead_id)
        return [outcomes[e.key] for e in entries]

    created_leads = _insert_new(
        phones=new_phones, by_phone=by_phone, existing=existing, source=source, assign=assign, now=now
    )

    # History for the new leads, exactly as lead_save_new writes it.
    changes, inquiries = [], []
    for lead in created_leads:
        group = by_phone[lead.phone]
        first = group[0]
        changes.append(LeadStatusChange(lead_id=lead.pk, from_status="", to_status=LeadStatus.NEW,
                                        changed_by=by, changed_at=first.at))
        inquiries.append(LeadInquiry(lead_id=lead.pk, source=source, received_at=first.at, is_repeat=False))
        outcomes[first.key] = BulkOutcome(first.key, True, lead.pk)
        for entry in group[1:]:
            outcomes[entry.key] = BulkOutcome(entry.key, False, lead.pk)
        for entry in _repeats_to_record(group[1:], {first.at} if first.timed else set()):
            inquiries.append(LeadInquiry(lead_id=lead.pk, source=source, received_at=entry.at, is_repeat=True))
        seen[lead.phone] = lead.pk

    # Repeats on leads that already existed.
    repeated = [existing[p] for p in by_phone if p in existing]
    recorded_times: dict[int, set] = {}
    if repeated:
        for lead_id, received_at in LeadInquiry.objects.filter(
            lead__in=[lead.pk for lead in repeated], source=source
        ).values_list("lead_id", "received_at"):
            recorded_times.setdefault(lead_id, set()).add(received_at)
    update_fields = {"inquiry_count", "last_inquiry_at", "last_inquiry_source", "updated_at"}
    to_reopen = []
    for lead in repeated:
        recorded = 0
        for entry in by_phone[lead.phone]:
            outcomes[entry.key] = BulkOutcome(entry.key, False, lead.pk)
        for entry in _repeats_to_record(by_phone[lead.phone], recorded_times.get(lead.pk, set())):
            inquiries.append(LeadInquiry(lead_id=lead.pk, source=source, received_at=entry.at, is_repeat=True))
            recorded += 1
            for name, value in entry.details.items():
                if name in _FILLABLE_FIELDS and value and not getattr(lead, name):
                    setattr(lead, name, value)
                    update_fields.add(name)
            if lead.last_inquiry_at is None or entry.at >= lead.last_inquiry_at:
                lead.last_inquiry_at = entry.at
                lead.last_inquiry_source = source
        lead.inquiry_count += recorded
        lead.updated_at = now
        seen[lead.phone] = lead.pk
        if recorded and lead.status == LeadStatus.LOST:
            to_reopen.append((lead, max(e.at for e in by_phone[lead.phone])))
    if repeated:
        Lead.objects.bulk_update(repeated, sorted(update_fields), batch_size=500)
    if changes:
        LeadStatusChange.objects.bulk_create(changes, batch_size=1000)
    if inquiries:
        LeadInquiry.objects.bulk_create(inquiries, batch_size=1000)
    for lead, at in to_reopen:  # rare: per row is fine, and keeps the one status path
        lead_change_status(lead=lead, to_status=LeadStatus.NEW, at=at,
                           note=f"Reopened by a repeat inquiry ({source} import)")
    return [outcomes[e.key] for e in entries]


def _repeats_to_record(group: Sequence[BulkEntry], recorded: set) -> list[BulkEntry]:
    """The repeats of ``group`` to record: all of them, except a timed inquiry
    whose time is already recorded for the lead (the same row imported again)."""
    keep, recorded = [], set(recorded)
    for entry in group:
        if entry.timed:
            if entry.at in recorded:
                continue
            recorded.add(entry.at)
        keep.append(entry)
    return keep


def _insert_new(*, phones, by_phone, existing, source, assign, now) -> list[Lead]:
    """Insert leads for ``phones``; phones another transaction created meanwhile
    are moved to ``existing`` (locked) instead."""
    pending = list(phones)
    assignees = {phone: (assign() if assign else None) for phone in pending}
    for _attempt in range(MAX_INSERT_RETRIES):
        if not pending:
            return []
        leads = [_build_lead(phone, by_phone[phone], source, assignees[phone], now) for phone in pending]
        try:
            with transaction.atomic():
                return Lead.objects.bulk_create(leads, batch_size=1000)
        except IntegrityError:
            taken = {lead.phone: lead for lead in Lead.objects.select_for_update().filter(phone__in=pending)}
            if not taken:
                raise
            existing.update(taken)
            pending = [p for p in pending if p not in taken]
    raise IntegrityError("Could not insert leads: phones kept being taken by concurrent writers.")


def _build_lead(phone: str, group: list[BulkEntry], source: str, assignee, now: datetime) -> Lead:
    details: dict = {}
    _fill_blanks(details, group[0].details)
    for entry in group[1:]:
        _fill_blanks(details, {k: v for k, v in entry.details.items() if k in _FILLABLE_FIELDS})
    first_at = group[0].at
    return Lead(
        phone=phone,
        source=source,
        status=LeadStatus.NEW,
        created_at=first_at,
        status_changed_at=first_at,
        inquiry_count=1 + len(_repeats_to_record(group[1:], {group[0].at} if group[0].timed else set())),
        last_inquiry_at=max(e.at for e in group),
        last_inquiry_source=source,
        assigned_to=assignee,
        assigned_at=now if assignee is not None else None,
        **details,
    )
