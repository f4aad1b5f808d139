"""The arithmetic of the stored marketing figures (CTR, CPL, CPA; definitions in
analytics/METRICS.md). Pure: no database, no files, no tasks — the rollup imports
only this module of the marketing ones.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def marketing_figures(*, impressions: int, clicks: int, cost, leads: int, enrollments: int) -> dict:
    """The stored marketing figures of one day and channel (see METRICS.md)."""
    cost = Decimal(cost).quantize(CENT)

    def ratio(numerator, denominator, scale=1):
        if not denominator:
            return None
        return (Decimal(numerator) * scale / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)

    return {
        "impressions": impressions,
        "clicks": clicks,
        "ctr": ratio(clicks, impressions, 100),
        "leads_generated": leads,
        "cost_total": cost,
        "cpl": ratio(cost, leads),
        "enrollments_from_channel": enrollments,
        "cpa": ratio(cost, enrollments),
    }
