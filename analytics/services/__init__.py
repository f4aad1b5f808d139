"""Writes of the analytics app, and what they compute from:

- ``rollup``: the daily rollup of one local day (with ``groups`` and ``sales_sources``);
- ``marketing_metrics``: the pure arithmetic of the marketing figures (the rollup's only marketing import);
- ``marketing_export``: reading an ad-platform daily report (no database);
- ``marketing_spend``: MarketingSpend typed or imported, and the re-roll it enqueues;
- ``days``: local calendar days.
"""
