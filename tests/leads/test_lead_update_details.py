"""leads.services.lead_update_details: the one write for a lead's details
(admin change page, API PATCH)."""

import pytest
from django.core.exceptions import ValidationError

from leads import services
from leads.models import Lead
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_new_phone_is_normalised_and_the_typed_form_kept():
    lead = LeadFactory(phone="+998901111111")
    services.lead_update_details(lead=lead, phone="8 (90) 222 33 44", full_name="Nodira")
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.phone, stored.phone_raw, stored.full_name) == ("+998902223344", "8 (90) 222 33 44", "Nodira")


def test_the_same_phone_typed_differently_keeps_the_raw_form():
    lead = LeadFactory(phone="+998901111111")
    raw_before = Lead.objects.get(pk=lead.pk).phone_raw
    services.lead_update_details(lead=lead, phone="90 111 11 11")
    assert Lead.objects.get(pk=lead.pk).phone_raw == raw_before


def test_a_phone_of_another_lead_is_refused_on_the_phone_field():
    other = LeadFactory(phone="+998901111111")
    lead = LeadFactory(phone="+998902222222")
    with pytest.raises(ValidationError) as caught:
        services.lead_update_details(lead=lead, phone="+998 90 111 11 11")
    assert str(other) in caught.value.message_dict["phone"][0]
    assert Lead.objects.get(pk=lead.pk).phone == "+998902222222"


def test_bad_values_are_refused_before_anything_is_saved():
    lead = LeadFactory(full_name="Kept")
    with pytest.raises(ValidationError) as caught:
        services.lead_update_details(lead=lead, email="not-an-email", source="fax")
    assert "source" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.lead_update_details(lead=lead, email="not-an-email")
    assert "email" in caught.value.message_dict
    assert Lead.objects.get(pk=lead.pk).email == ""


def test_status_and_salesperson_are_not_details():
    lead = LeadFactory()
    with pytest.raises(TypeError, match="status"):
        services.lead_update_details(lead=lead, status="enrolled")
