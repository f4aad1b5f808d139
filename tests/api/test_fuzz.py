"""schemathesis against the live schema of a real server (pytest-django's
live_server on loopback, a throwaway test database), once with a manager's
token and once with a salesperson's: no 500, no undocumented status code, no
response or header outside the schema. Bounded: a few examples per operation
(API_FUZZ_EXAMPLES, default 5), so CI stays well within its time."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.factories import token_for
from tests.api.test_permissions import make_world
from tests.factories import ManagerFactory

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

SIGN_OUT = "DELETE /api/v1/me/token/"
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world(live_server, settings, tmp_path):
    # The fuzzer sends hundreds of requests a minute; uploads land in a temporary folder.
    settings.API_THROTTLE_READ_RATE = settings.API_THROTTLE_WRITE_RATE = "100000/min"
    settings.API_THROTTLE_UPLOAD_RATE = "100000/min"
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = ManagerFactory()
    made = make_world(manager, rows=2)
    return {"manager": manager, "salesperson": made.salesperson, "url": live_server.url}


def _fuzz(world, role) -> None:
    """Every operation of the live schema, positive and negative data; every
    failure collected (with the request that caused it) and reported at once."""
    api = schemathesis.openapi.from_url(f"{world['url']}/api/v1/schema/?format=json")
    headers = {"Authorization": f"Bearer {token_for(world[role])}"}
    failures, operations, signed_out_skipped = [], 0, False
    for result in api.get_all_operations():
        operation = result.ok()
        if operation.label == SIGN_OUT:
            signed_out_skipped = True
            continue  # it would end the fuzzer's own token; tests/api/test_tokens.py covers it
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @FUZZ
            def run(case):
                case.call_and_validate(base_url=world["url"], headers=headers, checks=CHECKS)

            try:
                run()
            except Exception as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations >= 50 and signed_out_skipped
    assert api_client_ok(world, headers), "the fuzzer's token must still work at the end"
    assert not failures, "\n\n".join(failures)


def api_client_ok(world, headers) -> bool:
    import requests

    return requests.get(f"{world['url']}/api/v1/me/", headers=headers, timeout=10).status_code == 200


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


def test_fuzz_as_manager(world):
    _fuzz(world, "manager")


def test_fuzz_as_salesperson(world):
    _fuzz(world, "salesperson")
