"""Writes of the marketing inputs: MarketingSpend typed in admin or imported from
an ad-platform export (read by ``marketing_export``), and the re-roll of the
days they change.

Inputs live in MarketingSpend; the rollup reads them into MarketingAnalytics and
never writes them back, so re-running a rollup never overwrites what people typed.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from analytics.models import MarketingSpend, SpendSource
from analytics.services.marketing_export import parse_ad_spend_export
from analytics.services.marketing_metrics import CENT
from analytics.tasks import rollup_days
from core.tasks import enqueue_on_commit
from leads.models import LeadSource

UNKNOWN_CHANNEL = _("Unknown channel “{value}”. Known channels: {known}.")
NEGATIVE_VALUE = _("{field} cannot be negative.")


@dataclass(frozen=True)
class SpendImportResult:
    created: int
    updated: int
    days: list[datetime.date]


def _validate_channel(channel: str) -> None:
    if channel not in LeadSource.values:
        raise ValidationError({"channel": UNKNOWN_CHANNEL.format(value=channel, known=", ".join(LeadSource.values))})


def marketing_rollup_enqueue(days: Iterable[datetime.date]) -> None:
    """Re-roll ``days`` in the worker once the current transaction commits: the
    one place marketing writes enqueue work."""
    # If the broker is down, analytics_rollup_stale_spend_days (every 15 minutes) re-rolls them.
    enqueue_on_commit(rollup_days, sorted({d.isoformat() for d in days}))


def marketing_spend_record(
    *, date: datetime.date, channel: str, impressions: int, clicks: int, cost, by=None, note: str = ""
) -> MarketingSpend:
    """Store what marketing staff typed for one day and channel (create or replace),
    then re-roll that day so its marketing figures follow."""
    _validate_channel(channel)
    for name, value in ((_("Impressions"), impressions), (_("Clicks"), clicks), (_("Cost"), cost)):
        if value is None or value < 0:
            raise ValidationError(NEGATIVE_VALUE.format(field=name))
    with transaction.atomic():
        spend, _created = MarketingSpend.objects.update_or_create(
            date=date,
            channel=channel,
            defaults={
                "impressions": impressions,
                "clicks": clicks,
                "cost": Decimal(cost).quantize(CENT),
                "source": SpendSource.MANUAL,
                "entered_by": by,
                "note": note[:255],
            },
        )
        marketing_rollup_enqueue([date])
    return spend


def marketing_spend_import(*, raw: bytes, channel: str, by=None, name: str = "ad-spend export") -> SpendImportResult:
    """Import an ad-platform export (``name``: the file's name, for messages) for
    ``channel``: one MarketingSpend per day (created, or replaced with the
    platform's figures), all or nothing, then re-roll the imported days."""
    _validate_channel(channel)
    per_day = parse_ad_spend_export(raw, name=name)
    created = updated = 0
    with transaction.atomic():
        for day, figures in sorted(per_day.items()):
            _spend, was_created = MarketingSpend.objects.update_or_create(
                date=day,
                channel=channel,
                defaults={
                    "impressions": figures["impressions"],
                    "clicks": figures["clicks"],
                    "cost": figures["cost"].quantize(CENT),
                    "source": SpendSource.IMPORT,
                    "entered_by": by,
                },
            )
            created += was_created
            updated += not was_created
        marketing_rollup_enqueue(per_day)
    return SpendImportResult(created=created, updated=updated, days=sorted(per_day))
