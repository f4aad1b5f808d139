"""Two rollups of the same day never run at once (PostgreSQL row lock)."""

import datetime
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction

from analytics.models import LeadMetrics, MarketingAnalytics, RollupRun
from analytics.services.rollup import analytics_rollup_day, rollup_day_lock
from tests.analytics.helpers import local
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import ensure_role_groups

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = datetime.date(2026, 11, 20)


def in_thread(target, *args):
    errors = []

    def run():
        try:
            target(*args)
        except Exception as exc:  # surfaced by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def test_a_second_rollup_of_the_same_day_waits_for_the_first():
    ensure_role_groups()
    LeadFactory(created_at=local(D, 10))
    held, release = threading.Event(), threading.Event()

    def hold_the_day():
        with transaction.atomic():
            rollup_day_lock(D)
            held.set()
            release.wait(10)

    holder, holder_errors = in_thread(hold_the_day)
    assert held.wait(5)
    finished_at = {}
    second, second_errors = in_thread(
        lambda: (analytics_rollup_day(day=D), finished_at.setdefault("t", time.monotonic()))
    )
    other_day, other_errors = in_thread(lambda: analytics_rollup_day(day=D + datetime.timedelta(days=1)))
    other_day.join(5)
    assert not other_day.is_alive(), "another day is not blocked"
    time.sleep(0.5)
    assert second.is_alive() and "t" not in finished_at, "the second rollup of the day must wait"
    released_at = time.monotonic()
    release.set()
    holder.join(5)
    second.join(10)
    assert not second.is_alive()
    assert finished_at["t"] >= released_at
    assert holder_errors == second_errors == other_errors == []
    assert LeadMetrics.objects.get(date=D).total_leads == 1


def test_concurrent_rollups_of_a_new_day_both_succeed_with_one_set_of_rows():
    ensure_role_groups()
    LeadFactory(created_at=local(D, 10), source="telegram")
    barrier = threading.Barrier(2)

    def roll():
        barrier.wait(5)
        analytics_rollup_day(day=D)

    threads = [in_thread(roll) for _ in range(2)]
    for thread, _ in threads:
        thread.join(20)
    assert [errors for _, errors in threads] == [[], []]
    assert RollupRun.objects.get(date=D).runs == 2
    assert LeadMetrics.objects.filter(date=D).count() == 1
    assert MarketingAnalytics.objects.filter(date=D).count() == 8
    assert MarketingAnalytics.objects.get(date=D, channel="telegram").leads_generated == 1


def test_the_every_minute_rollup_of_today_skips_while_one_is_running():
    """A rollup of today still under way makes the next minute's skip at once
    (it would only queue behind it and recompute the same); a waiting rollup,
    e.g. the nightly one, still waits."""
    from analytics import tasks

    ensure_role_groups()
    LeadFactory(created_at=local(D, 10))
    RollupRun.objects.create(date=D)  # as after the day's first rollup
    held, release = threading.Event(), threading.Event()

    def hold_the_day():
        with transaction.atomic():
            rollup_day_lock(D)
            held.set()
            release.wait(10)

    holder, holder_errors = in_thread(hold_the_day)
    assert held.wait(5)
    try:
        started = time.monotonic()
        assert analytics_rollup_day(day=D, skip_if_running=True) is None
        with time_machine.travel(local(D, 10, 1), tick=False):
            assert tasks.rollup_today.delay().get() == "2026-11-20 skipped"
        assert time.monotonic() - started < 2, "a skipped rollup does not wait for the lock"
        assert not LeadMetrics.objects.filter(date=D).exists()
    finally:
        release.set()
        holder.join(5)
    assert holder_errors == []
    assert analytics_rollup_day(day=D, skip_if_running=True).lead_metrics.total_leads == 1
