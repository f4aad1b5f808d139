"""HTTPS endpoints the channels' platforms call. Thin: authenticate, limit,
parse, store (in the transaction that answers), enqueue, answer fast.

JSON in and out. A channel whose secrets are unset answers 404.
"""

import json
import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from intake import conf, security, services
from intake.channels import calls, landing, meta, telegram, whatsapp
from intake.channels.base import BadRequest
from intake.models import IntakeChannel

logger = logging.getLogger(__name__)

NOT_FOUND = "Not found."
FORBIDDEN = "Forbidden."
TOO_LARGE = "The body is larger than {limit} bytes."
JSON_REQUIRED = "Send application/json."
THROTTLED = "Too many requests; try again in {seconds} s."
ORIGIN_NOT_ALLOWED = "This origin may not post to the form endpoint."

CORS_ALLOW_HEADERS = "Content-Type, X-Intake-Key, Idempotency-Key"


def _error(status: int, message: str, errors: dict | None = None, **extra) -> JsonResponse:
    body = {"error": message, **extra}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status)


def _reject(channel: str, reason: str, status: int, message: str, **extra) -> JsonResponse:
    services.intake_rejection_record(channel=channel, reason=reason)
    return _error(status, message, **extra)


def _forbidden(channel: str, request, why: str, message: str = FORBIDDEN) -> JsonResponse:
    logger.warning("Intake %s: refused %s from %s: %s", channel, request.method, security.client_ip(request), why)
    return _reject(channel, services.REJECT_FORBIDDEN, 403, message)


def _too_large(channel: str) -> JsonResponse:
    return _reject(channel, services.REJECT_INVALID, 400, TOO_LARGE.format(limit=settings.INTAKE_MAX_BODY_BYTES))


def _store_and_answer(channel: str, request, incoming, body: bytes) -> JsonResponse:
    stored = services.intake_events_store(
        channel=channel,
        incoming=incoming,
        headers=security.kept_headers(request),
        body=body.decode("utf-8", errors="replace"),
    )
    new = sum(1 for s in stored if s.created)
    return JsonResponse(
        {
            "status": "received" if new or not stored else "duplicate",
            "received": new,
            "duplicates": len(stored) - new,
        }
    )


def _webhook(channel: str, request, parser, authenticate) -> JsonResponse:
    """Size (from Content-Length, before reading), then authenticity, then shape."""
    if security.body_too_large(request):
        return _too_large(channel)
    body = request.body
    why = authenticate(request, body)
    if why:
        return _forbidden(channel, request, why)
    if (request.content_type or "").lower() != "application/json":
        return _reject(channel, services.REJECT_INVALID, 400, JSON_REQUIRED)
    try:
        incoming = parser(body)
    except BadRequest as exc:
        return _reject(channel, services.REJECT_INVALID, 400, exc.message, errors=exc.errors)
    return _store_and_answer(channel, request, incoming, body)


def _verify_subscription(channel: str, request) -> HttpResponse:
    """Meta's GET handshake: echo hub.challenge when hub.verify_token matches."""
    if request.GET.get("hub.mode") != "subscribe" or not security.secret_matches(
        request.GET.get("hub.verify_token"), conf.verify_token(channel)
    ):
        return _forbidden(channel, request, "verify token mismatch")
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def _disabled() -> JsonResponse:
    return _error(404, NOT_FOUND)


# --- Telegram ----------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["POST"])
def telegram_webhook(request):
    channel = IntakeChannel.TELEGRAM
    if not conf.channel_enabled(channel):
        return _disabled()

    def authenticate(request, body):
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        return None if security.secret_matches(given, settings.TELEGRAM_WEBHOOK_SECRET) else "bad secret token"

    return _webhook(channel, request, telegram.parse, authenticate)


# --- Meta lead ads and WhatsApp -------------------------------------------------------


def _hub_signature(channel):
    def authenticate(request, body):
        header = request.headers.get("X-Hub-Signature-256")
        return None if security.hmac_signature_valid(body, header, conf.app_secret(channel)) else "bad signature"

    return authenticate


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request):
    channel = IntakeChannel.META
    if not conf.channel_enabled(channel):
        return _disabled()
    if request.method == "GET":
        return _verify_subscription(channel, request)
    return _webhook(channel, request, meta.parse, _hub_signature(channel))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request):
    channel = IntakeChannel.WHATSAPP
    if not conf.channel_enabled(channel):
        return _disabled()
    if request.method == "GET":
        return _verify_subscription(channel, request)
    return _webhook(channel, request, whatsapp.parse, _hub_signature(channel))


# --- call tracking ---------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["POST"])
def calls_webhook(request):
    channel = IntakeChannel.CALLS
    if not conf.channel_enabled(channel):
        return _disabled()

    def authenticate(request, body):
        header = request.headers.get("X-Signature")
        return None if security.hmac_signature_valid(body, header, settings.CALL_TRACKING_SECRET) else "bad signature"

    return _webhook(channel, request, calls.parse, authenticate)


# --- landing form ----------------------------------------------------------------------


def _with_cors(response, origin: str | None):
    if origin and security.origin_allowed(origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def landing_form(request):
    channel = IntakeChannel.LANDING
    if not conf.channel_enabled(channel):
        return _disabled()
    origin = request.headers.get("Origin")
    if origin and not security.origin_allowed(origin):
        return _forbidden(channel, request, f"origin {origin[:100]} not allowed", ORIGIN_NOT_ALLOWED)
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
        response["Access-Control-Max-Age"] = "86400"
        return _with_cors(response, origin)

    allowed, retry_after = security.throttle_allows(scope=channel, ident=security.client_ip(request))
    if not allowed:
        response = _reject(channel, services.REJECT_THROTTLED, 429, THROTTLED.format(seconds=retry_after))
        response["Retry-After"] = str(retry_after)
        return _with_cors(response, origin)

    if security.body_too_large(request):
        return _with_cors(_too_large(channel), origin)
    body = request.body
    try:
        post = request.POST if request.content_type == "multipart/form-data" else None
        fields = landing.read_fields(body, request.content_type, post)
    except BadRequest as exc:
        return _with_cors(_reject(channel, services.REJECT_INVALID, 400, exc.message), origin)

    site_key = security.landing_key_for(request.headers.get("X-Intake-Key") or fields.pop("key", None))
    fields.pop("key", None)
    if site_key is None:
        return _with_cors(_forbidden(channel, request, "bad site key"), origin)
    if (fields.pop(settings.INTAKE_HONEYPOT_FIELD, "") or "").strip():
        # A bot filled the hidden field: look successful, keep nothing.
        services.intake_rejection_record(channel=channel, reason=services.REJECT_HONEYPOT)
        return _with_cors(JsonResponse({"status": "received"}, status=201), origin)
    try:
        incoming = landing.parse(fields, site_key=site_key, idempotency_key=request.headers.get("Idempotency-Key", ""))
    except BadRequest as exc:
        return _with_cors(_reject(channel, services.REJECT_INVALID, 400, exc.message, errors=exc.errors), origin)

    # The submitted fields as received, less the site key (it is a credential).
    stored = services.intake_events_store(
        channel=channel,
        incoming=incoming,
        headers=security.kept_headers(request),
        body=json.dumps(fields, ensure_ascii=False),
    )[0]
    response = JsonResponse(
        {"status": "received" if stored.created else "duplicate", "reference": str(stored.event.reference)},
        status=201 if stored.created else 200,
    )
    return _with_cors(response, origin)
