"""leads.selectors: who sees which leads, and what typed text is a phone search."""

import pytest

from leads.models import Lead
from leads.selectors import lead_phone_search_filter, leads_visible_to
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("90 123 45 67", {"phone": "+998901234567"}),
        ("+998 (90) 123-45-67", {"phone": "+998901234567"}),
        ("8 90 1234567", {"phone": "+998901234567"}),
        ("4567", {"phone__contains": "4567"}),  # four digits: part of a number
        ("45 67", {"phone__contains": "4567"}),
        ("a1234", {"phone__contains": "1234"}),
        ("abcd123456", {"phone__contains": "123456"}),  # 6 digits of 10 characters: 60 %, a phone
        ("456", None),  # too short to mean anything
        ("abcde12345", None),  # half digits: below 60 %
        ("abcdefg1234", None),  # mostly letters: a name or an e-mail, not a phone
        ("Kamila", None),
        ("", None),
    ],
)
def test_phone_search_filter(typed, expected):
    assert lead_phone_search_filter(typed) == expected


def test_visibility_keeps_the_queryset_it_is_given(manager, salesperson):
    mine = LeadFactory(assigned_to=salesperson, source="telegram")
    LeadFactory(assigned_to=salesperson, source="landing")
    LeadFactory(source="telegram")
    telegram = Lead.objects.filter(source="telegram")
    assert list(leads_visible_to(salesperson, telegram)) == [mine]
    assert set(leads_visible_to(manager, telegram)) == set(telegram)
    assert leads_visible_to(salesperson).count() == 2


def test_staff_of_no_sales_role_see_no_leads(teacher):
    LeadFactory()
    assert not leads_visible_to(teacher).exists()
