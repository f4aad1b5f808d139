"""A small Telegram Bot API client (HTTP). One place that knows the URL shape,
the token and how Telegram reports errors.

https://core.telegram.org/bots/api#sendmessage
"""

from __future__ import annotations

import requests
from django.conf import settings

DEFAULT_TIMEOUT = 10  # seconds; a reminder pass must not hang on one chat


class TelegramError(Exception):
    """Telegram refused the call or could not be reached. The message never
    contains the bot token (it is part of the URL)."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


def api_call(method: str, payload: dict, *, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """POST ``payload`` to Bot API ``method``; returns the ``result`` object."""
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise TelegramError("TELEGRAM_BOT_TOKEN is not set, so Telegram messages cannot be sent.")
    url = f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{token}/{method}"
    try:
        response = requests.post(url, json=payload, timeout=timeout)
    except requests.RequestException as exc:
        raise TelegramError(_scrub(f"Telegram {method} failed: {exc}", token)) from None
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code != 200 or not data.get("ok"):
        description = data.get("description") or response.text[:200]
        retry_after = (data.get("parameters") or {}).get("retry_after")
        raise TelegramError(
            _scrub(f"Telegram {method} failed (HTTP {response.status_code}): {description}", token),
            status=response.status_code,
            retry_after=retry_after,
        )
    return data.get("result") or {}


def send_message(*, chat_id, text: str, reply_markup: dict | None = None, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Send ``text`` to ``chat_id``; returns Telegram's Message object."""
    payload: dict = {"chat_id": chat_id, "text": text, "disable_web_page_preview": True}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    return api_call("sendMessage", payload, timeout=timeout)
