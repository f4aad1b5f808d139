"""Reads of follow-ups and deliveries, with row-level access applied."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from leads.selectors import leads_visible_to
from reminders.models import OPEN_REMINDER_STATUSES, Delivery, LeadReminder


def reminders_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = LeadReminder.objects.all() if queryset is None else queryset
    return queryset.filter(lead__in=leads_visible_to(user).values("pk"))


def deliveries_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Managers see every delivery; a salesperson those about their own leads
    and those addressed to them that are about no lead. A message sent to them
    about a lead since handed to someone else is not theirs to see any more."""
    from accounts import roles

    queryset = Delivery.objects.all() if queryset is None else queryset
    if roles.is_manager(user):
        return queryset
    return queryset.filter(Q(lead__in=leads_visible_to(user).values("pk")) | Q(recipient_user=user, lead__isnull=True))


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
