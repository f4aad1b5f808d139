"""Personal API tokens: stored hashed, shown once, expiring, read-only,
revocable; 401 with WWW-Authenticate for a bad one; last use written at most
once a minute; throttled per token."""

import datetime
import hashlib
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from api import services
from api.models import ApiToken
from tests.api.factories import api_client, token_for
from tests.factories import ManagerFactory, SalespersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def test_token_is_stored_as_a_sha256_hash_and_never_in_plain(salesperson):
    issued = services.api_token_create(user=salesperson, name="phone")
    prefix, secret = issued.plaintext.split("_", 2)[1:]
    token = ApiToken.objects.get()
    assert token.prefix == prefix
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(v) for v in ApiToken.objects.values_list(flat=False).get()}


def test_bearer_token_authenticates_as_its_user(salesperson):
    response = api_client(salesperson).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == salesperson.username
    assert response.json()["token"]["read_only"] is False


@pytest.mark.parametrize(
    "header",
    ["Bearer crm_0000000000_wrongsecret", "Bearer nonsense", "Bearer", "Bearer a b", "Bearer crm__"],
)
def test_a_wrong_token_is_401_with_www_authenticate(salesperson, header):
    token_for(salesperson)
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] in ("token_invalid", "token_malformed")


def test_the_right_prefix_with_a_wrong_secret_is_refused(salesperson):
    plaintext = token_for(salesperson)
    response = api_client(token=plaintext[:-3] + "xyz").get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_no_credentials_is_401_not_authenticated():
    response = api_client().get("/api/v1/leads/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"code": "not_authenticated", "message": response.json()["message"], "fields": {}}


def test_an_expired_token_is_401_token_expired(salesperson):
    with time_machine.travel(T0, tick=False):
        plaintext = token_for(salesperson, expires_days=1)
        assert api_client(token=plaintext).get(ME).status_code == 200
    with time_machine.travel(T0 + datetime.timedelta(days=1, seconds=1), tick=False):
        response = api_client(token=plaintext).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert "WWW-Authenticate" in response


def test_a_revoked_token_is_401_token_revoked(salesperson, manager):
    issued = services.api_token_create(user=salesperson, name="old phone")
    assert services.api_token_revoke(token=issued.token, by=manager) is True
    assert services.api_token_revoke(token=issued.token, by=manager) is False
    response = api_client(token=issued.plaintext).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_a_token_of_a_deactivated_user_is_refused(salesperson):
    plaintext = token_for(salesperson)
    salesperson.is_active = False
    salesperson.save(update_fields=["is_active"])
    response = api_client(token=plaintext).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_a_read_only_token_reads_but_may_not_write(salesperson):
    client = api_client(salesperson, read_only=True)
    assert client.get("/api/v1/leads/").status_code == 200
    response = client.post("/api/v1/leads/", {"phone": "+998901112233", "source": "landing"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"


def test_last_use_is_written_at_most_once_a_minute(salesperson, django_assert_num_queries):
    plaintext = token_for(salesperson)
    with time_machine.travel(T0, tick=False):
        api_client(token=plaintext).get(ME)
    token = ApiToken.objects.get()
    assert token.last_used_at == T0
    with time_machine.travel(T0 + datetime.timedelta(seconds=59), tick=False):
        api_client(token=plaintext).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == T0
    with time_machine.travel(T0 + datetime.timedelta(seconds=61), tick=False):
        api_client(token=plaintext).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == T0 + datetime.timedelta(seconds=61)


def test_expiry_is_bounded(salesperson):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.api_token_create(user=salesperson, name="x", expires_days=0)
    assert "expires_days" in caught.value.message_dict
    issued = services.api_token_create(user=salesperson, name="x", expires_days=30)
    assert issued.token.expires_at - issued.token.created_at == datetime.timedelta(days=30)


def test_who_may_make_tokens_for_whom():
    manager, other_manager = ManagerFactory(), ManagerFactory()
    seller, integration = SalespersonFactory(), UserFactory(username="site-bot")
    superuser = UserFactory(username="root", is_superuser=True)
    assert services.may_issue_for(by=seller, user=seller)
    assert not services.may_issue_for(by=seller, user=integration)
    assert services.may_issue_for(by=manager, user=integration)
    assert services.may_issue_for(by=manager, user=seller)
    assert not services.may_issue_for(by=manager, user=other_manager)
    assert not services.may_issue_for(by=manager, user=superuser)
    assert services.may_issue_for(by=superuser, user=other_manager)
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=integration, name="x", by=seller)


def test_create_api_token_prints_a_working_token_on_its_last_line(salesperson):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", salesperson.username, "--read-only", "--expires-days", "7", stdout=out, stderr=err)
    plaintext = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.read_only and token.expires_at - token.created_at == datetime.timedelta(days=7)
    assert "shown only now" in out.getvalue()
    assert api_client(token=plaintext).get(ME).json()["token"]["read_only"] is True


def test_create_api_token_refuses_an_unknown_user_clearly(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user “ghost”"):
        call_command("create_api_token", "ghost")


@override_settings(API_THROTTLE_READ_RATE="3/min", API_THROTTLE_WRITE_RATE="1/min")
def test_throttling_counts_per_token_and_answers_429_with_retry_after(salesperson):
    first, second = api_client(salesperson), api_client(salesperson)
    assert [first.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    throttled = first.get(ME)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert second.get(ME).status_code == 200  # another token of the same person has its own budget
    # Writes have their own budget: the exhausted reads do not block them.
    payload = {"phone": "+998901112233", "source": "landing"}
    assert first.post("/api/v1/leads/", payload, format="json").status_code == 201
    assert first.post("/api/v1/leads/", payload, format="json").status_code == 429


def test_admin_shows_a_new_token_once_and_lists_it_hashed(client, salesperson):
    client.force_login(salesperson)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": salesperson.pk, "name": "Mobile app", "read_only": "on", "expires_days": "30"},
    )
    assert response.status_code == 200
    plaintext = response.context["plaintext"]
    assert plaintext in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.read_only, token.created_by) == (salesperson, "Mobile app", True, salesperson)
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert token.prefix in listing and plaintext not in listing
    assert api_client(token=plaintext).get(ME).status_code == 200


def test_admin_refuses_a_salesperson_making_a_token_for_someone_else(client, salesperson, other_salesperson):
    client.force_login(salesperson)
    response = client.post("/admin/api/apitoken/add/", {"user": other_salesperson.pk, "name": "x"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


def test_manager_makes_a_token_for_an_integration_user_and_revokes_it_in_admin(client, manager):
    bot = UserFactory(username="course-site", is_staff=False)
    client.force_login(manager)
    response = client.post("/admin/api/apitoken/add/", {"user": bot.pk, "name": "Course site"})
    plaintext = response.context["plaintext"]
    token = ApiToken.objects.get(user=bot)
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == manager
    assert api_client(token=plaintext).get(ME).json()["code"] == "token_revoked"


def test_salesperson_sees_only_their_own_tokens_in_admin(client, salesperson, other_salesperson):
    mine = services.api_token_create(user=salesperson, name="mine").token
    theirs = services.api_token_create(user=other_salesperson, name="theirs").token
    client.force_login(salesperson)
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert mine.prefix in listing and theirs.prefix not in listing
    assert client.get(f"/admin/api/apitoken/{theirs.pk}/change/").status_code == 302


def test_token_state_in_admin(client, manager):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3), tick=False):
        services.api_token_create(user=manager, name="gone", expires_days=1)
    services.api_token_create(user=manager, name="live")
    client.force_login(manager)
    page = client.get("/admin/api/apitoken/").content.decode()
    assert page.count("Expired") == 1 and page.count(">Active<") == 1


def test_create_api_token_refuses_a_bad_expiry_as_a_command_error(salesperson):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="between 1 and"):
        call_command("create_api_token", salesperson.username, "--expires-days", "0")
    assert not ApiToken.objects.exists()


def test_create_api_token_json_prints_the_token_and_its_details(salesperson):
    import json

    out = StringIO()
    call_command("create_api_token", salesperson.username, "--name", "CI", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["user"], data["name"], data["read_only"]) == (salesperson.username, "CI", False)
    assert data["prefix"] == ApiToken.objects.get().prefix
    assert api_client(token=data["token"]).get(ME).status_code == 200


def test_a_manager_does_not_see_or_revoke_a_superusers_tokens(client, manager):
    root = UserFactory(username="owner", is_superuser=True)
    theirs = services.api_token_create(user=root, name="owner's").token
    client.force_login(manager)
    assert theirs.prefix not in client.get("/admin/api/apitoken/").content.decode()
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.parametrize("read_only", [False, True])
def test_a_client_revokes_the_token_it_uses(salesperson, read_only):
    plaintext = token_for(salesperson, read_only=read_only)
    other = token_for(salesperson)
    assert api_client(token=plaintext).delete("/api/v1/me/token/").status_code == 204
    assert api_client(token=plaintext).get(ME).json()["code"] == "token_revoked"
    assert api_client(token=other).get(ME).status_code == 200  # only that one


def test_revoking_the_token_in_use_without_a_token_is_a_400(client, salesperson):
    client.force_login(salesperson)  # the admin's session, no token
    response = client.delete("/api/v1/me/token/")
    assert response.status_code == 400
    assert response.json()["fields"] == {"non_field_errors": ["This request carries no API token."]}


@override_settings(API_THROTTLE_READ_RATE="2/min", CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_the_public_schema_is_throttled_per_client_address(client):
    first = [client.get("/api/v1/schema/", HTTP_X_REAL_IP="203.0.113.5").status_code for _ in range(3)]
    assert first == [200, 200, 429]
    assert client.get("/api/v1/schema/", HTTP_X_REAL_IP="203.0.113.6").status_code == 200
