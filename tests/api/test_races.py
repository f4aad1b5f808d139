"""Races through the API on PostgreSQL: the services' locks and constraints
decide, and the loser gets the usual 400, never a 500."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from leads.models import Lead
from tests.api.factories import api_client, token_for
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import ensure_role_groups
from tests.trials.factories import group_meeting_on
from trials.models import Trial

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def seller():
    ensure_role_groups()
    return SalespersonFactory()


def test_four_salespeople_booking_the_last_place_at_once_get_one_201_and_three_400s(seller):
    day = timezone.localdate() + datetime.timedelta(days=7)
    group = group_meeting_on(day, capacity=1)
    leads = [LeadFactory(assigned_to=seller) for _ in range(4)]
    token = token_for(seller)

    def book(lead):
        return api_client(token=token).post(
            "/api/v1/trials/", {"lead": lead.pk, "group": group.pk, "date": day.isoformat()}, format="json"
        )

    responses = race(*[lambda lead=lead: book(lead) for lead in leads])
    assert sorted(r.status_code for r in responses) == [201, 400, 400, 400]
    assert all(r.json()["code"] == "invalid" for r in responses if r.status_code == 400)
    assert Trial.objects.filter(group=group, scheduled_date=day, status="scheduled").count() == 1


def test_the_same_phone_created_twice_at_once_makes_one_lead(seller):
    token = token_for(seller)

    def create():
        return api_client(token=token).post(
            "/api/v1/leads/", {"phone": "+998 90 700 00 01", "source": "landing"}, format="json"
        )

    responses = race(create, create, create)
    assert sorted(r.status_code for r in responses) == [201, 400, 400]
    assert all("phone" in r.json()["fields"] for r in responses if r.status_code == 400)
    assert Lead.objects.filter(phone="+998907000001").count() == 1
