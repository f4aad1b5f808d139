"""Demo analytics for `manage.py seed_demo`: a month of marketing spend per paid
channel (as marketing staff would type or import it), then the rollup of the
last 30 days so the dashboard has real charts. Idempotent, fixed random seed."""

import datetime
import random
from decimal import Decimal

from accounts import roles
from analytics.models import MarketingSpend, SpendSource
from analytics.services.days import local_today
from analytics.services.rollup import analytics_rollup_range

DAYS = 30
# channel: (daily spend range in UZS, impressions per 1 000 UZS, click-through %)
PAID_CHANNELS = {
    "instagram": ((250_000, 600_000), 45, 1.4),
    "telegram": ((120_000, 300_000), 60, 2.1),
    "landing": ((150_000, 350_000), 30, 3.2),  # Google Ads to the landing page
    "call_tracking": ((50_000, 120_000), 20, 0.9),  # radio / billboard numbers
}


def seed(stdout) -> None:
    rng = random.Random(2026)
    today = local_today()
    first = today - datetime.timedelta(days=DAYS - 1)
    manager = roles.salespeople().model.objects.filter(groups__name=roles.MANAGERS).order_by("id").first()
    created = 0
    for offset in range(DAYS):
        day = first + datetime.timedelta(days=offset)
        for channel, ((low, high), per_thousand, ctr) in PAID_CHANNELS.items():
            # Draw every value even for existing rows so the sequence is stable.
            amount = rng.randrange(low, high, 1000)
            cost = Decimal(amount)
            impressions = int(amount / 1000 * per_thousand * rng.uniform(0.8, 1.2))
            clicks = int(impressions * ctr / 100 * rng.uniform(0.8, 1.2))
            _, was_created = MarketingSpend.objects.get_or_create(
                date=day,
                channel=channel,
                defaults={
                    "cost": cost,
                    "impressions": impressions,
                    "clicks": clicks,
                    "source": SpendSource.MANUAL,
                    "entered_by": manager,
                },
            )
            created += was_created
    results = analytics_rollup_range(first=first, last=today)
    stdout.write(
        f"Demo analytics: {created} marketing spend rows added; rolled up {len(results)} days "
        f"({first} to {today}) in {sum(r.duration_ms for r in results) / 1000:.1f} s."
    )
