"""Every admin page on real rows (the demo centre): each list that offers an
export exports, and no query string — bad ids, bad dates, bad filter values,
bad ordering and paging, NUL characters — makes any admin page answer 500."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from reminders.dispatch import reminders_dispatch_due
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db

EXPORT_ACTIONS = ("export_csv", "export_xlsx")

BAD_VALUES = ["abc", "9" * 25, "²", "2026-13-45", "1,2%'"]
# Ordering, paging and search: fewer, the admin's own code handles them.
FEW_BAD_VALUES = ["abc", "9" * 25, "\x00"]

# Pages of their own behind the admin (timetable, free rooms, dashboard, upload pages).
EXTRA_PAGES = {
    "admin:scheduling_room_timetable": ["room", "teacher", "week"],
    "admin:scheduling_room_free_rooms": ["days", "start_time", "end_time", "date_from", "date_to", "seats"],
    "admin:analytics_dashboard_changelist": ["from", "to", "date_from", "date_to", "start", "end", "range"],
    "admin:import_service_importlog_upload": ["sheet"],
    "admin:analytics_marketingspend_import": ["channel"],
}


@pytest.fixture
def demo_centre(db):
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())  # pytest runs with DEBUG off
    reminders_dispatch_due()  # deliveries too
    return SuperuserFactory()


@pytest.fixture
def owner_client(demo_centre):
    client = Client(raise_request_exception=False)
    client.force_login(demo_centre)
    return client


def model_admins():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def admin_request(user, path="/admin/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_every_export_action_exports_every_selected_row(demo_centre, owner_client):
    exported = []
    for model, model_admin in model_admins():
        actions = model_admin.get_actions(admin_request(demo_centre))
        offered = [name for name in EXPORT_ACTIONS if name in actions]
        if not offered:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        pks = list(model_admin.get_queryset(admin_request(demo_centre, url)).values_list("pk", flat=True))
        assert pks, f"the demo centre has no {model._meta.label} rows to export"
        for action in offered:
            response = owner_client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]})
            assert response.status_code == 200, f"{model._meta.label} {action}: {response.status_code}"
            assert "attachment;" in response["Content-Disposition"], f"{model._meta.label} {action} did not export"
            if action == "export_csv":
                rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            else:
                sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
                rows = list(sheet.iter_rows(values_only=True))
            assert len(rows) == len(pks) + 1, f"{model._meta.label} {action}: {len(rows) - 1} rows of {len(pks)}"
            assert all(str(cell or "").strip() for cell in rows[0]), f"{model._meta.label} {action}: blank header"
            exported.append((model._meta.label, action))
    # The lists known to offer exports (a new one only adds to this).
    labels = {label for label, _ in exported}
    assert {"leads.Lead", "trials.Trial", "scheduling.Group", "reminders.LeadReminder", "analytics.SalesKPI"} <= labels


def has_url(name: str) -> bool:
    try:
        reverse(name, args=["1"])
    except NoReverseMatch:
        return False
    return True


def hostile_queries(model_admin, user, url):
    """Query strings aimed at this changelist: its own filters' parameters with
    bad values, its date hierarchy, ordering, paging, search and unknown lookups."""
    queries = [{name: v} for name in ("q", "o", "p") for v in FEW_BAD_VALUES]
    queries += [{"q": "%_\\'\""}, {"id": "abc"}, {"pk__in": "1,abc"}, {"nonexistent__field": "1"}, {"e": "1"}]
    changelist = model_admin.get_changelist_instance(admin_request(user, url))
    for spec in changelist.filter_specs:
        for parameter in spec.expected_parameters():
            queries += [{parameter: v} for v in BAD_VALUES]
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        queries += [{f"{field}__year": "abc"}, {f"{field}__year": "2026", f"{field}__month": "13"}]
        queries += [{f"{field}__year": "99999", f"{field}__month": "1", f"{field}__day": "40"}]
    return queries


def test_no_query_string_makes_an_admin_page_answer_500(demo_centre, owner_client, monkeypatch):
    failures = []
    for _, model_admin in model_admins():
        monkeypatch.setattr(model_admin, "list_per_page", 3)  # the rows are not what is probed: keep pages short

    def probe(url, params=None):
        response = owner_client.get(url, params or {})
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {url} {params}")

    for model, model_admin in model_admins():
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        url = reverse(f"{base}_changelist")
        for params in hostile_queries(model_admin, demo_centre, url):
            probe(url, params)
        if not has_url(f"{base}_change"):
            continue  # a page, not a table (the dashboard)
        for bad_id in ["abc", "9" * 25, "2026-13-45"]:
            for page in ("change", "history", "delete"):
                probe(reverse(f"{base}_{page}", args=[bad_id]))
        add = reverse(f"{base}_add")
        fields = [f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)]
        for value in BAD_VALUES:
            probe(add, dict.fromkeys(fields, value))
            probe(add, {"_changelist_filters": value, "_popup": value, "_to_field": value})
    for name, parameters in EXTRA_PAGES.items():
        url = reverse(name)
        probe(url)
        for parameter in parameters:
            for value in BAD_VALUES:
                probe(url, {parameter: value})
        probe(url, dict.fromkeys(parameters, BAD_VALUES[0]))
    assert not failures, "\n".join(failures[:40])
