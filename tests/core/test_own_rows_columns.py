"""A salesperson's lists hold only their own rows, so they do not repeat the
salesperson's name in a column; a manager's lists keep it."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from leads.models import Lead
from reminders.models import LeadReminder
from tests.leads.factories import LeadFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db

SALESPERSON_COLUMN = {Lead: "assigned_to", Trial: "salesperson", LeadReminder: "salesperson"}


def list_display_for(model, user):
    request = RequestFactory().get("/")
    request.user = user
    return admin.site._registry[model].get_list_display(request)


@pytest.mark.parametrize("model", list(SALESPERSON_COLUMN))
def test_a_salesperson_list_has_no_salesperson_column_and_a_manager_list_keeps_it(model, salesperson, manager):
    column = SALESPERSON_COLUMN[model]
    assert column in list_display_for(model, manager)
    mine = list_display_for(model, salesperson)
    assert column not in mine
    assert [c for c in list_display_for(model, manager) if c != column] == mine


def test_the_lead_list_page_shows_the_column_to_managers_only(client, salesperson, manager):
    LeadFactory(assigned_to=salesperson)
    for user, shown in ((manager, True), (salesperson, False)):
        client.force_login(user)
        page = client.get("/admin/leads/lead/").content.decode()
        assert ("column-assigned_to" in page) is shown
        assert "column-phone_display" in page
