"""GSM-7: which texts fit the SMS default alphabet, and how many parts a text takes.

An SMS carries 160 GSM-7 characters, or 70 UCS-2 (UTF-16) ones as soon as a
single character is outside GSM-7; a longer text is split into parts of 153 /
67 (the rest is the concatenation header), and each part is billed. Uzbek Latin
writes oʻ and gʻ with U+02BB (and people type ’ ‘ ` ʼ too): none of them is in
GSM-7, so one apostrophe would turn a one-part reminder into a two-part Unicode
one. ``sms_text`` replaces them with the ASCII apostrophe before sending.

https://en.wikipedia.org/wiki/GSM_03.38
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The basic character set (one septet each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: an escape septet plus one, so two septets each.
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

# Apostrophes of Uzbek Latin (oʻ, gʻ, tutuq belgisi) and their look-alikes.
APOSTROPHES = {
    "\u02bb": "'",  # ʻ modifier letter turned comma (the standard oʻ/gʻ)
    "\u02bc": "'",  # ʼ modifier letter apostrophe (the standard tutuq belgisi)
    "\u2019": "'",  # ’ right single quotation mark
    "\u2018": "'",  # ‘ left single quotation mark
    "`": "'",  # grave accent, typed on a Latin keyboard
    "\u00b4": "'",  # ´ acute accent
}
# Other typographic characters that have a GSM-7 equivalent.
_TYPOGRAPHY = {
    "\u201c": '"',
    "\u201d": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
}
_SMS_SAFE = str.maketrans({**APOSTROPHES, **_TYPOGRAPHY})

SINGLE_GSM, PART_GSM = 160, 153
SINGLE_UCS2, PART_UCS2 = 70, 67


def sms_text(text: str) -> str:
    """``text`` as we send it: Uzbek apostrophes and typographic quotes, dashes
    and spaces replaced by their GSM-7 equivalents (Cyrillic stays as it is: a
    Russian text is UCS-2 anyway)."""
    return str(text).translate(_SMS_SAFE)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int

    @property
    def per_part(self) -> int:
        if self.encoding == "GSM-7":
            return SINGLE_GSM if self.parts <= 1 else PART_GSM
        return SINGLE_UCS2 if self.parts <= 1 else PART_UCS2


def sms_length(text: str) -> SmsLength:
    """How ``text`` travels as it is (normalise with ``sms_text`` first)."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, part, encoding = SINGLE_GSM, PART_GSM, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2  # an emoji is two units
        single, part, encoding = SINGLE_UCS2, PART_UCS2, "UCS-2"
    parts = 1 if units <= single else math.ceil(units / part)
    return SmsLength(encoding=encoding, units=units, parts=max(parts, 1) if units else 0)
