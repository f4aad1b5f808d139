"""Which column holds which lead field, found from the header text.

Headers are compared after folding case and dropping spaces, underscores and
punctuation, so "Phone number", "phone_number" and "PHONE-NUMBER" are one
header, and "F.I.Sh" is "fish". Aliases cover what ops' files really say in
English, Russian and Uzbek; ``--map COLUMN=field`` adds or overrides.
"""

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Fields an import can fill. first_name / last_name are joined into full_name.
TEXT_FIELDS = (
    "full_name",
    "email",
    "course_interest",
    "comment",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "campaign_id",
    "ad_id",
    "form_id",
)
# language is read into our codes (leads.models.language_from); an unknown value is left out.
FIELDS = ("phone", "first_name", "last_name", *TEXT_FIELDS, "language", "created_time")

_ALIASES: dict[str, tuple[str, ...]] = {
    "phone": (
        "phone",
        "phone_number",
        "phone number",
        "phonenumber",
        "mobile",
        "mobile phone",
        "cell",
        "telephone",
        "tel",
        "contact phone",
        "whatsapp",
        "телефон",
        "номер телефона",
        "номер",
        "телефон номер",
        "мобильный",
        "мобильный телефон",
        "контактный телефон",
        "тел",
        "telefon",
        "telefon raqami",
        "telefon raqam",
        "raqam",
        "telefon nomer",
        "tel raqam",
    ),
    "full_name": (
        "name",
        "full_name",
        "full name",
        "fullname",
        "client",
        "contact",
        "student",
        "your name",
        "фио",
        "ф.и.о",
        "имя",
        "имя фамилия",
        "фамилия имя",
        "имя и фамилия",
        "клиент",
        "ученик",
        "ism",
        "ismingiz",
        "ism familiya",
        "ism-familiya",
        "f.i.sh",
        "fish",
        "fio",
        "ismi",
    ),
    "first_name": ("first_name", "first name", "given name"),
    "last_name": ("last_name", "last name", "surname", "family name", "фамилия", "familiya"),
    "email": ("email", "e-mail", "email address", "mail", "почта", "электронная почта", "elektron pochta", "pochta"),
    "course_interest": (
        "course",
        "course_interest",
        "courses",
        "program",
        "programme",
        "subject",
        "which course",
        "курс",
        "какой курс",
        "интересующий курс",
        "направление",
        "программа",
        "kurs",
        "qaysi kurs",
        "qaysi_kurs?",
        "yo'nalish",
        "yonalish",
        "fan",
    ),
    "comment": (
        "comment",
        "comments",
        "note",
        "notes",
        "remark",
        "message",
        "комментарий",
        "примечание",
        "заметка",
        "сообщение",
        "izoh",
        "izohlar",
        "eslatma",
    ),
    "utm_source": ("utm_source",),
    "utm_medium": ("utm_medium",),
    "utm_campaign": ("utm_campaign",),
    "utm_content": ("utm_content",),
    "utm_term": ("utm_term",),
    "campaign_id": ("campaign_id", "campaign id"),
    "ad_id": ("ad_id", "ad id"),
    "form_id": ("form_id", "form id"),
    "language": ("language", "lang", "til", "tili", "muloqot tili", "язык", "язык общения", "язык обучения"),
    "created_time": (
        "created_time",
        "created time",
        "created_at",
        "created",
        "timestamp",
        "date",
        "submitted at",
        "дата",
        "дата заявки",
        "время создания",
        "отметка времени",
        "дата создания",
        "sana",
        "vaqt",
        "vaqt belgisi",
        "yaratilgan vaqt",
    ),
}

NO_PHONE_COLUMN = 'No phone column found. Headers seen: {headers}. Name the phone column with --map "COLUMN=phone".'
UNKNOWN_FIELD = _("Unknown lead field “{field}” in --map. Known fields: {known}.")
BAD_MAP = _("--map takes COLUMN=field, got “{value}”.")
MAP_COLUMN_MISSING = _("--map names a column “{column}” that is not in the header row. Headers seen: {headers}.")


def fold(text) -> str:
    """Case-, space-, underscore- and punctuation-insensitive form of a header."""
    return re.sub(r"[\W_]+", "", str(text or "").casefold())


ALIASES: dict[str, str] = {fold(alias): field for field, aliases in _ALIASES.items() for alias in aliases}


class Overrides(dict):
    """{folded column: field}, remembering each column as it was typed."""

    def __init__(self):
        super().__init__()
        self.typed: dict[str, str] = {}


def parse_overrides(items: Sequence[str]) -> Overrides:
    """["Tel. raqam=phone", ...] -> {folded column: field}; raises ValidationError."""
    overrides = Overrides()
    for item in items or ():
        column, sep, field = str(item).rpartition("=")
        field = field.strip()
        if not sep or not column.strip() or not field:
            raise ValidationError(BAD_MAP.format(value=item))
        if field not in FIELDS:
            raise ValidationError(UNKNOWN_FIELD.format(field=field, known=", ".join(FIELDS)))
        overrides[fold(column)] = field
        overrides.typed[fold(column)] = column.strip()
    return overrides


def field_for(header, overrides: dict[str, str]) -> str | None:
    key = fold(header)
    if not key:
        return None
    return overrides.get(key) or ALIASES.get(key)


def build_mapping(headers: Sequence, overrides: dict[str, str]) -> dict[int, str]:
    """{column index: field}. The first column wins when two map to one field."""
    mapping: dict[int, str] = {}
    taken = set()
    for index, header in enumerate(headers):
        field = field_for(header, overrides)
        if field and field not in taken:
            mapping[index] = field
            taken.add(field)
    return mapping


def check_mapping(headers: Sequence, mapping: dict[int, str], overrides: dict[str, str]) -> None:
    shown = ", ".join(f"“{h}”" for h in headers if str(h or "").strip()) or "(none)"
    folded = {fold(h) for h in headers}
    for column in overrides:
        if column not in folded:
            typed = getattr(overrides, "typed", {}).get(column, column)
            raise ValidationError(MAP_COLUMN_MISSING.format(column=typed, headers=shown))
    if "phone" not in mapping.values():
        raise ValidationError(NO_PHONE_COLUMN.format(headers=shown))


def header_score(cells: Sequence, overrides: dict[str, str]) -> int:
    """How much a row looks like the header row: recognised headers, phone counting double."""
    fields = {field_for(c, overrides) for c in cells if isinstance(c, str)}
    fields.discard(None)
    return len(fields) + (1 if "phone" in fields else 0)
