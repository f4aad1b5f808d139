"""The staff (User) admin: managers run the team, but cannot make anyone a
superuser nor take over a superuser's account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SalespersonFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def form_data(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "telegram_chat_id": "",
        "phone": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_manager_cannot_make_a_user_superuser(manager_client, manager):
    seller = SalespersonFactory()
    page = manager_client.get(change_url(seller)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    response = manager_client.post(change_url(manager), form_data(manager, is_superuser="on"))
    assert response.status_code == 302
    manager.refresh_from_db()
    assert not manager.is_superuser


def test_manager_cannot_change_a_superuser_nor_reset_their_password(manager_client):
    owner = UserFactory(username="owner", is_superuser=True)
    password_url = reverse("admin:auth_user_password_change", args=[owner.pk])
    assert manager_client.get(password_url).status_code == 403
    response = manager_client.post(
        password_url, {"password1": "Taken-over-123", "password2": "Taken-over-123", "usable_password": "true"}
    )
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.check_password("pass-for-tests-1")
    response = manager_client.post(change_url(owner), form_data(owner, email="attacker@example.com"))
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.email != "attacker@example.com"


def test_manager_still_edits_salespeople(manager_client):
    seller = SalespersonFactory()
    response = manager_client.post(change_url(seller), form_data(seller, telegram_chat_id="12345"))
    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.telegram_chat_id == "12345"


def test_superuser_keeps_every_field(admin_client):
    seller = SalespersonFactory()
    page = admin_client.get(change_url(seller)).content.decode()
    assert 'name="is_superuser"' in page and 'name="user_permissions"' in page


def test_user_list_shows_roles_and_lead_counts_with_flat_queries(manager_client):
    url = reverse("admin:accounts_user_changelist")

    def listing():
        with CaptureQueriesContext(connection) as ctx:
            response = manager_client.get(url)
        assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    first = SalespersonFactory(username="aziz")
    LeadFactory.create_batch(3, assigned_to=first)
    html, few = listing()
    assert '<td class="field-role_names">Sales</td>' in html
    assert '<td class="field-open_leads">3</td>' in html
    for _ in range(10):
        LeadFactory(assigned_to=SalespersonFactory())
    html, many = listing()
    assert html.count('<td class="field-role_names">Sales</td>') == 11
    assert many == few
