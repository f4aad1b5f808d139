"""Request authentication and abuse limits for the intake endpoints."""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from core import http as core_http
from intake import conf

# Headers worth keeping with a stored event (never secrets: not the Telegram
# secret token, not the landing key).
KEPT_HEADERS = (
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "HTTP_USER_AGENT",
    "HTTP_ORIGIN",
    "HTTP_REFERER",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_IDEMPOTENCY_KEY",
    "HTTP_X_HUB_SIGNATURE_256",
    "HTTP_X_SIGNATURE",
    "REMOTE_ADDR",
)


def kept_headers(request) -> dict:
    meta = request.META
    # Without NUL characters: neither JSON nor text columns of PostgreSQL hold them.
    return {name: str(meta[name]).replace("\x00", "")[:500] for name in KEPT_HEADERS if meta.get(name)}


def hmac_signature_valid(body: bytes, header: str | None, secret: str) -> bool:
    """``header`` is "sha256=" + the hex HMAC-SHA256 of the raw body with ``secret``
    (Meta's X-Hub-Signature-256, our call-tracking X-Signature). Constant time."""
    if not secret or not header:
        return False
    prefix, _, given = header.strip().partition("=")
    if prefix.lower() != "sha256" or not given:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


def secret_matches(given: str | None, expected: str) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def landing_key_for(given: str | None) -> str | None:
    """The configured site key ``given`` matches, or None. Every key is compared
    so timing does not tell which ones exist."""
    found = None
    for key in conf.landing_keys():
        if secret_matches(given, key):
            found = key
    return found


def client_ip(request) -> str:
    return core_http.client_ip(request)


def throttle_allows(*, scope: str, ident: str) -> tuple[bool, int]:
    """Fixed-window rate limit in the cache. Returns (allowed, seconds until the window resets)."""
    rate = conf.landing_rate()
    now = time.time()
    window = int(now // rate.seconds)
    key = f"intake:throttle:{scope}:{ident}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=rate.seconds + 1)
        count = 1
    retry_after = max(1, int((window + 1) * rate.seconds - now))
    return count <= rate.count, retry_after


def origin_allowed(origin: str | None) -> bool:
    return bool(origin) and origin.rstrip("/") in {o.rstrip("/") for o in settings.INTAKE_ALLOWED_ORIGINS}


def body_too_large(request) -> bool:
    """Checked on the Content-Length header before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.INTAKE_MAX_BODY_BYTES
