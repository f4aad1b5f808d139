"""Analytics admin: smoke (changelist, search, change page), flat query counts,
colour coding, exports, row-level access, marketing spend entry and import."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import MarketingSpend, SpendSource
from tests.analytics import factories as f
from tests.analytics.helpers import local
from tests.factories import SalespersonFactory
from tests.scheduling.factories import GroupFactory

pytestmark = pytest.mark.django_db

ADMINS = {
    "saleskpi": f.SalesKPIFactory,
    "leadmetrics": f.LeadMetricsFactory,
    "marketinganalytics": f.MarketingAnalyticsFactory,
    "marketingspend": f.MarketingSpendFactory,
    "groupanalytics": f.GroupAnalyticsFactory,
    "grouprecommendation": f.GroupRecommendationFactory,
    "roomdayusage": f.RoomDayUsageFactory,
    "rolluprun": f.RollupRunFactory,
}


def url(model, view="changelist", *args):
    return reverse(f"admin:analytics_{model}_{view}", args=args)


def queries(client, path, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make(factory, n):
    rows = factory.create_batch(n)
    if factory is f.GroupRecommendationFactory:
        for row in rows:
            row.groups.set([GroupFactory(course=row.course), GroupFactory(course=row.course)])
    return rows


@pytest.mark.parametrize("model", ADMINS)
class TestEveryAdmin:
    def test_changelist_search_and_change_page(self, model, manager_client):
        row = make(ADMINS[model], 1)[0]
        assert manager_client.get(url(model)).status_code == 200
        assert manager_client.get(url(model), {"q": "x"}).status_code == 200
        assert manager_client.get(url(model, "change", row.pk)).status_code == 200

    def test_query_count_does_not_grow_with_rows(self, model, manager_client):
        make(ADMINS[model], 2)
        few = queries(manager_client, url(model))
        make(ADMINS[model], 20)
        assert queries(manager_client, url(model)) == few


class TestColoursAndFigures:
    def test_conversion_colour_coding(self, manager_client):
        f.LeadMetricsFactory(total_leads=10, enrolled=2)  # 20 % green
        f.LeadMetricsFactory(total_leads=10, enrolled=1)  # 10 % orange
        f.LeadMetricsFactory(total_leads=20, enrolled=1)  # 5 % red
        f.LeadMetricsFactory(total_leads=0, enrolled=0, instagram_leads=0, telegram_leads=0)
        html = manager_client.get(url("leadmetrics")).content.decode()
        assert '<span class="badge badge-green">20.0 %</span>' in html
        assert '<span class="badge badge-orange">10.0 %</span>' in html
        assert '<span class="badge badge-red">5.0 %</span>' in html
        assert '<span class="badge badge-grey">—</span>' in html

    def test_source_breakdown_badges(self, manager_client):
        f.LeadMetricsFactory(instagram_leads=12, telegram_leads=8)
        html = manager_client.get(url("leadmetrics")).content.decode()
        assert '<span class="badge badge-purple">Instagram 12</span>' in html
        assert '<span class="badge badge-blue">Telegram 8</span>' in html

    def test_marketing_columns(self, manager_client):
        f.MarketingAnalyticsFactory()
        html = manager_client.get(url("marketinganalytics")).content.decode()
        assert "1.50 %" in html and "100 000" in html and "600 000" in html and "1 200 000" in html

    def test_percent_column_sorts_by_annotation(self, manager_client):
        f.SalesKPIFactory(new_contacts=10, enrollments=1)
        f.SalesKPIFactory(new_contacts=10, enrollments=5)
        response = manager_client.get(url("saleskpi"), {"o": "-15"})
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("50.0 %") < html.index("10.0 %")


class TestExports:
    def test_csv_and_xlsx_exports_are_formula_safe(self, manager_client):
        person = SalespersonFactory(first_name='=HYPERLINK("http://x")', last_name="Evil")
        row = f.SalesKPIFactory(salesperson=person)
        data = {"action": "export_csv", "_selected_action": [row.pk]}
        response = manager_client.post(url("saleskpi"), data)
        text = response.content.decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        assert lines[0][:2] == ["date", "salesperson"]
        assert lines[1][1].startswith("'=HYPERLINK")
        response = manager_client.post(url("saleskpi"), {**data, "action": "export_xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.cell(row=2, column=2).value.startswith("'=HYPERLINK")

    def test_lead_metrics_export_has_every_source(self, manager_client):
        row = f.LeadMetricsFactory()
        response = manager_client.post(url("leadmetrics"), {"action": "export_csv", "_selected_action": [row.pk]})
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert "instagram leads" in [h.lower() for h in header] and "csv leads" in [h.lower() for h in header]


class TestAccess:
    def test_salesperson_sees_only_their_own_kpis(self, sales_client, salesperson, other_salesperson):
        f.SalesKPIFactory(salesperson=salesperson, new_contacts=7)
        other = f.SalesKPIFactory(salesperson=other_salesperson, new_contacts=99)
        response = sales_client.get(url("saleskpi"))
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1
        assert sales_client.get(url("saleskpi", "change", other.pk)).status_code == 302  # not found → index
        export = sales_client.post(url("saleskpi"), {"action": "export_csv", "_selected_action": [other.pk]})
        assert "99" not in export.content.decode("utf-8-sig")

    @pytest.mark.parametrize("model", ["leadmetrics", "marketinganalytics", "marketingspend", "groupanalytics"])
    def test_salesperson_cannot_open_centre_wide_figures(self, sales_client, model):
        assert sales_client.get(url(model)).status_code == 403

    def test_rollups_are_read_only(self, manager_client):
        row = f.LeadMetricsFactory()
        assert manager_client.get(reverse("admin:analytics_leadmetrics_add")).status_code == 403
        assert manager_client.post(url("leadmetrics", "delete", row.pk), {"post": "yes"}).status_code == 403


class TestMarketingSpendAdmin:
    def test_add_goes_through_the_service(self, manager_client, manager, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(
                reverse("admin:analytics_marketingspend_add"),
                {
                    "date": "2026-11-20",
                    "channel": "telegram",
                    "impressions": "5000",
                    "clicks": "100",
                    "cost": "90000",
                    "note": "Channel post",
                },
            )
        assert response.status_code == 302
        spend = MarketingSpend.objects.get()
        assert (spend.entered_by, spend.source, spend.cost) == (manager, SpendSource.MANUAL, Decimal("90000.00"))
        from analytics.models import MarketingAnalytics

        assert MarketingAnalytics.objects.get(date=spend.date, channel="telegram").cost_total == Decimal("90000.00")

    def test_import_page_uploads_an_export(self, manager_client):
        from pathlib import Path

        report = Path(__file__).parent / "data" / "meta_ads_daily_report.csv"
        page = reverse("admin:analytics_marketingspend_import")
        assert manager_client.get(page).status_code == 200
        assert page in manager_client.get(url("marketingspend")).content.decode()
        with report.open("rb") as file:
            response = manager_client.post(page, {"channel": "instagram", "file": file}, follow=True)
        assert "Imported 3 day(s): 3 added, 0 replaced" in response.content.decode()
        assert MarketingSpend.objects.filter(source=SpendSource.IMPORT).count() == 3

    def test_import_page_shows_every_error_and_writes_nothing(self, manager_client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = SimpleUploadedFile("bad.csv", b"Day,Amount spent (UZS),Impressions,Link clicks\nsoon,1,1,1\n")
        response = manager_client.post(
            reverse("admin:analytics_marketingspend_import"), {"channel": "instagram", "file": bad}
        )
        assert response.status_code == 200
        assert "“soon” is not a date" in response.content.decode()
        assert not MarketingSpend.objects.exists()

    def test_import_page_refuses_an_oversized_upload(self, manager_client, monkeypatch):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from analytics.services import marketing_export

        monkeypatch.setattr(marketing_export, "MAX_FILE_BYTES", 64)
        header = b"Day,Amount spent (UZS),Impressions,Link clicks\n"
        big = SimpleUploadedFile("big.csv", header + b"2026-11-18,1,1,1\n" * 5)
        response = manager_client.post(
            reverse("admin:analytics_marketingspend_import"), {"channel": "instagram", "file": big}
        )
        assert response.status_code == 200
        assert "an ad-spend export is at most 0 KB" in response.content.decode()
        assert not MarketingSpend.objects.exists()

    def test_salesperson_cannot_import(self, sales_client):
        assert sales_client.get(reverse("admin:analytics_marketingspend_import")).status_code == 403


class TestGroupAnalyticsAdmin:
    def test_counts_link_to_the_days_recommendations(self, manager_client):
        row = f.GroupAnalyticsFactory(groups_to_combine=1, new_groups_recommended=0)
        rec = f.GroupRecommendationFactory(date=row.date, reason="PY-B (2/12) fits PY-A.")
        f.GroupRecommendationFactory(date=row.date + __import__("datetime").timedelta(days=1), reason="Other day.")
        html = manager_client.get(url("groupanalytics")).content.decode()
        link = f"{url('grouprecommendation')}?date={row.date.isoformat()}&amp;kind=combine"
        assert link in html
        listing = manager_client.get(url("grouprecommendation"), {"date": row.date.isoformat(), "kind": "combine"})
        assert listing.status_code == 200
        assert list(listing.context["cl"].result_list) == [rec]
        assert "PY-B (2/12) fits PY-A." in listing.content.decode()


class TestLabelsSayWhatTheyCount:
    def test_sales_kpi_columns_and_export_header(self, manager_client):
        row = f.SalesKPIFactory(avg_response_time=datetime.timedelta(hours=50, minutes=5))
        html = manager_client.get(url("saleskpi")).content.decode()
        for label in ("First contacts", "Trials booked", "Trials attended", "Leads enrolled", "Leads lost"):
            assert f">{label}</a>" in html, label
        assert "2 d 2 h" in html  # the average response in words, not "50 h 05 min"
        response = manager_client.post(url("saleskpi"), {"action": "export_csv", "_selected_action": [row.pk]})
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert header[2:9] == [
            "first contacts",
            "follow-ups met",
            "follow-ups missed",
            "follow-up deadlines met %",
            "trials booked",
            "trials attended",
            "trial no-shows",
        ]
        assert header[-1] == "updated"

    def test_lead_metrics_tell_funnel_figures_from_status_moves(self, manager_client):
        row = f.LeadMetricsFactory()
        response = manager_client.post(url("leadmetrics"), {"action": "export_csv", "_selected_action": [row.pk]})
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert header[:2] == ["date", "new leads"]
        assert header[10:19] == [
            "first contacts",
            "trials booked",
            "trials attended",
            "leads enrolled",
            "leads lost",
            "moved to contacted",
            "moved to interested",
            "moved to trial scheduled",
            "moved to trial attended",
        ]


@pytest.mark.parametrize("model", [m for m in ADMINS if m not in ("marketingspend", "rolluprun")])
def test_every_rollup_list_says_when_each_row_was_computed(model, manager_client):
    today = datetime.date(2026, 12, 1)
    with time_machine.travel(local(today - datetime.timedelta(days=1), 0, 20), tick=False):
        make(ADMINS[model], 1)
    with time_machine.travel(local(today, 10, 45), tick=False):
        make(ADMINS[model], 1)
    with time_machine.travel(local(today, 10, 50), tick=False):
        html = manager_client.get(url(model)).content.decode()
    assert '<td class="field-updated">10:45</td>' in html
    assert '<td class="field-updated">30.11.2026 00:20</td>' in html
