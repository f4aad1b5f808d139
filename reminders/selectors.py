"""Reads of follow-ups and deliveries, with row-level access applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.days import day_bounds
from leads.selectors import rows_of_visible_leads
from reminders.models import OPEN_REMINDER_STATUSES, Channel, Delivery, DeliveryStatus, LeadReminder
from reminders.sms import DELIVERED, UNDELIVERED


def reminders_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = LeadReminder.objects.all() if queryset is None else queryset
    return rows_of_visible_leads(user, queryset)


def deliveries_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Managers see every delivery; a salesperson those about their own leads
    and those addressed to them that are about no lead. A message sent to them
    about a lead since handed to someone else is not theirs to see any more."""
    from accounts import roles

    queryset = Delivery.objects.all() if queryset is None else queryset
    if roles.is_manager(user):
        return queryset
    if roles.is_salesperson(user):
        # lead_owner: the lead's salesperson, kept on the row (leads.models.lead_owner_field).
        about_mine = Q(lead_owner=user)
        leadless = Q(recipient_user=user, lead__isnull=True)
        # Nearly every delivery is about a lead. An OR with the lead-less ones
        # stops the database from walking the salesperson's own index (it
        # scans every delivery instead), so it is added only for someone who
        # has lead-less deliveries at all.
        if not Delivery.objects.filter(leadless).exists():
            return queryset.filter(about_mine)
        return queryset.filter(about_mine | leadless)
    return queryset.filter(recipient_user=user, lead__isnull=True)


def followups_overdue(*, now: datetime | None = None, queryset: QuerySet | None = None) -> QuerySet:
    """Open follow-ups whose deadline has passed."""
    queryset = LeadReminder.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=OPEN_REMINDER_STATUSES, due_at__lt=now or timezone.now())


def followups_overdue_by_salesperson(*, now: datetime | None = None) -> dict[int, int]:
    """{salesperson id: open follow-ups past their deadline} — for analytics."""
    rows = followups_overdue(now=now).order_by().values("salesperson_id").annotate(n=Count("pk"))
    return {row["salesperson_id"]: row["n"] for row in rows}


def lead_next_followup_subquery() -> Subquery:
    """The earliest open follow-up deadline of the lead in the outer query."""
    return Subquery(
        LeadReminder.objects.filter(lead=OuterRef("pk"), status__in=OPEN_REMINDER_STATUSES)
        .order_by("due_at")
        .values("due_at")[:1]
    )


@dataclass(frozen=True)
class SmsDay:
    day: date
    sent: int  # accepted by the gateway that day
    delivered: int  # of those, reported delivered
    undelivered: int  # of those, reported not delivered (rejected, expired…)
    failed: int  # never accepted: gave up after REMINDER_MAX_ATTEMPTS (by due day)

    @property
    def awaiting(self) -> int:
        return self.sent - self.delivered - self.undelivered


def sms_per_day(first: date, last: date) -> list[SmsDay]:
    """SMS sent, delivered, not delivered and failed per local day of
    [first, last], for the dashboard. Two grouped queries."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    tz = timezone.get_default_timezone()
    sms = Delivery.objects.filter(channel=Channel.SMS).order_by()
    sent = (
        sms.filter(status=DeliveryStatus.SENT, sent_at__gte=start, sent_at__lt=end)
        .annotate(day=TruncDate("sent_at", tzinfo=tz))
        .values("day")
        .annotate(
            sent=Count("pk"),
            delivered=Count("pk", filter=Q(gateway_status__in=DELIVERED)),
            undelivered=Count("pk", filter=Q(gateway_status__in=UNDELIVERED)),
        )
    )
    failed = (
        sms.filter(status=DeliveryStatus.FAILED, next_attempt_at__isnull=True, due_at__gte=start, due_at__lt=end)
        .annotate(day=TruncDate("due_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
    )
    by_day = {row["day"]: row for row in sent}
    failed_by_day = {row["day"]: row["n"] for row in failed}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [
        SmsDay(
            day=day,
            sent=by_day.get(day, {}).get("sent", 0),
            delivered=by_day.get(day, {}).get("delivered", 0),
            undelivered=by_day.get(day, {}).get("undelivered", 0),
            failed=failed_by_day.get(day, 0),
        )
        for day in days
    ]
