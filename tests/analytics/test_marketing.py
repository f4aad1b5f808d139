"""Marketing inputs: typed spend, ad-platform imports, and the marketing figures."""

import datetime
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from analytics.models import MarketingAnalytics, MarketingSpend, SpendSource
from analytics.services import marketing_export
from analytics.services.marketing_metrics import marketing_figures
from analytics.services.marketing_spend import NEGATIVE_VALUE, marketing_spend_import, marketing_spend_record
from tests.analytics.helpers import local
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
REPORT = DATA / "meta_ads_daily_report.csv"
D = datetime.date(2026, 11, 18)


def test_marketing_figures_arithmetic():
    figures = marketing_figures(impressions=3000, clicks=45, cost=Decimal("100000"), leads=3, enrollments=0)
    assert figures["ctr"] == Decimal("1.50")
    assert figures["cpl"] == Decimal("33333.33")
    assert figures["cpa"] is None
    assert marketing_figures(impressions=0, clicks=0, cost=0, leads=0, enrollments=0)["ctr"] is None


class TestImport:
    def test_meta_daily_report_is_summed_per_day(self, manager, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            result = marketing_spend_import(raw=REPORT.read_bytes(), channel="instagram", by=manager)
        assert (result.created, result.updated) == (3, 0)
        assert result.days == [D, D + datetime.timedelta(days=1), D + datetime.timedelta(days=2)]
        first = MarketingSpend.objects.get(date=D, channel="instagram")
        assert (first.cost, first.impressions, first.clicks) == (Decimal("400000.50"), 20000, 275)
        assert (first.source, first.entered_by) == (SpendSource.IMPORT, manager)
        second = MarketingSpend.objects.get(date=D + datetime.timedelta(days=1), channel="instagram")
        assert (second.cost, second.impressions, second.clicks) == (Decimal("300000.00"), 15000, 210)
        # The imported days were rolled up again on commit.
        rolled = MarketingAnalytics.objects.get(date=D, channel="instagram")
        assert (rolled.cost_total, rolled.impressions, rolled.ctr) == (Decimal("400000.50"), 20000, Decimal("1.38"))

    def test_utf16_tab_separated_export_from_ads_manager(self):
        text = "Day\tAmount spent (UZS)\tImpressions\tLink clicks\n20.11.2026\t1 250 000,5\t40000\t600\n"
        result = marketing_spend_import(raw=text.encode("utf-16"), channel="telegram")
        spend = MarketingSpend.objects.get(date=datetime.date(2026, 11, 20), channel="telegram")
        assert (spend.cost, spend.impressions, spend.clicks) == (Decimal("1250000.50"), 40000, 600)
        assert result.created == 1

    def test_semicolon_cp1251_export_with_a_multiline_campaign_name(self):
        """The lead import's decoding and delimiter detection (import_service.readers), reused."""
        text = (
            "Кампания;Day;Amount spent (UZS);Impressions;Link clicks\r\n"
            '"Осень,\r\nIELTS";18.11.2026;"100 000,50";5000;40\r\n'
            "Дети;18.11.2026;50000;3000;20\r\n"
        )
        result = marketing_spend_import(raw=text.encode("cp1251"), channel="instagram")
        spend = MarketingSpend.objects.get(date=D, channel="instagram")
        assert (spend.cost, spend.impressions, spend.clicks) == (Decimal("150000.50"), 8000, 60)
        assert result.days == [D]

    def test_utf16_without_a_bom_is_read(self):
        text = "Day\tCost\tImpressions\tClicks\n2026-11-18\t700\t100\t7\n"
        marketing_spend_import(raw=text.encode("utf-16-le"), channel="telegram")
        assert MarketingSpend.objects.get(date=D, channel="telegram").cost == Decimal("700.00")

    @pytest.mark.parametrize(
        "raw, message",
        [
            (
                b"PK\x03\x04" + b"\x00" * 100,
                "“report.xlsx” is an Excel workbook: export the report from the ad platform as CSV.",
            ),
            (b"  \r\n", "“report.xlsx” is empty."),
            ("\ufeff\n,,,\n".encode(), "“report.xlsx” is empty."),
            (b"Day,Cost\n\x00\x01\x02\xff" * 10, "“report.xlsx” is not a text CSV file (it contains binary data)."),
        ],
    )
    def test_files_that_are_not_exports_are_clear_errors(self, raw, message):
        with pytest.raises(ValidationError) as exc:
            marketing_spend_import(raw=raw, channel="instagram", name="report.xlsx")
        assert exc.value.messages == [message]
        assert not MarketingSpend.objects.exists()

    def test_reimport_replaces_the_days(self):
        marketing_spend_import(raw=REPORT.read_bytes(), channel="instagram")
        result = marketing_spend_import(raw=REPORT.read_bytes(), channel="instagram")
        assert (result.created, result.updated) == (0, 3)
        assert MarketingSpend.objects.count() == 3

    def test_bad_rows_are_all_reported_and_nothing_is_written(self):
        text = (
            "Day,Amount spent (UZS),Impressions,Link clicks\n"
            "2026-11-18,100,10,1\n2026-13-40,100,10,1\n2026-11-19,abc,10,1\n2026-11-20,-5,10,1\n"
        )
        with pytest.raises(ValidationError) as exc:
            marketing_spend_import(raw=text.encode(), channel="instagram")
        assert exc.value.messages == [
            marketing_export.BAD_DATE.format(row=3, value="2026-13-40"),
            marketing_export.BAD_NUMBER.format(row=4, column="Amount spent (UZS)", value="abc"),
            marketing_export.NEGATIVE_NUMBER.format(row=5, column="Amount spent (UZS)", value="-5"),
        ]
        assert not MarketingSpend.objects.exists()

    def test_non_finite_and_oversized_numbers_are_clear_errors_not_crashes(self):
        text = (
            "Day,Amount spent (UZS),Impressions,Link clicks\n"
            "2026-11-18,NaN,10,1\n2026-11-19,Infinity,10,1\n2026-11-20,1e20,10,1\n"
            "2026-11-21,5,99999999999,1\n"
        )
        with pytest.raises(ValidationError) as exc:
            marketing_spend_import(raw=text.encode(), channel="instagram")
        assert exc.value.messages == [
            marketing_export.BAD_NUMBER.format(row=2, column="Amount spent (UZS)", value="NaN"),
            marketing_export.BAD_NUMBER.format(row=3, column="Amount spent (UZS)", value="Infinity"),
            marketing_export.TOO_LARGE_NUMBER.format(
                row=4, column="Amount spent (UZS)", value="1e20", limit=marketing_export.MAX_COST
            ),
            marketing_export.TOO_LARGE_NUMBER.format(
                row=5, column="Impressions", value="99999999999", limit=marketing_export.MAX_COUNT
            ),
        ]
        assert not MarketingSpend.objects.exists()

    def test_rows_of_one_day_that_overflow_together_are_refused(self):
        text = "Day,Amount spent (UZS),Impressions,Link clicks\n" + "2026-11-18,1,2000000000,1\n" * 2
        with pytest.raises(ValidationError) as exc:
            marketing_spend_import(raw=text.encode(), channel="instagram")
        assert exc.value.messages == [
            marketing_export.DAY_TOTAL_TOO_LARGE.format(
                day=D, what="impressions", total=4000000000, limit=marketing_export.MAX_COUNT
            )
        ]
        assert not MarketingSpend.objects.exists()

    def test_oversized_file_is_refused_before_parsing(self, settings):
        raw = b"Day,Amount spent (UZS),Impressions,Link clicks\n" + b"2026-11-18,1,1,1\n" * 400_000
        with pytest.raises(ValidationError) as exc:
            marketing_spend_import(raw=raw, channel="instagram")
        assert exc.value.messages == [
            marketing_export.FILE_TOO_BIG.format(
                size_kb=len(raw) // 1024, limit_kb=marketing_export.MAX_FILE_BYTES // 1024
            )
        ]

    def test_other_currency_is_refused(self):
        text = "Day,Amount spent (USD),Impressions,Link clicks\n2026-11-18,10,10,1\n"
        with pytest.raises(ValidationError) as exc:
            marketing_spend_import(raw=text.encode(), channel="instagram")
        assert exc.value.messages == [marketing_export.WRONG_CURRENCY.format(currency="USD")]

    def test_missing_column_names_what_was_found(self):
        with pytest.raises(ValidationError) as exc:
            marketing_spend_import(raw=b"Day,Impressions,Link clicks\n2026-11-18,10,1\n", channel="instagram")
        assert (
            "No spend column" in exc.value.messages[0]
            and "Found: Day, Impressions, Link clicks" in exc.value.messages[0]
        )

    def test_unknown_channel_is_refused(self):
        with pytest.raises(ValidationError):
            marketing_spend_import(raw=REPORT.read_bytes(), channel="tiktok")


class TestRecord:
    def test_typed_spend_is_stored_and_its_day_rolled_up(self, manager, django_capture_on_commit_callbacks):
        LeadFactory(created_at=local(D, 10), source="telegram")
        LeadFactory(created_at=local(D, 11), source="telegram")
        with django_capture_on_commit_callbacks(execute=True):
            marketing_spend_record(
                date=D,
                channel="telegram",
                impressions=5000,
                clicks=100,
                cost=Decimal("90000"),
                by=manager,
                note="Channel post",
            )
        spend = MarketingSpend.objects.get(date=D, channel="telegram")
        assert (spend.source, spend.entered_by, spend.note) == (SpendSource.MANUAL, manager, "Channel post")
        row = MarketingAnalytics.objects.get(date=D, channel="telegram")
        assert (row.leads_generated, row.cpl, row.ctr) == (2, Decimal("45000.00"), Decimal("2.00"))

    def test_negative_cost_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            marketing_spend_record(date=D, channel="telegram", impressions=1, clicks=1, cost=Decimal("-1"))
        assert exc.value.messages == [NEGATIVE_VALUE.format(field="Cost")]
        assert not MarketingSpend.objects.exists()


class TestImportCommand:
    def test_imports_the_file(self, manager):
        out = StringIO()
        call_command("import_ad_spend", str(REPORT), "--channel", "instagram", "--user", manager.username, stdout=out)
        assert "instagram: 3 day(s) added, 0 replaced (2026-11-18 to 2026-11-20)." in out.getvalue()
        assert MarketingSpend.objects.filter(entered_by=manager).count() == 3

    def test_bad_file_is_a_command_error_and_writes_nothing(self, tmp_path):
        bad = tmp_path / "bad.csv"
        bad.write_text("Day,Amount spent (UZS),Impressions,Link clicks\nyesterday,1,1,1\n")
        with pytest.raises(CommandError) as exc:
            call_command("import_ad_spend", str(bad), "--channel", "instagram")
        assert "Nothing imported" in str(exc.value) and "“yesterday” is not a date" in str(exc.value)
        assert not MarketingSpend.objects.exists()

    def test_json_prints_what_was_imported(self, capsys):
        call_command("import_ad_spend", str(REPORT), "--channel", "instagram", "--json")
        assert json.loads(capsys.readouterr().out) == {
            "channel": "instagram",
            "created": 3,
            "updated": 0,
            "first": "2026-11-18",
            "last": "2026-11-20",
        }

    def test_missing_file(self):
        with pytest.raises(CommandError, match="No such file"):
            call_command("import_ad_spend", "/nonexistent.csv", "--channel", "instagram")
