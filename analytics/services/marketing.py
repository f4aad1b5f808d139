"""Marketing inputs (spend, impressions, clicks) typed in admin or imported from an
ad-platform export, and the pure arithmetic of the marketing figures.

Inputs live in MarketingSpend; the rollup reads them into MarketingAnalytics and
never writes them back, so re-running a rollup never overwrites what people typed.
"""

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from analytics.models import MarketingSpend, SpendSource
from leads.models import LeadSource

CENT = Decimal("0.01")

UNKNOWN_CHANNEL = "Unknown channel “{value}”. Known channels: {known}."
NEGATIVE_VALUE = "{field} cannot be negative."
EMPTY_FILE = "The file is empty."
NOT_CSV = "Could not read the file as a CSV/TSV export: {error}"
MISSING_COLUMN = "No {what} column. Expected one of: {expected}. Found: {found}."
WRONG_CURRENCY = "The spend column is in {currency}; only UZS is accepted (the centre's currency)."
BAD_DATE = "Row {row}: “{value}” is not a date (use YYYY-MM-DD or DD.MM.YYYY)."
BAD_NUMBER = "Row {row}: {column} “{value}” is not a number."
NEGATIVE_NUMBER = "Row {row}: {column} “{value}” is negative."
NO_ROWS = "The file has a header but no data rows."
TOO_LARGE_NUMBER = "Row {row}: {column} “{value}” is larger than the {limit} that can be stored."
DAY_TOTAL_TOO_LARGE = "{day}: the day's {what} add up to {total}, more than the {limit} that can be stored."
FILE_TOO_BIG = "The file is {size_kb} KB; an ad-spend export is at most {limit_kb} KB."

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


def marketing_figures(*, impressions: int, clicks: int, cost, leads: int, enrollments: int) -> dict:
    """The stored marketing figures of one day and channel (see METRICS.md)."""
    cost = Decimal(cost).quantize(CENT)

    def ratio(numerator, denominator, scale=1):
        if not denominator:
            return None
        return (Decimal(numerator) * scale / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)

    return {
        "impressions": impressions,
        "clicks": clicks,
        "ctr": ratio(clicks, impressions, 100),
        "leads_generated": leads,
        "cost_total": cost,
        "cpl": ratio(cost, leads),
        "enrollments_from_channel": enrollments,
        "cpa": ratio(cost, enrollments),
    }


def _validate_channel(channel: str) -> None:
    if channel not in LeadSource.values:
        raise ValidationError({"channel": UNKNOWN_CHANNEL.format(value=channel, known=", ".join(LeadSource.values))})


def _enqueue_rollup(days) -> None:
    from analytics.tasks import rollup_days

    isodays = sorted({d.isoformat() for d in days})
    transaction.on_commit(lambda: rollup_days.delay(isodays))


def marketing_spend_record(
    *, date: datetime.date, channel: str, impressions: int, clicks: int, cost, by=None, note: str = ""
) -> MarketingSpend:
    """Store what marketing staff typed for one day and channel (create or replace),
    then re-roll that day so its marketing figures follow."""
    _validate_channel(channel)
    for name, value in (("Impressions", impressions), ("Clicks", clicks), ("Cost", cost)):
        if value is None or value < 0:
            raise ValidationError(NEGATIVE_VALUE.format(field=name))
    with transaction.atomic():
        spend, _ = MarketingSpend.objects.update_or_create(
            date=date,
            channel=channel,
            defaults={
                "impressions": impressions,
                "clicks": clicks,
                "cost": Decimal(cost).quantize(CENT),
                "source": SpendSource.MANUAL,
                "entered_by": by,
                "note": note[:255],
            },
        )
        _enqueue_rollup([date])
    return spend


@dataclass(frozen=True)
class SpendImportResult:
    created: int
    updated: int
    days: list[datetime.date]


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


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


def parse_ad_spend_export(raw: bytes) -> dict[datetime.date, dict]:
    """Read an ad-platform daily report (Meta Ads Manager “Day / Amount spent (UZS) /
    Impressions / Link clicks”, UTF-16 TSV or UTF-8 CSV) into per-day totals.

    Rows of the same day (one per campaign or ad set) are summed. Every problem is
    collected and raised together; nothing is returned half-read.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(FILE_TOO_BIG.format(size_kb=len(raw) // 1024, limit_kb=MAX_FILE_BYTES // 1024))
    text = _decode(raw).strip()
    if not text:
        raise ValidationError(EMPTY_FILE)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ValidationError(NOT_CSV.format(error=exc)) from exc
    header, body = rows[0], rows[1:]
    date_col = _find_column(header, DATE_COLUMNS, "date")
    spend_col = None
    for index, name in enumerate(header):
        match = SPEND_COLUMN.match(name.strip().lower())
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
    for number, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
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


def marketing_spend_import(*, raw: bytes, channel: str, by=None) -> SpendImportResult:
    """Import an ad-platform export for ``channel``: one MarketingSpend per day
    (created, or replaced with the platform's figures), all or nothing, then
    re-roll the imported days."""
    _validate_channel(channel)
    per_day = parse_ad_spend_export(raw)
    created = updated = 0
    with transaction.atomic():
        for day, figures in sorted(per_day.items()):
            _, was_created = MarketingSpend.objects.update_or_create(
                date=day,
                channel=channel,
                defaults={
                    "impressions": figures["impressions"],
                    "clicks": figures["clicks"],
                    "cost": figures["cost"].quantize(CENT),
                    "source": SpendSource.IMPORT,
                    "entered_by": by,
                },
            )
            created += was_created
            updated += not was_created
        _enqueue_rollup(per_day)
    return SpendImportResult(created=created, updated=updated, days=sorted(per_day))
