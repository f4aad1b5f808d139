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
import math
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
TOO_DEEP = "The JSON body is nested more than {limit} levels deep."
BAD_NUMBER = "The JSON body holds a number that is not finite (NaN, Infinity) or too large."
BAD_TEXT = "The JSON body holds text with a NUL character or an unpaired surrogate (\\u0000, \\ud800)."

# No platform nests deeper than ~8 levels; far below Python's recursion limit.
MAX_JSON_DEPTH = 32
# Larger integers cannot be stored in PostgreSQL's jsonb faithfully nor used as ids.
MAX_JSON_INTEGER = 2**63


def _reject_constant(name: str):
    raise ValueError(name)  # NaN, Infinity, -Infinity are not JSON


def load_json_object(body: bytes) -> dict:
    """The body as a JSON object that every database can store: not nested
    deeper than MAX_JSON_DEPTH, finite numbers, text without NUL characters or
    lone surrogates. Anything else is a BadRequest (400), never a 500 later."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError as exc:
        raise BadRequest(TOO_DEEP.format(limit=MAX_JSON_DEPTH)) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(BAD_JSON) from exc
    if not isinstance(data, dict):
        raise BadRequest(NOT_AN_OBJECT)
    check_storable(data)
    return data


def check_storable(data) -> None:
    """Walk ``data`` (iteratively: no recursion on hostile depth) and raise
    BadRequest for what JSON columns or text columns cannot hold."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_JSON_DEPTH:
                raise BadRequest(TOO_DEEP.format(limit=MAX_JSON_DEPTH))
            for key, item in value.items():
                _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_JSON_DEPTH:
                raise BadRequest(TOO_DEEP.format(limit=MAX_JSON_DEPTH))
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)
        elif isinstance(value, float):
            if not math.isfinite(value):  # 1e999 parses as inf
                raise BadRequest(BAD_NUMBER)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= MAX_JSON_INTEGER:
            raise BadRequest(BAD_NUMBER)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise BadRequest(BAD_TEXT)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadRequest(BAD_TEXT) from exc


def as_list(value) -> list:
    """``value`` if it is a list, else an empty one (a platform field of the wrong shape)."""
    return value if isinstance(value, list) else []


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def is_id(value) -> bool:
    """A platform id: a non-empty string or a (non-boolean) integer."""
    return (isinstance(value, str) and bool(value.strip())) or (isinstance(value, int) and not isinstance(value, bool))


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
