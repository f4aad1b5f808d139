"""/healthz and /readyz: JSON, no login, no secrets, honest about what is down."""

import json

import pytest
from django.db.migrations.recorder import MigrationRecorder

from core import health
from tests.celery_helpers import dead_broker

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_any_io(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_green_when_database_cache_broker_and_migrations_are_fine(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    response = client.get("/readyz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "broker": True,
        "migrations": True,
    }


def test_probes_need_no_login_and_pass_any_host_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["crm.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.5:8000")  # the load balancer, by address
        assert response.status_code == 200, path
    assert client.get("/admin/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # the rest still checks


def test_readyz_is_503_when_the_broker_is_down_and_tells_no_secret(client):
    with dead_broker() as url:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"] == "OperationalError"
    assert body["checks"]["database"]["ok"] is True
    port = url.rsplit(":", 1)[1].split("/")[0]
    assert port not in json.dumps(body["checks"]["broker"]) and "redis" not in response.content.decode()


def test_readyz_is_503_when_the_cache_is_down(client, settings):
    from tests.celery_helpers import closed_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_readyz_is_503_while_a_migration_is_not_applied(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    MigrationRecorder.Migration.objects.filter(app="intake").order_by("-id").first().delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "error": "1 migration(s) not applied",
        "ms": response.json()["checks"]["migrations"]["ms"],
    }
