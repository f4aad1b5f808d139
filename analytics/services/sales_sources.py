"""Per-salesperson counters from trials and follow-up reminders, for SalesKPI.

Trial counts are attributed, like the rest of SalesKPI, to the lead's
salesperson (Lead.assigned_to); follow-ups to the reminder's salesperson, which the reminders app keeps equal to
the lead's salesperson while the reminder is open (no join over every reminder).
"""

from django.db.models import Count, F, Q
from django.utils import timezone

from reminders.models import LeadReminder, LeadReminderStatus
from trials.models import Trial, TrialResult, TrialStatus

OFFER_RESULTS = (TrialResult.SALES_OFFER, TrialResult.ACCEPTED, TrialResult.REJECTED)


def trial_counters(*, day, start, end) -> dict[int | None, dict]:
    """Keyed by the lead's salesperson; trials of unassigned leads under None
    (they count in LeadMetrics, in no SalesKPI row)."""
    booked = Q(booked_at__gte=start, booked_at__lt=end)
    marked = Q(attendance_marked_at__gte=start, attendance_marked_at__lt=end)
    result = Q(result_recorded_at__gte=start, result_recorded_at__lt=end)
    rows = (
        Trial.objects.filter(booked | marked | result)
        .values("lead__assigned_to")
        .annotate(
            trials_scheduled=Count("id", filter=booked),
            trials_attended=Count("id", filter=marked & Q(status=TrialStatus.ATTENDED)),
            trials_no_show=Count("id", filter=marked & Q(status=TrialStatus.NO_SHOW)),
            sales_offers_made=Count("id", filter=result & Q(result__in=OFFER_RESULTS)),
        )
        .order_by()
    )
    return {row.pop("lead__assigned_to"): row for row in rows}


def followup_counters(*, day, start, end) -> dict[int, dict]:
    """Follow-ups whose deadline falls on the day: done by the deadline, or not
    (completed late or still open once the deadline has passed). A range on the
    indexed deadline, and a figure that no longer changes once the day is over."""
    # A follow-up cancelled before its deadline (the lead was taken away) is
    # neither met nor missed; cancelled after it, it had already been missed.
    on_time = Q(status=LeadReminderStatus.COMPLETED, completed_at__isnull=False, completed_at__lte=F("due_at"))
    late = Q(due_at__lt=timezone.now()) & (Q(completed_at__isnull=True) | Q(completed_at__gt=F("due_at")))
    rows = (
        LeadReminder.objects.filter(due_at__gte=start, due_at__lt=end)
        .values("salesperson_id")
        .annotate(followups_completed=Count("id", filter=on_time), followups_overdue=Count("id", filter=late))
        .order_by()
    )
    return {row.pop("salesperson_id"): row for row in rows}
