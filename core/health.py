"""Health endpoints for the load balancer and the process supervisor.

- ``/healthz``: the process answers (no I/O at all) — restart it when this fails.
- ``/readyz``: database, cache and broker reachable, migrations applied — send
  it traffic only while this is 200 (503 otherwise).

Answered by a middleware placed first, before the host check, the HTTPS
redirect and the session: a load balancer probes over plain HTTP by address,
and a probe must not create sessions or log lines. JSON, no login, and no
secrets: a failed check reports only the exception's class, never its message
(connection errors carry host names and sometimes passwords).
"""

import time
import uuid

from celery import current_app
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
BROKER_TIMEOUT_SECONDS = 2

# Once every migration is applied it stays so for the life of the process (a
# release with new migrations restarts it), so a green answer is kept.
_migrations_applied = False


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def check_broker() -> None:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)


def check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied")
    _migrations_applied = True


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
}


def readiness() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; only its class is reported
            results[name] = {"ok": False, "error": exc.__class__.__name__}
            if name == "migrations" and isinstance(exc, RuntimeError):
                results[name]["error"] = str(exc)  # our own message: a count, no secret
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return all(r["ok"] for r in results.values()), results


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz and /readyz (trailing slash optional) before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if request.method in ("GET", "HEAD") and path in (HEALTH_PATH, READY_PATH):
            if path == HEALTH_PATH:
                response = JsonResponse({"status": "ok"})
            else:
                ready, checks = readiness()
                response = JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks})
                response.status_code = 200 if ready else 503
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
