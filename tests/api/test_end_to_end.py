"""A lead from new to enrolled through the API alone: created from the course
site, assigned by a manager, contacted, interested, booked into a trial,
attended, accepted — with the history, follow-up, trial reminders, enrolment
and the analytics rollup all as the admin's path leaves them. Runs on SQLite
and on PostgreSQL (the suite runs on both)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission

from analytics.models import LeadMetrics, SalesKPI
from analytics.services.rollup import analytics_rollup_day
from leads.models import Lead, LeadStatusChange
from reminders.models import LeadReminder, LeadReminderStatus
from scheduling.models import Enrollment
from tests.api.factories import api_client
from tests.factories import ManagerFactory, SalespersonFactory, UserFactory
from tests.trials.factories import group_meeting_on
from trials.models import Trial, TrialReminder

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=5))
MONDAY_9 = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)


def test_a_lead_goes_from_new_to_enrolled_through_the_api_alone():
    manager, seller = ManagerFactory(), SalespersonFactory()
    # The course site's integration user: no role, only the permission to add leads
    # (it cannot list or read leads, nor is it a salesperson who could be given them).
    site = UserFactory(username="course-site", is_staff=False)
    site.user_permissions.add(Permission.objects.get(codename="add_lead", content_type__app_label="leads"))
    trial_day = MONDAY_9.date() + datetime.timedelta(days=2)
    group = group_meeting_on(trial_day, start=datetime.time(16, 0), end=datetime.time(17, 30))
    with time_machine.travel(MONDAY_9, tick=False):
        site_api, manager_api, seller_api = api_client(site), api_client(manager), api_client(seller)

        # The course site posts the inquiry with its own token.
        created = site_api.post(
            "/api/v1/leads/",
            {"phone": "+998 90 555 44 33", "full_name": "Dilshod", "source": "landing", "course_interest": "IELTS"},
            format="json",
        )
        assert created.status_code == 201, created.json()
        lead_id = created.json()["id"]
        assert created.json()["assigned_to"] is None
        assert site_api.get(f"/api/v1/leads/{lead_id}/").status_code == 403  # it may add, not read

        # A manager hands it to a salesperson.
        assigned = manager_api.post(f"/api/v1/leads/{lead_id}/assign/", {"salesperson": seller.pk}, format="json")
        assert assigned.json()["assigned_to"] == seller.pk
        deadline = seller_api.get(f"/api/v1/follow-ups/?lead={lead_id}").json()["results"]
        assert len(deadline) == 1 and deadline[0]["kind"] == "first_contact"

        # The salesperson calls, finds interest, and looks for a lesson with a free place.
        assert seller_api.post(f"/api/v1/leads/{lead_id}/record-contact/", {}, format="json").json()["status"] == (
            "contacted"
        )
        interested = seller_api.post(f"/api/v1/leads/{lead_id}/change-status/", {"status": "interested"}, format="json")
        assert interested.json()["allowed_next_statuses"] == ["contacted", "lost"]  # the rest come from trials
        lessons = seller_api.get(
            f"/api/v1/groups/{group.pk}/lessons/",
            {"date_from": trial_day.isoformat(), "date_to": trial_day.isoformat()},
        ).json()
        assert lessons == [
            {
                "date": trial_day.isoformat(),
                "start_time": "16:00:00",
                "end_time": "17:30:00",
                "capacity": 12,
                "students": 0,
                "trials": 0,
                "free_places": 12,
                "is_over": False,
            }
        ]
        booked = seller_api.post(
            "/api/v1/trials/", {"lead": lead_id, "group": group.pk, "date": trial_day.isoformat()}, format="json"
        )
        assert booked.status_code == 201, booked.json()
        trial = booked.json()
        assert trial["status"] == "scheduled" and trial["reminder"]["pre_trial_reminder_status"] == "pending"
        assert seller_api.get(f"/api/v1/leads/{lead_id}/").json()["status"] == "trial_scheduled"
        assert seller_api.get(f"/api/v1/groups/{group.pk}/").json()["held_seats"] == 1

        # Attendance cannot be recorded before the lesson starts.
        early = seller_api.post(f"/api/v1/trials/{trial['id']}/mark-attended/", format="json")
        assert early.status_code == 400 and early.json()["code"] == "invalid"

    with time_machine.travel(datetime.datetime.combine(trial_day, datetime.time(17, 35), tzinfo=TZ), tick=False):
        seller_api = api_client(seller)
        attended = seller_api.post(f"/api/v1/trials/{trial['id']}/mark-attended/", format="json")
        assert attended.json()["status"] == "attended"
        offer = seller_api.post(
            f"/api/v1/trials/{trial['id']}/record-result/", {"result": "sales_offer"}, format="json"
        )
        assert offer.json()["result"] == "sales_offer"
        accepted = seller_api.post(
            f"/api/v1/trials/{trial['id']}/record-result/", {"result": "accepted"}, format="json"
        )
        assert accepted.status_code == 200, accepted.json()
        final = seller_api.get(f"/api/v1/leads/{lead_id}/").json()
        assert final["status"] == "enrolled"
        enrolments = seller_api.get(f"/api/v1/enrollments/?lead={lead_id}").json()["results"]
        assert [(e["group"], e["status"]) for e in enrolments] == [(group.pk, "active")]
        history = seller_api.get(f"/api/v1/leads/{lead_id}/history/").json()["results"]
        assert [h["to_status"] for h in history] == [
            "new",
            "contacted",
            "interested",
            "trial_scheduled",
            "trial_attended",
            "enrolled",
        ]
        assert seller_api.get(f"/api/v1/groups/{group.pk}/").json()["active_students"] == 1

    # The same records the admin's path writes: history, the met follow-up, the
    # trial with its reminders, the enrolment; the rollup counts them.
    lead = Lead.objects.get(pk=lead_id)
    assert lead.phone == "+998905554433" and lead.assigned_to == seller
    assert LeadStatusChange.objects.filter(lead=lead).count() == 6
    assert LeadReminder.objects.get(lead=lead).status == LeadReminderStatus.COMPLETED
    assert Trial.objects.get(lead=lead).booked_by == seller
    assert TrialReminder.objects.filter(trial__lead=lead).exists()
    assert Enrollment.objects.get(lead=lead).enrolled_by == seller
    analytics_rollup_day(day=MONDAY_9.date())
    analytics_rollup_day(day=trial_day)
    assert LeadMetrics.objects.get(date=MONDAY_9.date()).total_leads == 1
    assert SalesKPI.objects.get(date=trial_day, salesperson=seller).enrollments == 1
