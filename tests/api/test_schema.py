"""The OpenAPI contract: it validates, every operation is described and has
examples and the errors it can give; the schema is served as JSON when asked;
the docs pages load Swagger UI and Redoc from our own static files with no
inline script or style (the coming Content-Security-Policy)."""

import json
import re

import pytest
from openapi_spec_validator import validate

from tests.api.factories import api_client

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_schema_validates_as_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_the_committed_contract_is_what_the_code_serves():
    """api/openapi.yaml is the contract clients build on; a change to it shows in review."""
    from io import StringIO
    from pathlib import Path

    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", "--lang", "en", stdout=out)
    committed = (Path(__file__).resolve().parents[2] / "api" / "openapi.yaml").read_text()
    assert out.getvalue() == committed, "The API changed: run `make api-schema` and review api/openapi.yaml."


def test_schema_is_json_with_format_json_and_yaml_by_default(client):
    as_json = client.get("/api/v1/schema/?format=json")
    assert as_json.status_code == 200 and json.loads(as_json.content)["info"]["version"] == "1.0.0"
    as_yaml = client.get("/api/v1/schema/")
    assert as_yaml.content.startswith(b"openapi: 3")


def test_every_operation_has_a_summary_a_description_and_examples(schema):
    missing = []
    for path, method, operation in _operations(schema):
        where = f"{method.upper()} {path}"
        if not operation.get("summary") or not operation.get("description"):
            missing.append(f"{where}: summary/description")
        body = operation.get("requestBody", {}).get("content", {})
        for media, content in body.items():
            if "example" not in content and "examples" not in content:
                missing.append(f"{where}: request example ({media})")
        for code, response in operation["responses"].items():
            for media, content in response.get("content", {}).items():
                if "example" not in content and "examples" not in content:
                    missing.append(f"{where}: {code} example ({media})")
    assert not missing, "\n".join(missing)


def test_every_operation_documents_its_errors_in_one_shape(schema):
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "fields"}
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert {"401", "403", "429"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method != "get":
            assert "400" in responses, (method, path)
        assert responses["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_resource_of_the_issue_is_in_the_schema(schema):
    paths = set(schema["paths"])
    expected = {
        "/api/v1/leads/",
        "/api/v1/leads/{id}/",
        "/api/v1/leads/{id}/change-status/",
        "/api/v1/leads/{id}/assign/",
        "/api/v1/leads/{id}/mark-lost/",
        "/api/v1/leads/{id}/record-contact/",
        "/api/v1/leads/{id}/follow-up/",
        "/api/v1/leads/{lead_pk}/history/",
        "/api/v1/leads/{lead_pk}/inquiries/",
        "/api/v1/follow-ups/",
        "/api/v1/deliveries/",
        "/api/v1/trials/",
        "/api/v1/trials/{id}/reschedule/",
        "/api/v1/trials/{id}/mark-attended/",
        "/api/v1/trials/{id}/mark-no-show/",
        "/api/v1/trials/{id}/record-result/",
        "/api/v1/trials/{id}/cancel/",
        "/api/v1/courses/",
        "/api/v1/rooms/",
        "/api/v1/groups/",
        "/api/v1/groups/{id}/lessons/",
        "/api/v1/enrollments/",
        "/api/v1/enrollments/{id}/leave/",
        "/api/v1/room-occupancy/",
        "/api/v1/analytics/sales-kpis/",
        "/api/v1/analytics/lead-metrics/",
        "/api/v1/analytics/group-analytics/",
        "/api/v1/analytics/marketing/",
        "/api/v1/analytics/room-usage/",
        "/api/v1/marketing-spend/",
        "/api/v1/marketing-spend/import/",
        "/api/v1/imports/",
        "/api/v1/imports/upload/",
        "/api/v1/imports/{id}/confirm/",
        "/api/v1/imports/{id}/rows/",
        "/api/v1/intake-events/",
        "/api/v1/me/",
        "/api/v1/salespeople/",
        "/api/v1/me/token/",
    }
    assert expected <= paths, sorted(expected - paths)
    group = schema["components"]["schemas"]["Group"]["properties"]
    assert {"free_slots", "occupancy_percent", "is_full"} <= set(group)
    course = schema["components"]["schemas"]["Course"]["properties"]
    assert {"duration", "frequency", "capacity"} <= set(course)
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def _no_inline_script_or_style(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html and "style=" not in html, "inline style"
    assert "https://" not in html, "nothing from a CDN"


def test_swagger_ui_page_loads_everything_from_our_static_files(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    _no_inline_script_or_style(html)
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode() and "/api/v1/schema/" in script.content.decode()


def test_redoc_page_loads_everything_from_our_static_files(client):
    page = client.get("/api/v1/redoc/")
    assert page.status_code == 200
    html = page.content.decode()
    _no_inline_script_or_style(html)
    assert "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    assert 'spec-url="/api/v1/schema/"' in html


def test_only_redoc_relaxes_the_content_security_policy_and_only_for_styles_and_its_worker(client):
    assert not hasattr(client.get("/api/v1/docs/"), "_csp_update")
    assert client.get("/api/v1/redoc/")._csp_update == {
        "style-src": ["'unsafe-inline'"],
        "worker-src": ["'self'", "blob:"],
    }


def test_answers_follow_the_callers_language(salesperson):
    client = api_client(salesperson)
    english = client.get("/api/v1/leads/999999/", HTTP_ACCEPT_LANGUAGE="en").json()
    russian = client.get("/api/v1/leads/999999/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert english["code"] == russian["code"] == "not_found"
    assert english["message"] == "Not found."
    assert russian["message"] == "Страница не найдена."  # DRF's own Russian catalogue


def test_answers_are_in_the_token_users_own_language_when_set(salesperson):
    salesperson.language = "ru"
    salesperson.save(update_fields=["language"])
    response = api_client(salesperson).get("/api/v1/leads/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "Страница не найдена."
    assert response["Content-Language"] == "ru"


def test_malformed_json_is_a_400_with_a_code(salesperson):
    response = api_client(salesperson).post("/api/v1/leads/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_an_unsupported_media_type_is_a_415(salesperson):
    response = api_client(salesperson).post("/api/v1/leads/", "phone=1", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
