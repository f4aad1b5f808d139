"""Reads of the intake stream."""
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from intake.models import IntakeChannel, IntakeEvent, IntakeOutcome, IntakeStatus


def local_day_bounds(day) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def intake_counts_for_day(*, day=None) -> list[dict]:
    """Per channel, for one local calendar day (today by default): received,
    created, repeat and failed events. One aggregate query; every channel listed."""
    start, end = local_day_bounds(day or timezone.localdate())
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
        {"channel": channel, "label": channel.label,
         **{k: by_channel.get(channel.value, {}).get(k, 0) for k in ("received", "created", "repeat", "failed")}}
        for channel in IntakeChannel
    ]
