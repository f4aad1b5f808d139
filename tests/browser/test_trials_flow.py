"""The money path, entirely in admin, as a salesperson: a new lead → contact
recorded → trial booked from the lead page → attended → sales offer →
accepted → enrolled."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.permissions import restore_role_grants
from leads.models import LeadStatus
from reminders.models import LeadReminder
from scheduling.models import Enrollment
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.trials.factories import group_meeting_on
from trials.models import Trial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lesson_in_progress():
    """Today's lesson that started a little while ago (so attendance can be
    recorded) and is not over (so it can still be booked)."""
    now = timezone.localtime()
    start = max(now - datetime.timedelta(minutes=30), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(now + datetime.timedelta(minutes=60), now.replace(hour=23, minute=59, second=0, microsecond=0))
    return group_meeting_on(
        now.date(),
        name="IELTS Trial Evening",
        start=start.time().replace(second=0, microsecond=0),
        end=end.time().replace(second=0, microsecond=0),
        capacity=6,
    )


def test_lead_goes_from_new_to_enrolled_in_admin(page, admin_login):
    restore_role_grants()  # transaction=True: earlier tests emptied the role groups
    seller = SalespersonFactory(first_name="Malika", last_name="Tursunova")
    lead = LeadFactory(full_name="Dilshod Rakhimov", assigned_to=seller, course_interest="IELTS")
    group = lesson_in_progress()
    admin_login(seller)

    # the lead list shows the first-contact deadline
    page.goto("/admin/leads/lead/")
    row = page.locator("#result_list tr", has_text="Dilshod Rakhimov")
    expect(row.locator(".badge-orange, .badge-red")).to_have_count(1)
    row.get_by_role("link", name="Dilshod Rakhimov").click()

    # record the first contact
    expect(page.locator(".field-follow_up_panel")).to_contain_text("First contact")
    page.get_by_role("button", name="Record contact").click()
    expect(page.locator(".messagelist")).to_contain_text("Contact with Dilshod Rakhimov")
    expect(page.locator(".field-status_label")).to_contain_text("Contacted")
    expect(page.locator(".field-follow_up_panel")).to_contain_text("No open follow-up")

    # book a trial: only lessons that fit are offered
    page.get_by_role("link", name="Book trial").click()
    session = page.locator("#id_session")
    option = session.locator("option", has_text="IELTS Trial Evening").first
    expect(option).to_contain_text("free places")
    session.select_option(option.get_attribute("value"))
    page.fill("#id_notes", "Wants the evening group")
    page.get_by_role("button", name="Book trial").click()
    expect(page.locator(".messagelist")).to_contain_text("Booked")
    expect(page.locator(".field-status_label")).to_contain_text("Trial scheduled")

    # the lesson has started: mark attended on the trial page
    page.locator(".field-trials_panel a", has_text="IELTS Trial Evening").click()
    expect(page.locator(".field-flags")).to_contain_text("Attendance due")
    page.get_by_role("link", name="Mark attended").click()  # asks first
    expect(page.locator("#content")).to_contain_text("cannot be undone")
    page.get_by_role("button", name="Mark attended").click()
    expect(page.locator(".messagelist")).to_contain_text("attended the trial")
    expect(page.locator(".field-status_label")).to_contain_text("Attended")

    # the offer, then the yes
    page.get_by_role("link", name="Record result").click()
    page.get_by_label("Sales offer made").check()
    page.get_by_role("button", name="Record result").click()
    expect(page.locator(".field-result_label")).to_contain_text("Sales offer made")
    page.get_by_role("link", name="Record result").click()
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Record result").click()
    expect(page.locator(".field-result_label")).to_contain_text("Accepted")

    # back on the lead: enrolled
    page.goto(f"/admin/leads/lead/{lead.pk}/change/")
    expect(page.locator(".field-status_label")).to_contain_text("Enrolled")

    lead.refresh_from_db()
    assert lead.status == LeadStatus.ENROLLED
    assert list(lead.status_changes.values_list("to_status", flat=True)) == [
        "new",
        "contacted",
        "trial_scheduled",
        "trial_attended",
        "enrolled",
    ]
    assert Enrollment.objects.filter(lead=lead, group=group, status="active").exists()
    trial = Trial.objects.get(lead=lead)
    assert (trial.status, trial.result, trial.notes) == ("attended", "accepted", "Wants the evening group")
    assert LeadReminder.objects.get(lead=lead).status == "completed"
