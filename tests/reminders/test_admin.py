import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import LeadStatus
from reminders.dispatch import reminders_dispatch_due
from reminders.models import Delivery, LeadReminder, LeadReminderStatus
from reminders.selectors import followups_overdue_by_salesperson
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.reminders.factories import LeadReminderFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
MIN = datetime.timedelta(minutes=1)
REMINDERS = reverse("admin:reminders_leadreminder_changelist")
DELIVERIES = reverse("admin:reminders_delivery_changelist")
LEADS = reverse("admin:leads_lead_changelist")


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def followups(n, **kwargs):
    return [LeadReminderFactory(**kwargs) for _ in range(n)]


class TestLeadReminderAdmin:
    def test_overdue_badge_filter_and_change_page(self, manager_client):
        late = LeadReminderFactory(due_at=NOW - 25 * MIN, next_notify_at=NOW - 25 * MIN)
        later = LeadReminderFactory(due_at=NOW + 3 * 60 * MIN, next_notify_at=NOW + 3 * 60 * MIN)
        html = manager_client.get(REMINDERS).content.decode()
        assert '<span class="badge badge-red">25 min overdue</span>' in html
        overdue = manager_client.get(REMINDERS, {"overdue": "yes"}).content.decode()
        assert late.lead.full_name in overdue and later.lead.full_name not in overdue
        assert later.lead.full_name in manager_client.get(REMINDERS, {"q": later.lead.full_name}).content.decode()
        assert manager_client.get(reverse("admin:reminders_leadreminder_change", args=[late.pk])).status_code == 200

    def test_query_count_does_not_grow_with_rows(self, manager_client):
        followups(2)
        few = queries(manager_client, REMINDERS)
        followups(20)
        assert queries(manager_client, REMINDERS) == few

    def test_complete_action(self, manager_client):
        reminder = LeadReminderFactory()
        manager_client.post(REMINDERS, {"action": "complete_selected", "_selected_action": [reminder.pk]})
        reminder.refresh_from_db()
        assert reminder.status == LeadReminderStatus.COMPLETED

    def test_salesperson_sees_only_own_leads_follow_ups(self, sales_client, salesperson, other_salesperson):
        mine = LeadFactory(assigned_to=salesperson)
        theirs = LeadFactory(assigned_to=other_salesperson)
        html = sales_client.get(REMINDERS).content.decode()
        assert mine.full_name in html and theirs.full_name not in html

    def test_overdue_counts_for_analytics(self):
        a, b = SalespersonFactory(), SalespersonFactory()
        followups(2, salesperson=a)
        followups(1, salesperson=b)
        LeadReminderFactory(salesperson=b, due_at=NOW + MIN, next_notify_at=NOW + MIN)
        assert followups_overdue_by_salesperson() == {a.pk: 2, b.pk: 1}


class TestDeliveryAdmin:
    def test_states_and_query_count(self, manager_client):
        followups(2)
        reminders_dispatch_due()
        few = queries(manager_client, DELIVERIES)
        html = manager_client.get(DELIVERIES).content.decode()
        assert '<span class="badge badge-green">Sent</span>' in html
        followups(20)
        reminders_dispatch_due()
        assert queries(manager_client, DELIVERIES) == few
        delivery = Delivery.objects.first()
        assert manager_client.get(reverse("admin:reminders_delivery_change", args=[delivery.pk])).status_code == 200
        assert manager_client.get(DELIVERIES, {"q": delivery.address}).status_code == 200

    def test_salesperson_sees_only_deliveries_about_own_leads(self, sales_client, salesperson, other_salesperson):
        LeadReminderFactory(salesperson=salesperson, lead=LeadFactory(full_name="Mine Lead"))
        LeadReminderFactory(salesperson=other_salesperson, lead=LeadFactory(full_name="Their Lead"))
        reminders_dispatch_due()
        assert Delivery.objects.count() == 2
        html = sales_client.get(DELIVERIES).content.decode()
        assert html.count('<span class="badge badge-green">Sent</span>') == 1

    def test_after_reassignment_old_salesperson_no_longer_sees_the_lead_in_deliveries(
        self, sales_client, salesperson, other_salesperson, manager
    ):
        from leads.services import lead_assign

        reminder = LeadReminderFactory(salesperson=salesperson, lead=LeadFactory(full_name="Handed Over"))
        reminders_dispatch_due()
        delivery = Delivery.objects.get(recipient_user=salesperson)
        lead_assign(lead=reminder.lead, salesperson=other_salesperson, by=manager)
        html = sales_client.get(DELIVERIES).content.decode()
        assert "Handed Over" not in html
        assert sales_client.get(DELIVERIES, {"q": reminder.lead.phone}).content.decode().count("Handed Over") == 0
        change = reverse("admin:reminders_delivery_change", args=[delivery.pk])
        assert sales_client.get(change).status_code == 302  # "does not exist" redirect, like any hidden row

    def test_retry_now_sends_a_failed_delivery_again_at_once(
        self, manager_client, settings, telegram, django_capture_on_commit_callbacks
    ):
        settings.TELEGRAM_BOT_TOKEN = ""
        LeadReminderFactory(salesperson=SalespersonFactory(email="", telegram_chat_id="1"))
        reminders_dispatch_due()
        delivery = Delivery.objects.get(status="failed")
        assert "TELEGRAM_BOT_TOKEN is not set" in delivery.last_error
        settings.TELEGRAM_BOT_TOKEN = "test-token"  # the operator fixed the configuration
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post(DELIVERIES, {"action": "retry_now", "_selected_action": [delivery.pk]})
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
        assert len(telegram.calls) == 1
        assert reminders_dispatch_due().sent == 0  # the beat pass finds nothing left to send


class TestLeadPage:
    def test_follow_up_column_marks_overdue_red_and_filters(self, manager_client, salesperson, pinned):
        late = LeadFactory(assigned_to=salesperson, full_name="Late Lead")  # first contact due in 15 min
        pinned.move_to(NOW + 20 * MIN)
        fresh = LeadFactory(assigned_to=salesperson, full_name="Fresh Lead")
        html = manager_client.get(LEADS).content.decode()
        assert '<span class="badge badge-red">5 min overdue</span>' in html
        assert '<span class="badge badge-orange">' in html  # due within the hour
        overdue = manager_client.get(LEADS, {"followup": "overdue"}).content.decode()
        assert late.full_name in overdue and fresh.full_name not in overdue

    def test_lead_changelist_query_count_stays_flat_with_follow_ups(self, manager_client, salesperson):
        for _ in range(2):
            LeadFactory(assigned_to=salesperson)
        few = queries(manager_client, LEADS)
        for _ in range(20):
            LeadFactory(assigned_to=SalespersonFactory())
        assert queries(manager_client, LEADS) == few

    def test_record_contact_from_the_lead_page(self, sales_client, salesperson):
        lead = LeadFactory(assigned_to=salesperson)
        page = sales_client.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
        url = reverse("admin:leads_lead_record_contact", args=[lead.pk])
        assert f'formaction="{url}"' in page and "First contact" in page
        sales_client.post(url)
        lead.refresh_from_db()
        assert lead.status == LeadStatus.CONTACTED
        assert LeadReminder.objects.get(lead=lead).status == LeadReminderStatus.COMPLETED

    def test_set_next_follow_up_from_the_lead_page(self, sales_client, salesperson):
        lead = LeadFactory(assigned_to=salesperson)
        url = reverse("admin:leads_lead_follow_up", args=[lead.pk])
        assert sales_client.get(url).status_code == 200
        page = sales_client.post(url, {"due_at": "2026-11-26T14:00", "note": "x"}).content.decode()
        assert "must be in the future" in page  # 14:00 Tashkent is 09:00 UTC, before now
        response = sales_client.post(url, {"due_at": "2026-11-27T11:30", "note": "After the exam"})
        assert response.status_code == 302
        reminder = LeadReminder.objects.get(lead=lead, status="pending")
        assert reminder.due_at == datetime.datetime(2026, 11, 27, 6, 30, tzinfo=datetime.UTC)
        assert reminder.note == "After the exam"

    def test_salesperson_cannot_touch_someone_elses_lead(self, sales_client, other_salesperson):
        """The lead's pages answer as its change page does: "doesn't exist", back to the index."""
        lead = LeadFactory(assigned_to=other_salesperson)
        change_page = sales_client.get(reverse("admin:leads_lead_change", args=[lead.pk]))
        for response in (
            sales_client.post(reverse("admin:leads_lead_record_contact", args=[lead.pk])),
            sales_client.get(reverse("admin:leads_lead_follow_up", args=[lead.pk])),
            sales_client.post(reverse("admin:leads_lead_follow_up", args=[lead.pk]), {"due_at": "2030-01-01T10:00"}),
        ):
            assert (
                (response.status_code, response.url) == (change_page.status_code, change_page.url) == (302, "/admin/")
            )
        lead.refresh_from_db()
        assert lead.status == "new"
        assert not LeadReminder.objects.filter(lead=lead, kind="follow_up").exists()
