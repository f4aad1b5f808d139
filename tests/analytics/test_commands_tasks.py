"""rollup_analytics command and the Celery tasks: thin callers of the rollup."""

import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from analytics import tasks
from analytics.models import LeadMetrics, RollupRun
from crm_project.celery import BEAT_SCHEDULE
from tests.analytics.factories import MarketingSpendFactory
from tests.analytics.helpers import local
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 11, 20)


def rolled_days():
    return list(LeadMetrics.objects.order_by("date").values_list("date", flat=True))


class TestCommand:
    def test_one_date(self):
        LeadFactory(created_at=local(D, 23, 30))
        out = StringIO()
        call_command("rollup_analytics", "--date", "2026-11-20", stdout=out)
        assert "Rolled up 1 day(s), 2026-11-20 to 2026-11-20" in out.getvalue()
        assert LeadMetrics.objects.get(date=D).total_leads == 1

    def test_json_names_the_days_rolled_up(self):
        out = StringIO()
        call_command("rollup_analytics", "--from", "2026-11-18", "--to", "2026-11-20", "--json", stdout=out)
        result = json.loads(out.getvalue())
        assert {k: result[k] for k in ("first", "last", "days")} == {
            "first": "2026-11-18",
            "last": "2026-11-20",
            "days": 3,
        }
        assert result["duration_ms"] >= 0
        assert rolled_days() == [D - datetime.timedelta(days=2), D - datetime.timedelta(days=1), D]

    def test_range(self):
        call_command("rollup_analytics", "--from", "2026-11-18", "--to", "2026-11-20", stdout=StringIO())
        assert rolled_days() == [D - datetime.timedelta(days=2), D - datetime.timedelta(days=1), D]

    @time_machine.travel(local(D, 0, 5), tick=False)
    def test_default_is_yesterday_and_today_local(self):
        call_command("rollup_analytics", stdout=StringIO())
        assert rolled_days() == [D - datetime.timedelta(days=1), D]

    @pytest.mark.parametrize(
        "args, message",
        [
            (["--date", "20.11.2026"], "is not a date"),
            (["--from", "2026-11-20"], "--from and --to go together"),
            (["--date", "2026-11-20", "--from", "2026-11-19", "--to", "2026-11-20"], "either --date or --from/--to"),
            (["--from", "2026-11-21", "--to", "2026-11-20"], "is after the end date"),
        ],
    )
    def test_bad_arguments(self, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("rollup_analytics", *args, stdout=StringIO())
        assert not LeadMetrics.objects.exists()


class TestTasks:
    @time_machine.travel(local(D, 0, 20), tick=False)
    def test_today_and_yesterday_are_local_days(self):
        assert tasks.rollup_today.delay().get() == "2026-11-20"
        assert tasks.rollup_yesterday.delay().get() == "2026-11-19"
        assert rolled_days() == [D - datetime.timedelta(days=1), D]

    def test_rollup_days_takes_iso_dates(self):
        tasks.rollup_days.delay(["2026-11-20", "2026-11-21"])
        assert rolled_days() == [D, D + datetime.timedelta(days=1)]
        assert RollupRun.objects.count() == 2

    def test_beat_runs_today_every_minute_stale_spend_every_15_and_yesterday_nightly(self):
        today = BEAT_SCHEDULE["analytics-rollup-today"]
        stale = BEAT_SCHEDULE["analytics-rollup-stale-spend-days"]
        nightly = BEAT_SCHEDULE["analytics-rollup-yesterday"]
        assert today["task"] == tasks.rollup_today.name
        assert stale["task"] == tasks.rollup_stale_spend_days.name
        assert nightly["task"] == tasks.rollup_yesterday.name
        # Every minute, and a run the workers could not start within the minute is dropped.
        assert today["schedule"] == datetime.timedelta(seconds=60)
        assert today["options"]["expires"] < 60
        assert stale["schedule"].minute == {0, 15, 30, 45}
        assert (nightly["schedule"].hour, nightly["schedule"].minute) == ({0}, {20})

    def test_todays_rollup_runs_on_the_short_queue_other_rollups_on_the_long_one(self):
        from crm_project.celery import app

        def queue(name):
            return app.amqp.router.route({}, name)["queue"].name

        assert queue(tasks.rollup_today.name) == "default"  # never behind an import
        assert queue(tasks.rollup_yesterday.name) == queue(tasks.rollup_days.name) == "long"

    def test_the_every_minute_rollup_is_only_today(self):
        old = D - datetime.timedelta(days=5)
        MarketingSpendFactory(date=old)  # entered, never rolled up: the 15-minute task's job
        with time_machine.travel(local(D, 10), tick=False):
            assert tasks.rollup_today.delay().get() == "2026-11-20"
            assert rolled_days() == [D]
            assert tasks.rollup_stale_spend_days.delay().get() == [old.isoformat()]
        assert rolled_days() == [old, D]

    def test_todays_figures_on_the_dashboard_are_a_minute_behind_at_most(self, manager_client):
        page = reverse("admin:analytics_dashboard_changelist")
        with time_machine.travel(local(D, 10, 44), tick=False):
            LeadFactory(created_at=timezone.now())
        with time_machine.travel(local(D, 10, 45), tick=False):
            tasks.rollup_today.delay()  # the beat's run of 10:45
        with time_machine.travel(local(D, 10, 46), tick=False):
            html = manager_client.get(page, {"range": "today"}).content.decode()
        assert 'data-label="New leads" data-value="1"' in html
        assert "Updated 10:45 (today so far)" in html
