"""A small client of Eskiz (notify.eskiz.uz), the SMS gateway of Uzbekistan.

One place that knows the URL shapes, the bearer token and how Eskiz reports
errors. The token (valid 30 days) lives in Django's cache, so every worker
shares one login: it is refreshed (``PATCH /api/auth/refresh``) when it is
older than TOKEN_REFRESH_AFTER, and a 401 logs in again once before the call
is repeated. Credentials come from the environment only (ESKIZ_EMAIL,
ESKIZ_PASSWORD); without them ``enabled()`` is false and nothing is sent.

https://documenter.getpostman.com/view/663428/RzfmES4z
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache

DEFAULT_TIMEOUT = 10  # seconds; a reminder pass must not hang on the gateway
TOKEN_CACHE_KEY = "eskiz:token"
TOKEN_LIFETIME = 30 * 24 * 3600  # what Eskiz grants
TOKEN_REFRESH_AFTER = 25 * 24 * 3600  # refresh well before it runs out


class EskizError(Exception):
    """Eskiz refused the call or could not be reached. Never contains the password or token."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class BatchMessage:
    user_sms_id: str  # ours: Eskiz echoes it in the delivery report
    phone: str  # digits, 998…
    text: str


def enabled() -> bool:
    return bool(settings.ESKIZ_EMAIL and settings.ESKIZ_PASSWORD and settings.ESKIZ_FROM)


def _url(path: str) -> str:
    return f"{settings.ESKIZ_API_URL.rstrip('/')}{path}"


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(what: str, response: requests.Response) -> EskizError:
    data = _json(response)
    detail = data.get("message") or data.get("error") or response.text[:200]
    return EskizError(f"Eskiz {what} failed (HTTP {response.status_code}): {detail}", status=response.status_code)


def _post(method: str, path: str, *, timeout: float, headers: dict | None = None, **kwargs) -> requests.Response:
    try:
        return requests.request(method, _url(path), headers=headers, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise EskizError(f"Eskiz {path} could not be reached: {type(exc).__name__}") from None


def _token_from(data: dict) -> str:
    token = (data.get("data") or {}).get("token") if isinstance(data.get("data"), dict) else None
    if not token or not isinstance(token, str):
        raise EskizError("Eskiz answered without a token.")
    return token


def login(*, timeout: float = DEFAULT_TIMEOUT) -> str:
    """A fresh token (POST /api/auth/login), kept in the cache."""
    if not enabled():
        raise EskizError("ESKIZ_EMAIL, ESKIZ_PASSWORD and ESKIZ_FROM are not set, so SMS cannot be sent.")
    response = _post(
        "POST",
        "/api/auth/login",
        timeout=timeout,
        data={"email": settings.ESKIZ_EMAIL, "password": settings.ESKIZ_PASSWORD},
    )
    if response.status_code != 200:
        raise _error("login", response)
    token = _token_from(_json(response))
    cache.set(TOKEN_CACHE_KEY, {"token": token, "at": time.time()}, TOKEN_LIFETIME)
    return token


def refresh(token: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Extend ``token`` (PATCH /api/auth/refresh); logs in again if Eskiz refuses."""
    response = _post("PATCH", "/api/auth/refresh", timeout=timeout, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        return login(timeout=timeout)
    data = _json(response)
    new = (data.get("data") or {}).get("token") if isinstance(data.get("data"), dict) else None
    new = new if isinstance(new, str) and new else token  # some accounts answer without a new token
    cache.set(TOKEN_CACHE_KEY, {"token": new, "at": time.time()}, TOKEN_LIFETIME)
    return new


def token(*, timeout: float = DEFAULT_TIMEOUT) -> str:
    stored = cache.get(TOKEN_CACHE_KEY)
    if not stored:
        return login(timeout=timeout)
    if time.time() - stored["at"] > TOKEN_REFRESH_AFTER:
        return refresh(stored["token"], timeout=timeout)
    return stored["token"]


def _authorised(path: str, *, timeout: float, **kwargs) -> dict:
    """POST with the bearer token; on 401 log in once more and repeat."""
    for attempt in (1, 2):
        bearer = token(timeout=timeout) if attempt == 1 else login(timeout=timeout)
        response = _post("POST", path, timeout=timeout, headers={"Authorization": f"Bearer {bearer}"}, **kwargs)
        if response.status_code == 401 and attempt == 1:
            cache.delete(TOKEN_CACHE_KEY)
            continue
        if response.status_code != 200:
            raise _error(path, response)
        return _json(response)
    raise AssertionError("unreachable")  # pragma: no cover


def send_sms(*, phone: str, text: str, user_sms_id: str = "", timeout: float = DEFAULT_TIMEOUT) -> str:
    """Send one SMS to ``phone`` (digits, 998…); returns Eskiz's id, which its
    delivery report carries as ``request_id``."""
    payload = {"mobile_phone": phone, "message": text, "from": settings.ESKIZ_FROM}
    if settings.ESKIZ_CALLBACK_URL:
        payload["callback_url"] = settings.ESKIZ_CALLBACK_URL
    if user_sms_id:
        payload["user_sms_id"] = user_sms_id
    data = _authorised("/api/message/sms/send", timeout=timeout, data=payload)
    gateway_id = data.get("id")
    if not gateway_id:
        raise EskizError(f"Eskiz accepted the SMS without an id: {str(data)[:200]}")
    return str(gateway_id)


def send_batch(*, messages: list[BatchMessage], dispatch_id: int, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Send many SMS in one call (POST /api/message/sms/send-batch); returns the
    batch's id. Each report names its message by our ``user_sms_id``."""
    payload: dict = {
        "messages": [{"user_sms_id": m.user_sms_id, "to": m.phone, "text": m.text} for m in messages],
        "from": settings.ESKIZ_FROM,
        "dispatch_id": dispatch_id,
    }
    if settings.ESKIZ_CALLBACK_URL:
        payload["callback_url"] = settings.ESKIZ_CALLBACK_URL
    data = _authorised("/api/message/sms/send-batch", timeout=timeout, json=payload)
    return str(data.get("id") or "")
