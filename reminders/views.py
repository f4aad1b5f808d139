"""The Eskiz delivery-report callback: /sms/eskiz/<ESKIZ_CALLBACK_SECRET>/.

Thin: check the secret (constant time; unset → 404), the size and the shape,
then record the report on the SMS we sent (reminders.sms.sms_record_report).
Malformed input is a 400, never a 500; a report naming no SMS of ours is a 400
too, so nothing outside our own messages is ever written.
"""

import datetime as dt
import hmac
import json
import logging
import re
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reminders import sms

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
# What a report may hold (Eskiz's fields); anything else is not kept.
REPORT_FIELDS = (
    "request_id",
    "message_id",
    "user_sms_id",
    "country",
    "phone_number",
    "sms_count",
    "status",
    "status_date",
)
STATUS_RE = re.compile(r"^[A-Za-z_]{1,20}$")
ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

BAD_BODY = "Send the report as JSON or a form."
BAD_FIELDS = "A report needs request_id (or user_sms_id) and status."
UNKNOWN = "No SMS of ours has this id."


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _fields(request) -> dict | None:
    kind = (request.content_type or "").lower()
    try:
        if kind == "application/json":
            data = json.loads(request.body.decode("utf-8"))
        elif kind in ("application/x-www-form-urlencoded", ""):
            data = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        elif kind == "multipart/form-data":
            data = {key: request.POST.get(key) for key in request.POST}
        else:
            return None
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {key: str(data[key])[:64] for key in REPORT_FIELDS if data.get(key) not in (None, "")}


def _reported_at(value: str | None) -> dt.datetime:
    """Eskiz's ``status_date`` ("2026-11-27 14:00:05", Tashkent time), else now."""
    try:
        parsed = dt.datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return timezone.now()
    return timezone.make_aware(parsed, timezone.get_default_timezone())


@csrf_exempt
@require_POST
def eskiz_callback(request, secret: str):
    expected = settings.ESKIZ_CALLBACK_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        return _error(404, "Not found.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _error(400, BAD_BODY)
    report = _fields(request)
    if report is None:
        return _error(400, BAD_BODY)
    request_id, reference, status = report.get("request_id", ""), report.get("user_sms_id", ""), report.get("status")
    ids_ok = all(ID_RE.match(value) for value in (request_id, reference) if value)
    if not (request_id or reference) or not status or not STATUS_RE.match(status) or not ids_ok:
        return _error(400, BAD_FIELDS)
    delivery = sms.sms_record_report(
        request_id=request_id,
        reference=reference,
        status=status.upper(),
        at=_reported_at(report.get("status_date")),
        report=report,
    )
    if delivery is None:
        logger.warning("Eskiz report for an unknown SMS: request_id=%r user_sms_id=%r", request_id, reference)
        return _error(400, UNKNOWN)
    return JsonResponse({"status": "recorded", "delivery": delivery.pk})
