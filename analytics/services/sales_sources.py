"""Per-salesperson counters from trials and follow-up reminders, for SalesKPI.

Both apps are read through apps.get_model, so analytics works (with these
counters at zero) on a database where they are not installed. Trial counts are
attributed, like the rest of SalesKPI, to the lead's salesperson (Lead.assigned_to);
follow-ups to the reminder's salesperson, which the reminders app keeps equal to
the lead's salesperson while the reminder is open (no join over every reminder).
"""

from django.apps import apps
from django.db.models import Count, F, Q
from django.utils import timezone

OFFER_RESULTS = ("sales_offer", "accepted", "rejected")


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def trial_counters(*, day, start, end) -> dict[int, dict]:
    Trial = _model("trials", "Trial")
    if Trial is None:
        return {}
    booked = Q(booked_at__gte=start, booked_at__lt=end)
    marked = Q(attendance_marked_at__gte=start, attendance_marked_at__lt=end)
    result = Q(result_recorded_at__gte=start, result_recorded_at__lt=end)
    rows = (
        Trial.objects.filter(booked | marked | result, lead__assigned_to__isnull=False)
        .values("lead__assigned_to")
        .annotate(
            trials_scheduled=Count("id", filter=booked),
            trials_attended=Count("id", filter=marked & Q(status="attended")),
            trials_no_show=Count("id", filter=marked & Q(status="no_show")),
            sales_offers_made=Count("id", filter=result & Q(result__in=OFFER_RESULTS)),
        )
        .order_by()
    )
    return {row.pop("lead__assigned_to"): row for row in rows}


def followup_counters(*, day, start, end) -> dict[int, dict]:
    """Follow-ups whose deadline falls on the day: done by the deadline, or not
    (completed late or still open once the deadline has passed). A range on the
    indexed deadline, and a figure that no longer changes once the day is over."""
    LeadReminder = _model("reminders", "LeadReminder")
    if LeadReminder is None:
        return {}
    # A follow-up cancelled before its deadline (the lead was taken away) is
    # neither met nor missed; cancelled after it, it had already been missed.
    on_time = Q(status="completed", completed_at__isnull=False, completed_at__lte=F("due_at"))
    late = Q(due_at__lt=timezone.now()) & (Q(completed_at__isnull=True) | Q(completed_at__gt=F("due_at")))
    rows = (
        LeadReminder.objects.filter(due_at__gte=start, due_at__lt=end)
        .values("salesperson_id")
        .annotate(followups_completed=Count("id", filter=on_time), followups_overdue=Count("id", filter=late))
        .order_by()
    )
    return {row.pop("salesperson_id"): row for row in rows}
