import pytest
from django.core.management import call_command

from core.management.commands.seed_demo import demo_seeders
from leads.models import Lead
from scheduling.models import Group
from trials.models import Trial


def test_seeders_run_in_layer_order_with_analytics_last():
    assert [label for label, _ in demo_seeders()] == [
        "accounts", "leads", "scheduling", "reminders", "trials", "intake", "import_service", "analytics",
    ]  # fmt: skip


@pytest.mark.django_db
def test_seed_demo_builds_a_centre_and_a_second_run_adds_nothing(capsys):
    call_command("seed_demo")
    counts = (Lead.objects.count(), Group.objects.count(), Trial.objects.count())
    assert all(counts), counts
    call_command("seed_demo")
    assert (Lead.objects.count(), Group.objects.count(), Trial.objects.count()) == counts
    assert "Demo data ready." in capsys.readouterr().out
