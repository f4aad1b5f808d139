"""Reads of the intake stream."""

from django.db.models import Count, Q
from django.utils import timezone

from core.days import day_bounds
from intake.models import IntakeChannel, IntakeEvent, IntakeOutcome, IntakeStatus


def intake_counts_for_day(*, day=None) -> list[dict]:
    """Per channel, for one local calendar day (today by default): received,
    created, repeat and failed events. One aggregate query; every channel listed."""
    start, end = day_bounds(day or timezone.localdate())
    rows = (
        IntakeEvent.objects.filter(received_at__gte=start, received_at__lt=end)
        .values("channel")
        .annotate(
            received=Count("id"),
            created=Count("id", filter=Q(outcome=IntakeOutcome.CREATED)),
            repeat=Count("id", filter=Q(outcome=IntakeOutcome.REPEAT)),
            failed=Count("id", filter=Q(status=IntakeStatus.FAILED)),
        )
        .order_by()
    )
    by_channel = {row["channel"]: row for row in rows}
    return [
        {
            "channel": channel,
            "label": channel.label,
            **{k: by_channel.get(channel.value, {}).get(k, 0) for k in ("received", "created", "repeat", "failed")},
        }
        for channel in IntakeChannel
    ]
