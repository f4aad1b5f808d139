"""Trial scheduled, trial attended and enrolled stand for a record (a booked or
attended trial, an enrolment): staff cannot pick them by hand, the flows reach
them, and managers can list the leads that have the status without the record."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from leads import lead_page, services
from leads.forms import LeadAdminForm
from leads.models import LeadStatus, LeadStatusChange
from scheduling.services import enrollment_create
from tests.leads.factories import LeadFactory
from tests.trials.factories import book, group_meeting_on

pytestmark = pytest.mark.django_db
S = LeadStatus
CHANGELIST = reverse("admin:leads_lead_changelist")


def interested_lead(**kwargs):
    lead = LeadFactory(**kwargs)
    services.lead_change_status(lead=lead, to_status=S.INTERESTED)
    return lead


@pytest.mark.parametrize("status", [S.TRIAL_SCHEDULED, S.ENROLLED])
def test_a_status_that_stands_for_a_record_is_refused_by_hand_and_nothing_is_written(status, salesperson):
    lead = interested_lead()
    history = LeadStatusChange.objects.filter(lead=lead).count()
    with pytest.raises(ValidationError) as exc:
        services.lead_set_status(lead=lead, to_status=status, by=salesperson)
    assert exc.value.message_dict == {
        "status": [services.STATUS_NEEDS_FLOW % {"label": S(status).label, "flow": services.FLOW_STATUSES[status]}]
    }
    lead.refresh_from_db()
    assert lead.status == S.INTERESTED
    assert LeadStatusChange.objects.filter(lead=lead).count() == history


def test_trial_attended_is_refused_by_hand_too(salesperson):
    lead = LeadFactory()
    services.lead_change_status(lead=lead, to_status=S.TRIAL_SCHEDULED)
    with pytest.raises(ValidationError, match="marking the trial attended"):
        services.lead_set_status(lead=lead, to_status=S.TRIAL_ATTENDED, by=salesperson)


def test_statuses_that_need_nothing_else_are_set_by_hand(salesperson):
    lead = interested_lead()
    assert services.manual_next_statuses(lead) == [S.CONTACTED, S.LOST]
    services.lead_set_status(lead=lead, to_status=S.LOST, reason="Too far", by=salesperson)
    assert lead.status == S.LOST


def test_the_status_field_offers_only_statuses_that_need_nothing_else():
    lead = LeadFactory()
    offered = [value for value, _ in LeadAdminForm(instance=lead).fields["new_status"].choices if value]
    assert offered == [S.CONTACTED, S.INTERESTED, S.LOST]


def test_the_api_refuses_a_flow_status(salesperson):
    from rest_framework.test import APIClient

    lead = interested_lead(assigned_to=salesperson)
    api = APIClient()
    api.force_authenticate(salesperson)
    answer = api.post(f"/api/v1/leads/{lead.pk}/change-status/", {"status": "enrolled"}, format="json")
    assert answer.status_code == 400
    lead.refresh_from_db()
    assert lead.status == S.INTERESTED


def test_enrolling_a_lead_in_a_group_makes_it_enrolled(manager):
    lead = interested_lead()
    group = group_meeting_on(datetime.date(2026, 11, 27))
    enrollment_create(group=group, lead=lead, by=manager)
    lead.refresh_from_db()
    assert lead.status == S.ENROLLED
    assert lead.status_changes.last().changed_by == manager


def test_every_status_record_is_provided():
    for status in lead_page.STATUS_RECORDS:
        assert lead_page.status_record(status) is not None, status
    assert set(lead_page.STATUS_RECORDS) == set(services.FLOW_STATUSES)


class TestStatusWithoutRecordFilter:
    @pytest.fixture(autouse=True)
    def _pinned(self):
        with time_machine.travel(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC), tick=False):
            yield

    def test_lists_leads_whose_status_has_no_record_behind_it(self, manager_client, salesperson):
        typed = LeadFactory(full_name="Typed by hand")
        services.lead_change_status(lead=typed, to_status=S.TRIAL_SCHEDULED)
        booked = LeadFactory(full_name="Booked properly")
        book(
            lead=booked,
            group=group_meeting_on(datetime.date(2026, 11, 27)),
            date=datetime.date(2026, 11, 27),
            by=salesperson,
        )
        html = manager_client.get(CHANGELIST, {"unbacked": "trial_scheduled"}).content.decode()
        assert "Typed by hand" in html
        assert "Booked properly" not in html
        typed.refresh_from_db()
        assert typed.status == S.TRIAL_SCHEDULED  # listed, not changed

    def test_an_enrolled_lead_without_an_enrolment_is_listed(self, manager_client, manager):
        typed = interested_lead(full_name="Enrolled by hand")
        services.lead_change_status(lead=typed, to_status=S.ENROLLED)
        real = interested_lead(full_name="Enrolled in a group")
        enrollment_create(group=group_meeting_on(datetime.date(2026, 11, 27)), lead=real, by=manager)
        html = manager_client.get(CHANGELIST, {"unbacked": "enrolled"}).content.decode()
        assert "Enrolled by hand" in html
        assert "Enrolled in a group" not in html

    def test_is_for_managers_only(self, sales_client, salesperson):
        typed = LeadFactory(full_name="Typed by hand", assigned_to=salesperson)
        services.lead_change_status(lead=typed, to_status=S.TRIAL_SCHEDULED)
        html = sales_client.get(CHANGELIST).content.decode()
        assert "status without its record" not in html


def test_the_lead_page_links_the_flows_the_status_field_leaves_out(sales_client, salesperson):
    lead = interested_lead(assigned_to=salesperson)
    html = sales_client.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
    assert reverse("admin:leads_lead_book_trial", args=[lead.pk]) in html
    assert "Mark attended and Record result" in html  # the status field's help names the rest
