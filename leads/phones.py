"""Phone normalisation: the one function every path uses to turn typed text into E.164.

phonenumbers does the real work. On top of it we accept the old domestic habit
of a trunk "8" before a 9-digit Uzbek number ("8 (90) 123 45 67"), which
libphonenumber stopped accepting in 2024 when Uzbekistan dropped the trunk prefix.

Parsing with phonenumbers costs tens of microseconds, most of an import's row.
The shapes nearly every Uzbek number arrives in (+998…, 998…, 9 national digits,
the trunk 8, with spaces, dashes or brackets) take a fast path that checks the
national digits against phonenumbers' own Uzbek patterns; it only ever accepts,
so anything it does not recognise goes the full way. tests/leads/test_phones.py
proves with hypothesis that the two agree.
"""

import re
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_lazy as _

_NON_DIGITS = re.compile(r"\D+")
# "8" + 9 national digits, as people still type Uzbek numbers.
_UZ_LEGACY_TRUNK = re.compile(r"^8(\d{9})$")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
# Only digits and the separators people type, an optional leading plus.
_FAST_SHAPE = re.compile(r"\+?[\d \-()]+")


def _uz_national_pattern() -> re.Pattern:
    """What phonenumbers.is_valid_number accepts for a UZ national number: the
    general pattern and the pattern of one of the number types, from its metadata."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("UZ")
    kinds = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number", "voip")
    kinds += ("pager", "uan", "voicemail")
    descs = [getattr(meta, kind) for kind in kinds]
    types = [desc.national_number_pattern for desc in descs if desc is not None and desc.national_number_pattern]
    return re.compile(f"(?=(?:{meta.general_desc.national_number_pattern})$)(?:{'|'.join(types)})$")


_UZ_VALID = _uz_national_pattern()

INVALID_PHONE = _("“{raw}” is not a valid phone number.")
EMPTY_PHONE = _("A phone number is required.")


class InvalidPhone(ValueError):
    pass


def digits_only(text: str) -> str:
    return _NON_DIGITS.sub("", text or "")


def normalize_phone(raw, region: str | None = None) -> str:
    """Return the E.164 form of ``raw`` or raise InvalidPhone with a readable message."""
    if isinstance(raw, float) and not raw.is_integer():
        # A spreadsheet cell such as 998901234567.5 (or NaN) is no phone; the
        # digits of a fraction must never make one up.
        raise InvalidPhone(INVALID_PHONE.format(raw=raw))
    text = _as_text(raw)
    if not text:
        raise InvalidPhone(str(EMPTY_PHONE))
    region = (region or settings.DEFAULT_PHONE_REGION).upper()
    result = _normalize(text, region)
    if result is None:
        raise InvalidPhone(INVALID_PHONE.format(raw=text))
    return result


def try_normalize_phone(raw, region: str | None = None) -> str | None:
    try:
        return normalize_phone(raw, region)
    except InvalidPhone:
        return None


def _as_text(raw) -> str:
    """Spreadsheets hand phones over as numbers (998901234567.0, 9.98901234567E+11)."""
    if type(raw) is str and "e" not in raw and "E" not in raw:  # nearly every phone: typed text
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return ""
    if isinstance(raw, float):  # whole: normalize_phone refuses fractions first
        return str(int(raw))
    if isinstance(raw, int):
        return str(raw)
    text = str(raw).strip()
    if ("e" in text or "E" in text) and _SCIENTIFIC.fullmatch(text):  # scientific notation copied as text
        try:
            return str(int(float(text)))
        except (ValueError, OverflowError):
            return text
    return text


def _normalize(text: str, region: str) -> str | None:
    if region == "UZ":
        fast = _fast_uz(text)
        if fast is not None:
            return fast
    return _normalize_full(text, region)


def _fast_uz(text: str) -> str | None:
    """E.164 for the common shapes of a valid Uzbek number, else None (then the
    full parse decides: None here never means invalid)."""
    if not _FAST_SHAPE.fullmatch(text):
        return None
    digits = digits_only(text)
    if text.startswith("+"):
        national = digits[3:] if len(digits) == 12 and digits.startswith("998") else None
    elif len(digits) == 9:
        national = digits
    elif len(digits) == 12 and digits.startswith("998"):
        national = digits[3:]
    elif len(digits) == 10 and digits.startswith("8"):
        national = digits[1:]  # the legacy trunk prefix
    else:
        national = None
    if national is None or not _UZ_VALID.match(national):
        return None
    return "+998" + national


# The slow parse only: repeats within a file. The fast path costs less than a cache
# look-up; an import of 100k distinct numbers must not keep them all.
@lru_cache(maxsize=8192)
def _normalize_full(text: str, region: str) -> str | None:
    digits = digits_only(text)
    candidates = [text]
    if region == "UZ":
        legacy = _UZ_LEGACY_TRUNK.match(digits)
        if legacy and not text.lstrip().startswith("+"):
            candidates.append("+998" + legacy.group(1))
    if not text.lstrip().startswith("+") and len(digits) > 9:
        # International numbers written without the plus: 998901234567.
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


@lru_cache(maxsize=65536)  # every list row shows one, and parsing is the slow part
def format_phone_display(e164: str) -> str:
    """ "+998901234567" -> "+998 90 123 45 67" for people to read."""
    if len(e164) == 13 and e164.startswith("+998") and e164[1:].isdigit():
        # Uzbek numbers, nearly all of them: phonenumbers' international format
        # without its parse (45 µs, a list page's 50 rows each show one).
        return f"{e164[:4]} {e164[4:6]} {e164[6:9]} {e164[9:11]} {e164[11:]}"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
