"""Login throttling (django-axes): repeated failures for one username or from
one address pause sign-in, with a message staff understand; it lifts after the
cool-off or when a manager unlocks the login."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import ManagerFactory, SalespersonFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "pass-for-tests-1"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def sign_in(username, password, ip="198.51.100.10"):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(LOGIN, {"username": username, "password": password})


def fail(username, times, ip="198.51.100.10"):
    for _ in range(times):
        _, response = sign_in(username, "wrong-password", ip)
    return response


def test_the_right_password_works_until_the_limit(salesperson):
    fail(salesperson.username, 2)
    _, response = sign_in(salesperson.username, PASSWORD)
    assert response.status_code == 302  # signed in; the count starts again
    fail(salesperson.username, 2)
    assert sign_in(salesperson.username, PASSWORD)[1].status_code == 302


def test_too_many_failures_for_one_username_pause_it_with_a_clear_message(salesperson):
    response = fail(salesperson.username, 3, ip="198.51.100.1")
    assert response.status_code == 429
    # From another address, with the right password: still paused.
    _, response = sign_in(salesperson.username, PASSWORD, ip="203.0.113.99")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many wrong passwords" in html and "15 minutes" in html
    assert "15 daqiqadan" in html and "через <strong>15 минут" in html
    assert "ask a manager to unlock" in html
    assert "_auth_user_id" not in response.client.session


def test_too_many_failures_from_one_address_pause_every_login_from_it(salesperson, other_salesperson):
    for name in ("nobody1", "nobody2", "nobody3"):
        fail(name, 1, ip="192.0.2.50")
    assert sign_in(salesperson.username, PASSWORD, ip="192.0.2.50")[1].status_code == 429
    assert sign_in(other_salesperson.username, PASSWORD, ip="192.0.2.51")[1].status_code == 302


def test_the_pause_lifts_after_the_cool_off(salesperson):
    fail(salesperson.username, 3)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=16)):
        assert sign_in(salesperson.username, PASSWORD)[1].status_code == 302


def test_a_manager_sees_the_lock_and_unlocks_the_login(salesperson):
    fail(salesperson.username, 3)
    manager = ManagerFactory()
    client = Client()
    client.force_login(manager)
    staff = reverse("admin:accounts_user_changelist")
    html = client.get(staff).content.decode()
    assert "Locked until" in html
    response = client.post(staff, {"action": "unlock_login", "_selected_action": [salesperson.pk]}, follow=True)
    assert "1 login unlocked." in response.content.decode()
    assert sign_in(salesperson.username, PASSWORD)[1].status_code == 302
    assert "Locked until" not in client.get(staff).content.decode()


def test_a_manager_can_clear_address_lockouts_in_the_access_attempts_list():
    fail("nobody", 3, ip="192.0.2.77")
    client = Client()
    client.force_login(ManagerFactory())
    attempts = reverse("admin:axes_accessattempt_changelist")
    assert "192.0.2.77" in client.get(attempts).content.decode()
    from axes.models import AccessAttempt

    pk = AccessAttempt.objects.get(ip_address="192.0.2.77").pk
    client.post(attempts, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert sign_in(SalespersonFactory().username, PASSWORD, ip="192.0.2.77")[1].status_code == 302


def test_a_salesperson_cannot_unlock_anyone(sales_client, other_salesperson):
    fail(other_salesperson.username, 3)
    response = sales_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [other_salesperson.pk]},
    )
    assert response.status_code == 403
    assert sign_in(other_salesperson.username, PASSWORD)[1].status_code == 429


def test_hostile_login_input_is_refused_never_a_500(salesperson):
    attempts = [("a\x00b", "x"), ("x" * 5000, "x"), (salesperson.username, "p\x00w"), ("😀" * 60, ""), ("u", "p")]
    for username, password in attempts:
        client = Client(raise_request_exception=False, HTTP_USER_AGENT="U" * 5000, HTTP_ACCEPT="*/*" * 2000)
        response = client.post(LOGIN, {"username": username, "password": password})
        assert response.status_code == 200, (username[:10], response.status_code)  # the form again, with an error
    # The 5000-character try is counted under its first 150 characters, and still locks.
    for _ in range(2):
        Client().post(LOGIN, {"username": "x" * 5000, "password": "x"})
    assert Client().post(LOGIN, {"username": "x" * 150, "password": "x"}).status_code == 429


def test_an_address_that_is_no_ip_address_is_stored_as_none(salesperson, settings):
    from axes.models import AccessAttempt

    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    client = Client(REMOTE_ADDR="not-an-ip", HTTP_X_REAL_IP="also not one")
    assert client.post(LOGIN, {"username": salesperson.username, "password": "wrong"}).status_code == 200
    assert AccessAttempt.objects.get().ip_address is None
    client = Client()
    client.force_login(salesperson)  # a login made in code has no address at all
