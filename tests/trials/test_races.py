"""Booking races on PostgreSQL: two receptionists, one last place; one lead,
two bookings at once."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import ensure_role_groups
from tests.trials.factories import book, group_meeting_on
from trials.models import Trial

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(call())
        except ValidationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


@pytest.fixture
def seller():
    ensure_role_groups()
    return SalespersonFactory()


def next_week():
    return datetime.date.today() + datetime.timedelta(days=7)


def test_two_bookings_for_the_last_place_take_it_once(seller):
    day = next_week()
    group = group_meeting_on(day, capacity=1)
    leads = [LeadFactory(assigned_to=seller) for _ in range(4)]
    outcomes = race(*[lambda lead=lead: book(lead=lead, group=group, date=day, by=seller) for lead in leads])
    assert sum(isinstance(o, Trial) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 3
    assert Trial.objects.filter(group=group, scheduled_date=day, status="scheduled").count() == 1


def test_one_lead_booked_twice_at_once_gets_one_trial(seller):
    day = next_week()
    lead = LeadFactory(assigned_to=seller)
    groups = [group_meeting_on(day, capacity=5, start=datetime.time(h), end=datetime.time(h + 1)) for h in (9, 11)]
    outcomes = race(*[lambda g=g: book(lead=lead, group=g, date=day, by=seller) for g in groups])
    assert sum(isinstance(o, Trial) for o in outcomes) == 1
    assert Trial.objects.filter(lead=lead, status="scheduled").count() == 1
    assert lead.status_changes.filter(to_status="trial_scheduled").count() == 1


def test_cancelling_waits_for_the_lead_before_it_locks_the_trial(seller):
    """Lock order is lead, then trial: marking a lead lost locks the lead and
    then cancels its trial, so a trial write that locked the trial first and the
    lead second could deadlock with it. While someone holds the lead, a
    cancellation must wait without holding the trial."""
    from django.db import DatabaseError, transaction

    from leads.models import Lead
    from trials import services

    day = next_week()
    lead = LeadFactory(assigned_to=seller)
    trial = book(lead=lead, group=group_meeting_on(day, capacity=3), date=day, by=seller)
    held, release = threading.Event(), threading.Event()
    outcome = {}

    def hold_lead():
        try:
            with transaction.atomic():
                Lead.objects.select_for_update().get(pk=lead.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    def cancel():
        try:
            outcome["cancel"] = services.trial_cancel(trial=Trial.objects.get(pk=trial.pk), by=seller, reason="x")
        except Exception as exc:
            outcome["cancel"] = exc
        finally:
            connection.close()

    def probe_trial():
        try:
            with transaction.atomic():
                Trial.objects.select_for_update(nowait=True, of=("self",)).get(pk=trial.pk)
            outcome["trial_free"] = True
        except DatabaseError:
            outcome["trial_free"] = False
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lead)
    holder.start()
    assert held.wait(10)
    canceller = threading.Thread(target=cancel)
    canceller.start()
    canceller.join(0.7)  # it is now waiting for the lead
    assert canceller.is_alive()
    prober = threading.Thread(target=probe_trial)
    prober.start()
    prober.join(10)
    release.set()
    holder.join(10)
    canceller.join(10)
    assert outcome["trial_free"] is True
    assert isinstance(outcome["cancel"], Trial) and outcome["cancel"].status == "cancelled"
