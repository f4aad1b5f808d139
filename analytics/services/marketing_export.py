"""Reading an ad-platform daily report (Meta Ads Manager “Day / Amount spent (UZS) /
Impressions / Link clicks”, Google Ads, TikTok) into per-day totals.

The bytes are decoded and the CSV dialect detected by the lead import's reader
(``import_service.readers``: BOM, UTF-16 with or without BOM, UTF-8, cp1251;
comma, semicolon or tab; quoted fields with line breaks), so both imports accept
the same files. No database: ``marketing_spend`` writes what this returns.
"""

import datetime
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from import_service import readers

MISSING_COLUMN = _("No {what} column. Expected one of: {expected}. Found: {found}.")
WRONG_CURRENCY = _("The spend column is in {currency}; only UZS is accepted (the centre's currency).")
BAD_DATE = _("Row {row}: “{value}” is not a date (use YYYY-MM-DD or DD.MM.YYYY).")
BAD_NUMBER = _("Row {row}: {column} “{value}” is not a number.")
NEGATIVE_NUMBER = _("Row {row}: {column} “{value}” is negative.")
NO_ROWS = _("The file has a header but no data rows.")
TOO_LARGE_NUMBER = _("Row {row}: {column} “{value}” is larger than the {limit} that can be stored.")
DAY_TOTAL_TOO_LARGE = _("{day}: the day's {what} add up to {total}, more than the {limit} that can be stored.")
FILE_TOO_BIG = _("The file is {size_kb} KB; an ad-spend export is at most {limit_kb} KB.")
WORKBOOK = _("“{name}” is an Excel workbook: export the report from the ad platform as CSV.")

# A daily report is a few KB; anything far bigger is not one (and is read whole).
MAX_FILE_BYTES = 5 * 1024 * 1024
# What MarketingSpend can hold: PositiveIntegerField counts, DecimalField(14, 2) cost.
MAX_COUNT = 2_147_483_647
MAX_COST = Decimal("999999999999.99")

# Header names as ad platforms export them (Meta Ads Manager, Google Ads, TikTok), lower-case.
DATE_COLUMNS = ("day", "date", "reporting starts", "reporting start", "by day")
SPEND_COLUMN = re.compile(r"^(amount spent|cost|spend|total spend)\s*(\((?P<currency>[a-z]{3})\))?$")
IMPRESSION_COLUMNS = ("impressions", "impr.", "impr")
CLICK_COLUMNS = ("link clicks", "clicks (all)", "clicks", "outbound clicks")


def _parse_number(text: str, *, row: int, column: str, integer: bool):
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if cleaned in ("", "-", "—"):
        return 0
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", cleaned) else cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(BAD_NUMBER.format(row=row, column=column, value=text)) from None
    if not value.is_finite():  # "NaN", "Infinity": Decimal parses them
        raise ValidationError(BAD_NUMBER.format(row=row, column=column, value=text))
    if value < 0:
        raise ValidationError(NEGATIVE_NUMBER.format(row=row, column=column, value=text))
    limit = MAX_COUNT if integer else MAX_COST
    if value > limit:
        raise ValidationError(TOO_LARGE_NUMBER.format(row=row, column=column, value=text, limit=limit))
    if integer:
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))
    return value


def _parse_date(text: str, *, row: int) -> datetime.date:
    value = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(BAD_DATE.format(row=row, value=text))


def _find_column(header: list[str], names, what: str) -> int:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    raise ValidationError(
        MISSING_COLUMN.format(what=what, expected=", ".join(f"“{n}”" for n in names), found=", ".join(header))
    )


def _records(raw: bytes, name: str) -> list[tuple[int, list[str]]]:
    """The non-blank records of the file, numbered as a spreadsheet shows them."""
    if readers.is_workbook(raw):
        raise ValidationError(WORKBOOK.format(name=name))
    try:
        text = readers.csv_text(raw, name)
        return [(number, cells) for number, cells in readers.csv_records(text, name) if any(c.strip() for c in cells)]
    except readers.ImportFileError as exc:
        raise ValidationError(str(exc)) from exc


def parse_ad_spend_export(raw: bytes, *, name: str = "ad-spend export") -> dict[datetime.date, dict]:
    """Read an ad-platform daily report into per-day totals
    ``{day: {"impressions", "clicks", "cost"}}``; ``name`` (the file's) is for messages.

    Rows of the same day (one per campaign or ad set) are summed. Every problem is
    collected and raised together as one ValidationError; nothing is returned half-read.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(FILE_TOO_BIG.format(size_kb=len(raw) // 1024, limit_kb=MAX_FILE_BYTES // 1024))
    records = _records(raw, name)
    if not records:
        raise ValidationError(readers.EMPTY_FILE.format(name=name))
    (_number, header), body = records[0], records[1:]
    date_col = _find_column(header, DATE_COLUMNS, "date")
    spend_col = None
    for index, column in enumerate(header):
        match = SPEND_COLUMN.match(column.strip().lower())
        if match:
            currency = (match.group("currency") or "uzs").upper()
            if currency != "UZS":
                raise ValidationError(WRONG_CURRENCY.format(currency=currency))
            spend_col = index
            break
    if spend_col is None:
        raise ValidationError(
            MISSING_COLUMN.format(
                what="spend", expected="“Amount spent (UZS)”, “Cost”, “Spend”", found=", ".join(header)
            )
        )
    impressions_col = _find_column(header, IMPRESSION_COLUMNS, "impressions")
    clicks_col = _find_column(header, CLICK_COLUMNS, "clicks")

    totals: dict[datetime.date, dict] = defaultdict(lambda: {"impressions": 0, "clicks": 0, "cost": Decimal("0")})
    errors = []
    for number, cells in body:
        cells = cells + [""] * (len(header) - len(cells))
        if not cells[date_col].strip() and any(c.strip().lower().startswith("total") for c in cells):
            continue  # the platform's summary line
        try:
            day = _parse_date(cells[date_col], row=number)
            cost = _parse_number(cells[spend_col], row=number, column=header[spend_col], integer=False)
            impressions = _parse_number(
                cells[impressions_col], row=number, column=header[impressions_col], integer=True
            )
            clicks = _parse_number(cells[clicks_col], row=number, column=header[clicks_col], integer=True)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        totals[day]["cost"] += cost
        totals[day]["impressions"] += impressions
        totals[day]["clicks"] += clicks
    for day, figures in sorted(totals.items()):
        for what, limit in (("cost", MAX_COST), ("impressions", MAX_COUNT), ("clicks", MAX_COUNT)):
            if figures[what] > limit:
                errors.append(DAY_TOTAL_TOO_LARGE.format(day=day, what=what, total=figures[what], limit=limit))
    if errors:
        raise ValidationError(errors)
    if not totals:
        raise ValidationError(NO_ROWS)
    return dict(totals)
