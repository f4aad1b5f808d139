"""What one row of an import says: its phone (normalised, or why not), its own
timestamp, a fingerprint of its content, and the lead fields it fills in.

Pure: no database. A ``row_parser`` parses every row in phase one of a run
(``runs``), so a parsed row keeps only what the second phase needs.
"""

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from import_service import columns, readers
from leads.models import Lead, language_from
from leads.phones import InvalidPhone, normalize_phone

NO_PHONE = _("No phone number.")

_MAX_LENGTHS = {f.name: f.max_length for f in Lead._meta.concrete_fields if getattr(f, "max_length", None)}
_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)


class _EmailValidator(EmailValidator):
    """Django's e-mail check with its own patterns, compiled up front: Django's
    are lazy objects, looked through on every call (a third of its cost)."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)


validate_email = _EmailValidator()

_SEP = "\x1f"  # the unit separator: never typed into a cell, in practice


@dataclass(slots=True)
class ParsedRow:
    """A validated row, kept small: 100k of them are held between the two phases,
    so the cells are packed into one string (a tuple of nine strings takes four
    times the memory); a row with a separator in a cell keeps its tuple."""

    number: int
    packed: str | tuple[str, ...]
    phone: str | None = None
    error: str = ""
    at: datetime.datetime | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self.packed.split(_SEP)) if type(self.packed) is str else self.packed

    def fingerprint(self) -> str:
        """``row_fingerprint`` of its cells, from the packed text they are already joined in."""
        return _digest(self.packed if type(self.packed) is str else _SEP.join(self.packed))


def parse_created_time(value, tz: datetime.tzinfo | None = None) -> datetime.datetime | None:
    """A timestamp cell as an aware datetime (naive ones are local time: ``tz``,
    by default the current time zone), or None."""
    if type(value) is str:  # a CSV cell, nearly every call
        moment = _time_from_text(value.strip())
    elif value is None or value == "":
        return None
    elif isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time.min)
    else:
        moment = _time_from_text(str(value).strip())
    if moment is None:
        return None
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=tz or timezone.get_current_timezone())  # what make_aware does
    return moment


def _time_from_text(text: str) -> datetime.datetime | None:
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def row_fingerprint(values) -> str:
    """16 hex digits identifying a row's content, so a re-import recognises it
    (stored as ``LeadInquiry.fingerprint``)."""
    return _digest(_SEP.join(values))


def _digest(joined: str) -> str:
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def parse_row(
    number: int,
    cells: list,
    mapping: dict[int, str],
    *,
    now: datetime.datetime,
    tz: datetime.tzinfo | None = None,
    region: str | None = None,
) -> ParsedRow | None:
    """Phone and time of one row (None for a blank row); its other details are
    read when it is written (row_details). ``tz``: the zone of naive times, and
    ``region``: the phone region (the current / configured ones by default)."""
    return row_parser(mapping, now=now, tz=tz, region=region)(number, cells)


def row_parser(
    mapping: dict[int, str],
    *,
    now: datetime.datetime,
    tz: datetime.tzinfo | None = None,
    region: str | None = None,
) -> Callable[[int, list], ParsedRow | None]:
    """``parse_row`` for every row of one run: the phone and time columns, the
    zone and the region are found once, not per row."""
    phone_at = time_at = None
    for index, field in mapping.items():  # the last column mapped to a field wins
        if field == "phone":
            phone_at = index
        elif field == "created_time":
            time_at = index
    tz = tz or timezone.get_current_timezone()
    region = region or settings.DEFAULT_PHONE_REGION

    def parse(number: int, cells: list) -> ParsedRow | None:
        try:
            values = tuple(map(str.strip, cells))  # a CSV row: all text
        except TypeError:  # a spreadsheet row: numbers, dates, empty cells
            values = tuple(c.strip() if type(c) is str else readers.cell_text(c) for c in cells)
        if not any(values):
            return None
        packed = _SEP.join(values)
        row = ParsedRow(number=number, packed=values if packed.count(_SEP) != len(values) - 1 else packed)
        phone_raw = None if phone_at is None else cells[phone_at]
        try:
            row.phone = normalize_phone(phone_raw, region)
        except InvalidPhone as exc:
            row.error = str(NO_PHONE) if readers.cell_text(phone_raw) == "" else str(exc)
            return row
        moment = None if time_at is None else parse_created_time(cells[time_at], tz)
        row.at = min(moment, now) if moment else None
        return row

    return parse


def row_details(values: tuple[str, ...], mapping: dict[int, str]) -> dict:
    """The lead fields a row gives (only non-blank ones), cut to the model's lengths."""
    return details_reader(mapping)(values)


def details_reader(mapping: dict[int, str]) -> Callable[[tuple[str, ...]], dict]:
    """``row_details`` for every row of one mapping: what depends only on the
    columns (which fields there are, their length limits) is worked out once."""
    items = tuple(mapping.items())
    mapped = set(mapping.values())
    has_language = "language" in mapped
    has_names = bool(mapped & {"first_name", "last_name"})
    has_email = "email" in mapped
    # Fields a later step may rewrite (the name from its parts, the comment with
    # a bad e-mail, the e-mail itself once checked) are cut to length after it;
    # the others as they are read.
    later = {"language"} | ({"full_name"} if has_names else set()) | ({"email", "comment"} if has_email else set())
    # A field mapped from several columns takes the last non-blank one, as a dict would.
    text_columns = tuple(
        (index, field, None if field in later else _MAX_LENGTHS.get(field))
        for index, field in items
        if field in columns.TEXT_FIELDS
    )
    phone_columns = tuple(index for index, field in items if field == "phone")
    phone_limit = _MAX_LENGTHS["phone_raw"]
    others = tuple((index, field) for index, field in items if field in {"language", "first_name", "last_name"})
    later_limits = tuple((name, _MAX_LENGTHS[name]) for name in sorted(later) if name in _MAX_LENGTHS)

    def details_of(values: tuple[str, ...]) -> dict:
        phone = ""
        for index in phone_columns:
            phone = values[index] or phone
        details = {"phone_raw": phone[:phone_limit]}
        for index, field, limit in text_columns:
            value = values[index]
            if value:
                details[field] = value if limit is None or len(value) <= limit else value[:limit]
        if others:
            fields = {field: values[index] for index, field in others if values[index]}
            if has_language:
                language = language_from(fields.get("language"))
                if language:
                    details["language"] = language
            if has_names:
                first, last = fields.get("first_name", ""), fields.get("last_name", "")
                if first or last:
                    details["full_name"] = " ".join(p for p in (details.get("full_name") or first, last) if p)
        if has_email and details.get("email"):
            try:
                validate_email(details["email"])
            except ValidationError:
                # Keep what was typed where a person can see it, rather than lose it.
                bad = details.pop("email")
                details["comment"] = "\n".join(p for p in (details.get("comment", ""), f"E-mail as given: {bad}") if p)
        for name, limit in later_limits:
            value = details.get(name)
            if value is not None and len(value) > limit:
                details[name] = value[:limit]
        return details

    return details_of
