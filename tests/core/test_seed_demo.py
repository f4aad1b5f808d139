"""seed_demo: a realistic centre, idempotent, in layer order; on a
production-like site (DEBUG off) refused unless asked for, and then no login
opens with the published demo password."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from core.management.commands import seed_demo
from core.management.commands.seed_demo import demo_seeders
from leads.models import Lead
from scheduling.models import Group
from trials.models import Trial


def run_seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seeders_run_in_layer_order_with_analytics_last():
    assert [label for label, _ in demo_seeders()] == [
        "accounts", "leads", "scheduling", "reminders", "trials", "intake", "import_service", "analytics",
    ]  # fmt: skip


@pytest.mark.django_db
def test_seed_demo_builds_a_centre_and_a_second_run_adds_nothing(capsys, settings):
    settings.DEBUG = True  # development, where make run seeds
    call_command("seed_demo")
    counts = (Lead.objects.count(), Group.objects.count(), Trial.objects.count())
    assert all(counts), counts
    call_command("seed_demo")
    assert (Lead.objects.count(), Group.objects.count(), Trial.objects.count()) == counts
    assert "Demo data ready." in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production"):
        run_seed()
    assert not Lead.objects.exists() and not User.objects.filter(username="dilnoza").exists()


@pytest.mark.django_db
def test_seed_demo_with_allow_production_publishes_no_password(settings):
    settings.DEBUG = False
    output = run_seed("--allow-production")
    assert str(DEMO_PASSWORD) not in output
    assert "without a password" in output and "changepassword" in output
    manager = User.objects.get(username="dilnoza")
    assert not manager.has_usable_password() and not manager.check_password(DEMO_PASSWORD)
    assert Lead.objects.exists()


@pytest.mark.django_db
def test_seed_demo_in_development_prints_the_demo_password(settings, monkeypatch):
    settings.DEBUG = True
    staff_only = [(label, seed) for label, seed in demo_seeders() if label == "accounts"]
    monkeypatch.setattr(seed_demo, "demo_seeders", lambda: iter(staff_only))  # the staff are what this is about
    output = run_seed()
    assert str(DEMO_PASSWORD) in output
    assert User.objects.get(username="aziz").check_password(DEMO_PASSWORD)
