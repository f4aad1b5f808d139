"""Time as people read it: durations in words, local times (inline rows too),
labels instead of codes in history, and "Unnamed" for a lead without a name."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.badges import deadline_badge
from leads import services
from leads.models import LeadStatus, LeadStatusChange
from reminders.followups import source as followup_source
from reminders.models import Delivery, LeadReminder
from tests.leads.factories import LeadFactory
from tests.trials.factories import book, group_meeting_on

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_passed_deadline_says_how_late_in_words():
    html = deadline_badge(NOW - datetime.timedelta(days=2, hours=3, minutes=5), now=NOW)
    assert html == '<span class="badge badge-red">2 d 3 h overdue</span>'


def test_a_history_row_reads_as_labels_not_codes():
    change = LeadStatusChange(from_status=LeadStatus.TRIAL_ATTENDED, to_status=LeadStatus.ENROLLED)
    assert str(change) == "Trial attended → Enrolled"
    assert str(LeadStatusChange(from_status="", to_status=LeadStatus.NEW)) == "— → New"


def test_a_lead_without_a_name_is_unnamed_in_its_string_the_list_and_notifications(manager_client, salesperson):
    lead = LeadFactory(full_name="", assigned_to=salesperson)
    assert str(lead).startswith("Unnamed (")
    html = manager_client.get(reverse("admin:leads_lead_changelist")).content.decode()
    assert ">Unnamed</a>" in html
    reminder = LeadReminder.objects.get(lead=lead)
    delivery = Delivery(object_id=reminder.pk, recipient_user=salesperson, occurrence="1")
    message = followup_source.prepare(delivery=delivery, now=reminder.due_at + datetime.timedelta(hours=2))
    assert "with Unnamed (" in message.text and "2 h overdue" in message.text
    assert message.subject == f"Overdue: contact {lead}"


def test_inline_history_rows_show_local_time(manager_client):
    lead = LeadFactory()
    services.lead_change_status(
        lead=lead, to_status=LeadStatus.CONTACTED, at=datetime.datetime(2026, 11, 26, 5, 7, tzinfo=datetime.UTC)
    )
    html = manager_client.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
    assert "26.11.2026 10:07" in html  # 05:07 UTC is 10:07 in Tashkent
    assert "26.11.2026 05:07" not in html


def test_the_trial_list_says_how_soon_a_trial_starts_in_words(manager_client, salesperson):
    group = group_meeting_on(NOW.date(), start=datetime.time(11, 20), end=datetime.time(12, 50))
    book(lead=LeadFactory(), group=group, date=NOW.date(), by=salesperson)
    html = manager_client.get(reverse("admin:trials_trial_changelist")).content.decode()
    assert "in 1 h 20 min" in html
    assert " h</td>" not in html


def test_the_sales_kpi_response_time_is_in_words():
    from django.contrib import admin

    from analytics.models import SalesKPI

    model_admin = admin.site._registry[SalesKPI]
    row = SalesKPI(avg_response_time=datetime.timedelta(hours=51, minutes=7))
    assert model_admin.response_time(row) == "2 d 3 h"
