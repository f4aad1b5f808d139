"""Leads through the API: the admin's services and rules, filters on indexed
columns, cursor pages, the brief form, and flat query counts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads import services
from leads.models import Lead, LeadInquiry, LeadStatus, LeadStatusChange
from reminders.models import LeadReminder, LeadReminderStatus
from tests.api.factories import api_client
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads/"


def test_salesperson_creates_a_lead_that_is_theirs_with_history(sales_api, salesperson, other_salesperson):
    response = sales_api.post(
        LEADS,
        {"phone": "90 123 45 67", "full_name": "Aziza", "source": "landing", "assigned_to": other_salesperson.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    lead = Lead.objects.get()
    assert response.json()["id"] == lead.pk
    assert (lead.phone, lead.phone_raw, lead.assigned_to) == ("+998901234567", "90 123 45 67", salesperson)
    assert list(LeadStatusChange.objects.values_list("from_status", "to_status")) == [("", "new")]
    assert LeadInquiry.objects.filter(lead=lead, is_repeat=False).count() == 1
    assert LeadReminder.objects.get(lead=lead).salesperson == salesperson  # first-contact deadline


def test_manager_creates_a_lead_for_a_salesperson(manager_api, salesperson):
    response = manager_api.post(
        LEADS, {"phone": "+998901234568", "source": "instagram", "assigned_to": salesperson.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["assigned_to"] == salesperson.pk


def test_a_phone_that_belongs_to_a_lead_is_a_400_on_the_phone_field(sales_api, salesperson):
    LeadFactory(phone="+998901234567", assigned_to=salesperson)
    response = sales_api.post(LEADS, {"phone": "8 90 123 45 67", "source": "landing"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "phone" in body["fields"]
    assert Lead.objects.count() == 1
    assert body["fields"]["phone"] == [f"A lead with this phone already exists (lead {Lead.objects.get().pk})."]


def test_a_duplicate_phone_does_not_name_another_salespersons_lead(sales_api, salesperson, other_salesperson):
    theirs = LeadFactory(phone="+998901234567", full_name="Secret Person", assigned_to=other_salesperson)
    mine = LeadFactory(assigned_to=salesperson)
    for response in (
        sales_api.post(LEADS, {"phone": "90 123 45 67", "source": "landing"}, format="json"),
        sales_api.patch(f"{LEADS}{mine.pk}/", {"phone": theirs.phone}, format="json"),
    ):
        assert response.status_code == 400
        assert response.json()["fields"] == {"phone": ["A lead with this phone already exists."]}
        assert "Secret" not in response.content.decode()
    assert Lead.objects.get(pk=mine.pk).phone != theirs.phone


def test_an_invalid_phone_or_source_is_a_400_with_field_keys(sales_api):
    response = sales_api.post(LEADS, {"phone": "12", "source": "fax"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"source"}
    response = sales_api.post(LEADS, {"phone": "12", "source": "landing"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"phone"}


def test_patch_edits_details_and_normalises_a_new_phone(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    response = sales_api.patch(
        f"{LEADS}{lead.pk}/", {"full_name": "Bekzod", "phone": "8 (90) 765 43 21"}, format="json"
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.full_name, lead.phone, lead.phone_raw) == ("Bekzod", "+998907654321", "8 (90) 765 43 21")
    assert lead.status == LeadStatus.NEW  # status is not a detail


def test_patch_cannot_change_status_or_salesperson(manager_api, salesperson):
    lead = LeadFactory()
    response = manager_api.patch(
        f"{LEADS}{lead.pk}/", {"status": "enrolled", "assigned_to": salesperson.pk}, format="json"
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_to) == (LeadStatus.NEW, None)


def test_patch_to_another_leads_phone_is_refused(sales_api, salesperson):
    LeadFactory(phone="+998901111111")
    lead = LeadFactory(assigned_to=salesperson)
    response = sales_api.patch(f"{LEADS}{lead.pk}/", {"phone": "+998901111111"}, format="json")
    assert response.status_code == 400
    assert "phone" in response.json()["fields"]


def test_put_is_not_offered(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    response = sales_api.put(f"{LEADS}{lead.pk}/", {"full_name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_change_status_writes_history_and_refuses_an_illegal_move(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    ok = sales_api.post(f"{LEADS}{lead.pk}/change-status/", {"status": "interested", "note": "evening"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "interested"
    assert LeadStatusChange.objects.filter(lead=lead, to_status="interested", changed_by=salesperson).exists()
    bad = sales_api.post(f"{LEADS}{lead.pk}/change-status/", {"status": "new"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "status" in bad.json()["fields"]
    lost = sales_api.post(f"{LEADS}{lead.pk}/change-status/", {"status": "lost"}, format="json")
    assert lost.status_code == 400
    assert "reason" in lost.json()["fields"]


def test_mark_lost_needs_a_reason_and_closes_the_follow_up(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    assert sales_api.post(f"{LEADS}{lead.pk}/mark-lost/", {}, format="json").status_code == 400
    response = sales_api.post(f"{LEADS}{lead.pk}/mark-lost/", {"reason": "Too expensive"}, format="json")
    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "Too expensive")
    assert not LeadReminder.objects.filter(lead=lead, status__in=["pending", "sent"]).exists()


def test_only_managers_assign(manager_api, sales_api, salesperson, other_salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    refused = sales_api.post(f"{LEADS}{lead.pk}/assign/", {"salesperson": salesperson.pk}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "managers_only"
    moved = manager_api.post(f"{LEADS}{lead.pk}/assign/", {"salesperson": other_salesperson.pk}, format="json")
    assert moved.status_code == 200
    assert moved.json()["assigned_to"] == other_salesperson.pk
    assert LeadReminder.objects.get(lead=lead, status=LeadReminderStatus.PENDING).salesperson == other_salesperson
    taken = manager_api.post(f"{LEADS}{lead.pk}/assign/", {"salesperson": None}, format="json")
    assert taken.json()["assigned_to"] is None
    assert LeadReminder.objects.get(lead=lead).status == LeadReminderStatus.CANCELLED


def test_salespeople_picker_lists_active_salespeople_only(manager_api, salesperson, other_salesperson, manager):
    other_salesperson.is_active = False
    other_salesperson.save(update_fields=["is_active"])
    rows = manager_api.get("/api/v1/salespeople/").json()["results"]
    assert [r["id"] for r in rows] == [salesperson.pk]
    assert manager_api.get(f"/api/v1/salespeople/{manager.pk}/").status_code == 404


def test_assigning_to_someone_not_in_sales_is_a_400(manager_api, manager):
    lead = LeadFactory()
    response = manager_api.post(f"{LEADS}{lead.pk}/assign/", {"salesperson": manager.pk}, format="json")
    assert response.status_code == 400
    assert "salesperson" in response.json()["fields"] or "assigned_to" in response.json()["fields"]
    response = manager_api.post(f"{LEADS}{lead.pk}/assign/", {"salesperson": 999999}, format="json")
    assert response.status_code == 400


def test_record_contact_makes_a_new_lead_contacted_and_meets_the_follow_up(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    response = sales_api.post(f"{LEADS}{lead.pk}/record-contact/", {"note": "called"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "contacted"
    assert LeadReminder.objects.get(lead=lead).status == LeadReminderStatus.COMPLETED
    assert response.json()["next_followup_at"] is None


def test_set_follow_up_replaces_the_open_one(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    due = (timezone.now() + datetime.timedelta(days=1)).replace(microsecond=0)
    response = sales_api.post(
        f"{LEADS}{lead.pk}/follow-up/", {"due_at": due.isoformat(), "note": "call"}, format="json"
    )
    assert response.status_code == 200
    assert datetime.datetime.fromisoformat(response.json()["next_followup_at"]) == due
    assert LeadReminder.objects.filter(lead=lead, status__in=["pending", "sent"]).get().due_at == due
    past = sales_api.post(f"{LEADS}{lead.pk}/follow-up/", {"due_at": "2020-01-01T10:00:00+05:00"}, format="json")
    assert past.status_code == 400 and "due_at" in past.json()["fields"]


def test_history_and_inquiries_of_a_lead(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    services.lead_register_inquiry(phone=lead.phone, source="telegram")
    services.lead_change_status(lead=lead, to_status="contacted", by=salesperson)
    history = sales_api.get(f"{LEADS}{lead.pk}/history/").json()["results"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [("", "new"), ("new", "contacted")]
    inquiries = sales_api.get(f"{LEADS}{lead.pk}/inquiries/").json()["results"]
    assert [(i["source"], i["is_repeat"]) for i in inquiries] == [("telegram", True), ("instagram", False)]


def test_filters_on_status_source_salesperson_and_follow_up(manager_api, salesperson, other_salesperson):
    mine = LeadFactory(assigned_to=salesperson, source="telegram")
    theirs = LeadFactory(assigned_to=other_salesperson)
    nobody = LeadFactory()
    services.lead_change_status(lead=theirs, to_status="contacted")

    def ids(query):
        response = manager_api.get(LEADS + query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("?status=new") == {mine.pk, nobody.pk}
    assert ids("?status=new&status=contacted") == {mine.pk, theirs.pk, nobody.pk}
    assert ids("?source=telegram") == {mine.pk}
    assert ids(f"?assigned_to={salesperson.pk}") == {mine.pk}
    assert ids("?unassigned=true") == {nobody.pk}
    assert ids("?followup=open") == {mine.pk}  # the contacted one's follow-up was met
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert ids("?followup=overdue") == {mine.pk}
    assert ids("?followup=none") == {theirs.pk, nobody.pk}


def test_filter_values_that_make_no_sense_are_a_400_not_a_500(manager_api):
    for query in ("?status=sold", "?assigned_to=abc", "?created_after=yesterday", "?followup=soon", "?ordering=phone"):
        response = manager_api.get(LEADS + query)
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid"


def test_search_by_phone_typed_any_way_or_by_name(manager_api):
    aziza = LeadFactory(phone="+998901234567", full_name="Aziza Karimova")
    LeadFactory(phone="+998907654321", full_name="Bekzod")
    for term in ("90 123 45 67", "+998 90 123-45-67", "Karimova"):
        rows = manager_api.get(LEADS, {"search": term}).json()["results"]
        assert [r["id"] for r in rows] == [aziza.pk], term


def test_brief_form_for_pickers(sales_api, salesperson):
    lead = LeadFactory(assigned_to=salesperson, full_name="Aziza")
    row = sales_api.get(LEADS, {"brief": 1}).json()["results"][0]
    assert row == {"id": lead.pk, "full_name": "Aziza", "phone": lead.phone, "status": "new"}
    assert set(sales_api.get(f"{LEADS}{lead.pk}/", {"brief": "1"}).json()) == {"id", "full_name", "phone", "status"}


def test_cursor_pages_walk_every_lead_once_newest_first(manager_api):
    base = timezone.now() - datetime.timedelta(days=1)
    made = [LeadFactory(created_at=base + datetime.timedelta(minutes=n)).pk for n in range(7)]
    seen, url = [], f"{LEADS}?page_size=3"
    while url:
        page = manager_api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == list(reversed(made))
    oldest_first = manager_api.get(LEADS, {"ordering": "created_at", "page_size": 2}).json()["results"]
    assert [r["id"] for r in oldest_first] == made[:2]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


LIST_PATHS = ["/api/v1/leads/", "/api/v1/follow-ups/", "/api/v1/deliveries/", "/api/v1/enrollments/", "/api/v1/trials/"]


def test_list_query_count_does_not_grow_with_the_page_size(manager):
    from tests.api.test_permissions import make_world

    world = make_world(manager, rows=30)
    for user in (manager, world.salesperson):
        client = api_client(user)
        client.get("/api/v1/me/")  # the token's last use is written once
        for path in LIST_PATHS:
            small, large = _queries(client, f"{path}?page_size=10"), _queries(client, f"{path}?page_size=50")
            assert small == large, (user, path, small, large)


def test_nested_history_query_count_does_not_grow_with_the_page_size(manager):
    lead = LeadFactory()
    for n in range(25):
        services.lead_change_status(lead=lead, to_status="contacted" if n % 2 == 0 else "interested", by=manager)
    client = api_client(manager)
    client.get("/api/v1/me/")
    url = f"{LEADS}{lead.pk}/history/"
    assert _queries(client, f"{url}?page_size=5") == _queries(client, f"{url}?page_size=25")


def test_a_moment_with_an_offset_postgresql_cannot_store_is_still_a_valid_filter(manager_api):
    lead = LeadFactory()
    rows = manager_api.get(LEADS, {"created_after": "2000-01-01T00:00:00-19:05"}).json()["results"]
    assert [r["id"] for r in rows] == [lead.pk]
    assert manager_api.get(LEADS, {"created_before": "2000-01-01T00:00:00+23:59"}).json()["results"] == []
    edge = manager_api.get(LEADS, {"created_after": "9999-12-31T23:00:00-05:00"})
    assert edge.status_code == 400 and "created_after" in edge.json()["fields"]
