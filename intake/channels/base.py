"""What every channel module provides, and the values they exchange.

A channel module has:
- ``parse(body: bytes, ...) -> list[Incoming]``: turn an authenticated request
  body into the events to store (raises BadRequest for a 400);
- ``handle(event) -> Inquiry | Ignore``: decide what an event means for the
  lead domain (raises Unprocessable when it can never become a lead);
- optionally ``prepare(event) -> dict``: fetch what the event only points to
  (Meta's leadgen ids), outside the database transaction.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime


class BadRequest(Exception):
    """The request is malformed: answer 400 with this message (or field errors)."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Unprocessable(Exception):
    """The event can never become a lead as it is (no phone, not the sender's own contact)."""


class TransientError(Exception):
    """A dependency failed (network, 5xx, rate limit): try again later."""


@dataclass(frozen=True)
class Incoming:
    external_id: str
    payload: dict
    platform: str = ""


@dataclass(frozen=True)
class Inquiry:
    """Register an inquiry for this phone (creates the lead or counts a repeat)."""

    phone: str
    source: str
    at: datetime
    details: dict = field(default_factory=dict)
    note: str = ""
    reply: dict | None = None


@dataclass(frozen=True)
class Ignore:
    """Nothing for the lead domain (a /start, a status, an outbound call)."""

    reason: str
    reply: dict | None = None


BAD_JSON = "The body is not valid JSON."
NOT_AN_OBJECT = "The body must be a JSON object."


def load_json_object(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(BAD_JSON) from exc
    if not isinstance(data, dict):
        raise BadRequest(NOT_AN_OBJECT)
    return data


def from_epoch(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_iso(value) -> datetime | None:
    """ISO 8601 incl. Meta's "2026-11-22T08:08:10+0000" and CallRail's
    "2026-11-22T10:41:12.000+05:00"; naive values are taken as UTC."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def text_of(value, limit: int) -> str:
    return str(value).strip()[:limit] if value not in (None, "") else ""


def snippet(text: str, limit: int = 120) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
