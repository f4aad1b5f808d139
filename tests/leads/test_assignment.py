"""Only active members of the Sales group get leads, wherever leads are handed
out: the round-robin rotation, lead_assign, the lead form's choices and the
admin's assignment action. Each test puts inactive salespeople (and staff of
other roles) beside active ones, so a filter that forgot ``is_active`` fails."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import roles
from leads import services
from leads.models import Lead
from tests.factories import ManagerFactory, SalespersonFactory, TeacherFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:leads_lead_changelist")


@pytest.fixture
def team():
    """Two active salespeople with an inactive one between and after them."""
    first = SalespersonFactory(username="aziz")
    SalespersonFactory(username="left_in_spring", is_active=False)
    second = SalespersonFactory(username="malika")
    SalespersonFactory(username="on_leave", is_active=False)
    TeacherFactory(username="jamshid")
    ManagerFactory(username="dilnoza")
    return [first, second]


def test_salespeople_are_the_active_members_of_sales_only(team):
    assert list(roles.salespeople()) == team


def test_round_robin_rotation_skips_inactive_salespeople(team):
    rotation = services.salesperson_rotation()
    assert [next(rotation) for _ in range(5)] == [team[0], team[1], team[0], team[1], team[0]]


def test_round_robin_assigns_only_active_salespeople(team):
    leads = [LeadFactory() for _ in range(6)]
    counts = services.leads_assign_round_robin(leads=leads)
    assert counts == {team[0]: 3, team[1]: 3}
    assert set(Lead.objects.values_list("assigned_to__username", flat=True)) == {"aziz", "malika"}


def test_rotation_continues_after_the_last_active_assignee(team):
    services.lead_assign(lead=LeadFactory(), salesperson=team[0])
    rotation = services.salesperson_rotation()
    assert next(rotation) == team[1]


def test_with_only_inactive_salespeople_round_robin_is_refused():
    SalespersonFactory(is_active=False)
    lead = LeadFactory()
    with pytest.raises(ValidationError) as exc:
        services.leads_assign_round_robin(leads=[lead])
    assert exc.value.messages == [services.NO_SALESPEOPLE]
    lead.refresh_from_db()
    assert lead.assigned_to is None


@pytest.mark.parametrize("who", ["inactive salesperson", "teacher", "manager"])
def test_lead_assign_refuses_anyone_but_an_active_salesperson(team, who):
    person = {
        "inactive salesperson": lambda: SalespersonFactory(is_active=False),
        "teacher": TeacherFactory,
        "manager": ManagerFactory,
    }[who]()
    lead = LeadFactory()
    with pytest.raises(ValidationError) as exc:
        services.lead_assign(lead=lead, salesperson=person)
    assert exc.value.message_dict == {"assigned_to": [services.NOT_A_SALESPERSON.format(user=person)]}
    lead.refresh_from_db()
    assert (lead.assigned_to, lead.assigned_at) == (None, None)


def test_lead_form_offers_only_active_salespeople(team, manager_client):
    lead = LeadFactory()
    form = manager_client.get(reverse("admin:leads_lead_change", args=[lead.pk])).context["adminform"].form
    assert list(form.fields["assigned_to"].queryset) == team


def test_lead_form_refuses_an_inactive_salesperson(team, manager_client):
    inactive = SalespersonFactory(is_active=False)
    lead = LeadFactory()
    data = {
        "full_name": lead.full_name,
        "phone": lead.phone,
        "source": lead.source,
        "assigned_to": inactive.pk,
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "inquiries-TOTAL_FORMS": "0",
        "inquiries-INITIAL_FORMS": "0",
    }
    response = manager_client.post(reverse("admin:leads_lead_change", args=[lead.pk]), data)
    assert response.status_code == 200
    assert "assigned_to" in response.context["adminform"].form.errors
    lead.refresh_from_db()
    assert lead.assigned_to is None


def test_assign_action_offers_only_active_salespeople(team, manager_client):
    ids = [LeadFactory().pk]
    page = manager_client.post(CHANGELIST, {"action": "assign_to", "_selected_action": ids})
    assert page.status_code == 200
    assert list(page.context["form"].fields["salesperson"].queryset) == team


def test_assign_action_refuses_an_inactive_salesperson(team, manager_client):
    inactive = SalespersonFactory(is_active=False)
    ids = [LeadFactory().pk, LeadFactory().pk]
    response = manager_client.post(
        CHANGELIST, {"action": "assign_to", "_selected_action": ids, "apply": "1", "salesperson": inactive.pk}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "salesperson" in response.context["form"].errors
    assert not Lead.objects.filter(assigned_to__isnull=False).exists()


def test_round_robin_action_assigns_only_active_salespeople(team, manager_client):
    ids = [LeadFactory().pk for _ in range(4)]
    manager_client.post(CHANGELIST, {"action": "assign_round_robin", "_selected_action": ids})
    assert sorted(Lead.objects.values_list("assigned_to__username", flat=True)) == ["aziz", "aziz", "malika", "malika"]
