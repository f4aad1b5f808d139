"""The large changelists (core.admin_lists): capped counts and paging, sorts
that indexes answer, the lead search, the lead page's latest history rows, and
a query count that stays flat as rows grow, for each list, as a manager and as a
salesperson."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import admin_lists
from core.admin_lists import CappedPaginator, LargeChangeList, LargeListMixin, estimated_count
from import_service.models import ImportLog
from intake.models import IntakeChannel, IntakeEvent
from leads.models import Lead, LeadInquiry, LeadStatusChange
from reminders.models import Delivery, LeadReminder
from scheduling.models import Enrollment
from tests.factories import SuperuserFactory
from tests.import_service.factories import ImportLogFactory
from tests.intake.factories import IntakeEventFactory
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import GroupFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db

LISTS = {
    "leads": "admin:leads_lead_changelist",
    "status changes": "admin:leads_leadstatuschange_changelist",
    "inquiries": "admin:leads_leadinquiry_changelist",
    "trials": "admin:trials_trial_changelist",
    "follow-ups": "admin:reminders_leadreminder_changelist",
    "deliveries": "admin:reminders_delivery_changelist",
    "enrolments": "admin:scheduling_enrollment_changelist",
    "intake events": "admin:intake_intakeevent_changelist",
    "import logs": "admin:import_service_importlog_changelist",
}
SALES_LISTS = ["leads", "status changes", "inquiries", "trials", "follow-ups", "deliveries", "enrolments"]
MODELS = [Lead, LeadStatusChange, LeadInquiry, Trial, LeadReminder, Delivery, Enrollment, IntakeEvent, ImportLog]


def add_rows(n: int, owner, group) -> None:
    """``n`` leads of ``owner``'s, each with a row in every large list."""
    today = timezone.localdate()
    for _ in range(n):
        lead = LeadFactory(assigned_to=owner)
        # Written directly, so with the owner the services write (leads.models.lead_owner_field).
        LeadInquiry.objects.create(lead=lead, source=lead.source, received_at=timezone.now(), lead_owner=owner)
        trial = Trial.objects.create(
            lead=lead,
            group=group,
            scheduled_date=today + datetime.timedelta(days=1),
            scheduled_time=group.start_time,
            lead_owner=owner,
        )
        if not LeadReminder.objects.filter(lead=lead).exists():
            LeadReminder.objects.create(lead=lead, salesperson=owner, due_at=timezone.now(), lead_owner=owner)
        Delivery.objects.create(
            lead_owner=owner,
            key=f"trial_pre_sales:{trial.pk}:pre:{owner.pk}",
            kind="trial_pre_sales",
            channel="email",
            recipient_user=owner,
            lead=lead,
            object_id=trial.pk,
            occurrence="pre",
            due_at=timezone.now(),
        )
        Enrollment.objects.create(group=group, lead=lead, enrolled_by=owner, lead_owner=owner)
        IntakeEventFactory(lead=lead)
        ImportLogFactory(created_by=owner)


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response
    return len(ctx.captured_queries)


@pytest.fixture
def group(db):
    return GroupFactory()


@pytest.fixture
def superuser_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_every_large_list_uses_the_mixin():
    for model in MODELS:
        assert isinstance(admin.site._registry[model], LargeListMixin), model
        assert admin.site._registry[model].date_hierarchy is None, model


@pytest.mark.parametrize("name", list(LISTS))
def test_manager_query_count_is_flat(name, salesperson, manager_client, group):
    url = reverse(LISTS[name])
    add_rows(5, salesperson, group)
    term = {"q": Lead.objects.earliest("pk").full_name}  # a search that finds rows at both sizes
    few = [queries(manager_client, url), queries(manager_client, url, term)]
    add_rows(45, salesperson, group)
    assert [queries(manager_client, url), queries(manager_client, url, term)] == few


@pytest.mark.parametrize("name", SALES_LISTS)
def test_salesperson_query_count_is_flat(name, salesperson, sales_client, group):
    url = reverse(LISTS[name])
    add_rows(5, salesperson, group)
    term = {"q": Lead.objects.earliest("pk").full_name}  # a search that finds rows at both sizes
    few = [queries(sales_client, url), queries(sales_client, url, term)]
    add_rows(45, salesperson, group)
    assert [queries(sales_client, url), queries(sales_client, url, term)] == few


def test_salesperson_lists_hold_only_their_own_leads_rows(salesperson, other_salesperson, sales_client, group):
    add_rows(2, salesperson, group)
    add_rows(3, other_salesperson, group)
    for name in SALES_LISTS:
        response = sales_client.get(reverse(LISTS[name]))
        assert response.context["cl"].result_count == response.context["cl"].queryset.count()
        rows = response.context["cl"].result_list
        leads = {row.pk if isinstance(row, Lead) else row.lead_id for row in rows}
        assert leads and leads <= set(Lead.objects.filter(assigned_to=salesperson).values_list("pk", flat=True)), name


def test_count_is_exact_below_the_cap_and_paging_stops_at_it(monkeypatch, salesperson, manager_client, group):
    monkeypatch.setattr(CappedPaginator, "cap", 4)
    add_rows(12, salesperson, group)
    url = reverse(LISTS["status changes"])  # 12 leads, 12 first history rows
    monkeypatch.setattr(admin.site._registry[LeadStatusChange], "list_per_page", 2)
    response = manager_client.get(url)
    paginator = response.context["cl"].paginator
    # Paging stops at 4 rows. Over the cap SQLite has no estimate, so the count
    # is exact; PostgreSQL shows its planner's estimate.
    assert paginator.num_pages == 2
    if connection.vendor == "postgresql":
        assert paginator.estimated
    else:
        assert (paginator.count, paginator.estimated) == (12, False)
    assert manager_client.get(url, {"p": 2}).status_code == 200
    assert manager_client.get(url, {"p": 3}).url.endswith("?e=1")  # past the cap: the admin's "bad page"


def test_estimate_is_none_on_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL estimate is tested below")
    assert estimated_count(Lead.objects.all()) is None


@pytest.mark.postgres
def test_postgresql_says_about_n_above_the_cap(monkeypatch, salesperson, manager_client, group):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    add_rows(6, salesperson, group)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads_lead")
    html = manager_client.get(reverse(LISTS["leads"])).content.decode()
    assert 'class="estimated-count"' in html and "about " in html


@pytest.mark.postgres
def test_postgresql_lead_search_runs_on_the_trigram_index(manager, group):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from leads.search import leads_search

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table: make the planner show what it can use
        for term, index in [("Karimova", "lead_search_text_trgm_idx"), ("12345", "lead_phone_trgm_idx")]:
            sql, params = leads_search(Lead.objects.order_by(), term).query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan
        cursor.execute("RESET enable_seqscan")


def changelist_ordering(model, user, params):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/", params)
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    assert isinstance(changelist, LargeChangeList)
    return [str(o) for o in changelist.get_ordering(request, changelist.root_queryset)]


def test_a_column_sort_is_tie_broken_by_the_default_order_in_its_direction(manager):
    # Lead list columns: 0 checkbox, 1 name, 2 phone, 3 status, …, 9 created.
    assert changelist_ordering(Lead, manager, {"o": "3"}) == ["status", "created_at", "id"]
    assert changelist_ordering(Lead, manager, {"o": "-3"}) == ["-status", "-created_at", "-id"]
    assert changelist_ordering(Lead, manager, {"o": "-9"}) == ["-created_at", "-id"]


def test_a_sort_on_a_column_without_an_index_is_ignored(manager):
    # 8: inquiry count, not in LeadAdmin.sortable_by.
    assert changelist_ordering(Lead, manager, {"o": "8"}) == changelist_ordering(Lead, manager, {})


def test_lead_page_shows_the_latest_history_rows_and_links_to_all(salesperson, manager_client):
    lead = LeadFactory(assigned_to=salesperson)
    base = timezone.now()
    LeadStatusChange.objects.bulk_create(
        [
            LeadStatusChange(lead=lead, from_status="new", to_status="contacted", changed_at=base, note=f"call {n}")
            for n in range(30)
        ]
    )
    response = manager_client.get(reverse("admin:leads_lead_change", args=[lead.pk]))
    history = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is LeadStatusChange)
    assert len(list(history)) == admin_lists.LatestRowsInlineMixin.max_rows
    html = response.content.decode()
    link = reverse("admin:leads_leadstatuschange_changelist") + f"?lead__id__exact={lead.pk}"
    assert link in html and "All 31 status changes" in html
    listed = manager_client.get(link).context["cl"]
    assert listed.result_count == 31


def test_row_lists_search_by_the_lead(salesperson, manager_client, group):
    add_rows(2, salesperson, group)
    lead = Lead.objects.first()
    for name in SALES_LISTS[1:]:
        for term in (lead.full_name, lead.phone_display):
            rows = manager_client.get(reverse(LISTS[name]), {"q": term}).context["cl"].result_list
            assert {row.lead_id for row in rows} == {lead.pk}, (name, term)
        # No lead matches: no rows, and no query with an empty IN list fails.
        assert not manager_client.get(reverse(LISTS[name]), {"q": "Nobody-Like-This"}).context["cl"].result_list


def test_intake_search_finds_an_event_by_its_channel_id_alone(manager_client):
    event = IntakeEventFactory(channel=IntakeChannel.TELEGRAM, external_id="884213")
    IntakeEventFactory(channel=IntakeChannel.LANDING)
    rows = manager_client.get(reverse(LISTS["intake events"]), {"q": "884213"}).context["cl"].result_list
    assert list(rows) == [event]
    # Not a UUID: the reference is simply not searched, no error.
    assert manager_client.get(reverse(LISTS["intake events"]), {"q": "not-a-uuid"}).status_code == 200
