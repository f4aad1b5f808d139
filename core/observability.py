"""Logs and errors: request and task context on every log line, a log line per
request and per task, and Sentry when SENTRY_DSN is set.

- ``RequestLogMiddleware``: a request id (the proxy's ``X-Request-ID`` when it
  looks like one, else a new one, echoed back in the response), then one line
  per request on the ``crm.request`` logger: method, path, status, duration,
  user id.
- Celery signals (connected in ``CoreConfig.ready``): one line per task on
  ``crm.task``: name, id, outcome (succeeded, failed, retry), duration.
- ``ContextFilter`` puts ``request_id`` / ``task_id`` on every record logged
  meanwhile, so a JSON line of a service can be traced to its request or task.

With ``LOG_FORMAT=json`` (settings) each record is one JSON object per line.
"""

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty

request_logger = logging.getLogger("crm.request")
task_logger = logging.getLogger("crm.task")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
current_task_id: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class ContextFilter(logging.Filter):
    """Adds request_id and task_id (empty when there is none) to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        if not hasattr(record, "task_id"):
            record.task_id = current_task_id.get()
        return True


def _user_id(request):
    """The user's id if the request already looked the user up; never a query of its own."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SANE_REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path[:500],
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


# --- Celery -----------------------------------------------------------------------

_task_started: dict[str, float] = {}
_task_outcome: dict[str, str] = {}
OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retry"}


def _task_prerun(task_id=None, task=None, **kwargs):
    current_task_id.set(task_id or "")
    _task_started[task_id] = time.perf_counter()


def _task_failed(task_id=None, **kwargs):
    _task_outcome[task_id] = "failed"


def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    recorded = _task_outcome.pop(task_id, "")
    # No state at all: the task raised and the error propagated (eager mode) before Celery recorded it.
    outcome = OUTCOMES.get(state) or recorded or (state.lower() if state else "failed")
    level = logging.WARNING if outcome == "failed" else logging.INFO
    task_logger.log(
        level,
        "task %s %s %s",
        getattr(task, "name", "?"),
        task_id,
        outcome,
        extra={"task": getattr(task, "name", "?"), "task_id": task_id, "outcome": outcome, "duration_ms": duration},
    )
    current_task_id.set("")


def connect_celery_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_prerun, dispatch_uid="crm-task-prerun", weak=False)
    signals.task_postrun.connect(_task_postrun, dispatch_uid="crm-task-postrun", weak=False)
    signals.task_failure.connect(_task_failed, dispatch_uid="crm-task-failure", weak=False)


# --- logging configuration ----------------------------------------------------------


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: plain lines for people, or one JSON object per line."""
    json_format = log_format == "json"
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        }
        if json_format
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.observability.ContextFilter"}},
        "formatters": {"main": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # One line per request: for machines (JSON). In plain development
            # logs runserver / gunicorn print their own access lines already.
            "crm.request": {"level": "INFO" if json_format else "WARNING"},
        },
    }


# --- Sentry ---------------------------------------------------------------------------


# What Sentry may collect: nothing that identifies a person (staff or lead).
# This is send_default_pii=False made explicit and stricter: that mode still
# sends request bodies, query strings (an admin search for a phone number) and
# local variables (a lead being processed). Stack traces and code lines stay.
SENTRY_DATA_COLLECTION = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "allowlist", "terms": ["user-agent", "content-type", "x-request-id"]}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


def init_sentry(*, dsn: str, environment: str = "", release: str = "", traces_sample_rate: float = 0.0, **extra):
    """Sentry with the Django and Celery integrations and no personal data (see
    SENTRY_DATA_COLLECTION). ``extra`` passes other sentry_sdk.init options."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        data_collection=SENTRY_DATA_COLLECTION,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        **extra,
    )
