"""Rows about a lead carry the lead's salesperson (``lead_owner``, see
leads.models.lead_owner_field), and a salesperson's lists filter on it. These
tests hold that the column follows the lead through every write and every
(re)assignment, and that a salesperson sees exactly the rows of their own
leads, in the admin and in the API, before and after a lead changes hands."""

import datetime
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.db_operations import CopyLeadOwner
from leads import services
from leads.bulk import BulkEntry, leads_bulk_register
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus, LeadStatusChange
from reminders.dispatch import deliveries_materialise
from reminders.models import Delivery, LeadReminder
from reminders.services import followup_set
from scheduling.models import Enrollment
from scheduling.services import enrollment_create
from tests.api.factories import api_client
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.trials.factories import book, group_meeting_on
from trials.models import Trial

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
NOW = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=TZ)  # Thursday
FRIDAY = datetime.date(2026, 11, 27)
OWNED = (LeadStatusChange, LeadInquiry, Trial, LeadReminder, Delivery, Enrollment)
ADMIN_LISTS = {
    LeadStatusChange: "admin:leads_leadstatuschange_changelist",
    LeadInquiry: "admin:leads_leadinquiry_changelist",
    Trial: "admin:trials_trial_changelist",
    LeadReminder: "admin:reminders_leadreminder_changelist",
    Delivery: "admin:reminders_delivery_changelist",
    Enrollment: "admin:scheduling_enrollment_changelist",
}
API_LISTS = {Trial: "/api/v1/trials/", LeadReminder: "/api/v1/follow-ups/", Delivery: "/api/v1/deliveries/"}


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def worked_lead(salesperson, *, name: str) -> Lead:
    """A lead of ``salesperson``'s with a row in every owned table: history, a
    repeat inquiry, a booked trial, a follow-up and the deliveries about them,
    an enrolment in another group."""
    lead = LeadFactory(full_name=name, assigned_to=salesperson)
    services.lead_register_inquiry(phone=lead.phone, source=LeadSource.TELEGRAM, at=NOW)
    lead.refresh_from_db()
    services.lead_change_status(lead=lead, to_status=LeadStatus.CONTACTED, by=salesperson)
    book(lead=lead, group=group_meeting_on(FRIDAY), date=FRIDAY, by=salesperson)
    lead.refresh_from_db()
    followup_set(lead=lead, due_at=NOW + datetime.timedelta(hours=1), by=salesperson)
    enrollment_create(group=group_meeting_on(FRIDAY), lead=lead, by=salesperson, at=NOW)
    # Due by now: the trial's reminder a day ahead and the overdue follow-up.
    deliveries_materialise(now=NOW + datetime.timedelta(days=1))
    return lead


def owners(lead) -> dict:
    return {m.__name__: set(m.objects.filter(lead=lead).values_list("lead_owner", flat=True)) for m in OWNED}


def rows_of(lead) -> dict:
    return {model: set(model.objects.filter(lead=lead).values_list("pk", flat=True)) for model in OWNED}


def test_every_row_is_written_with_the_leads_salesperson(salesperson):
    lead = worked_lead(salesperson, name="Aziza Karimova")
    assert all(rows for rows in rows_of(lead).values()), rows_of(lead)
    assert owners(lead) == {model.__name__: {salesperson.pk} for model in OWNED}


def test_reassigning_moves_every_row_to_the_new_salesperson_and_unassigning_clears_it(
    salesperson, other_salesperson, manager
):
    lead = worked_lead(salesperson, name="Aziza Karimova")
    kept = worked_lead(salesperson, name="Bobur Aliyev")
    services.lead_assign(lead=lead, salesperson=other_salesperson, by=manager)
    assert owners(lead) == {model.__name__: {other_salesperson.pk} for model in OWNED}
    assert owners(kept) == {model.__name__: {salesperson.pk} for model in OWNED}
    # Whom a follow-up was for is history (the met first-contact deadline stays
    # the first salesperson's); the open one moves with the lead.
    assert set(LeadReminder.objects.filter(lead=lead).values_list("status", "salesperson")) == {
        ("completed", salesperson.pk),
        ("pending", other_salesperson.pk),
    }
    services.lead_unassign(lead=lead, by=manager)
    assert owners(lead) == {model.__name__: {None} for model in OWNED}


def test_a_failed_reassignment_moves_nothing(salesperson, other_salesperson, manager, monkeypatch):
    from trials import services as trial_services

    lead = worked_lead(salesperson, name="Aziza Karimova")

    def broken(**kwargs):
        raise RuntimeError("trials could not be moved")

    monkeypatch.setattr(trial_services, "trials_move_to_owner", broken)
    with pytest.raises(RuntimeError):
        services.lead_assign(lead=lead, salesperson=other_salesperson, by=manager)
    assert owners(lead) == {model.__name__: {salesperson.pk} for model in OWNED}
    assert Lead.objects.get(pk=lead.pk).assigned_to == salesperson


def test_a_salesperson_sees_exactly_their_leads_rows_in_admin_and_api(salesperson, other_salesperson, manager):
    moved = worked_lead(salesperson, name="Aziza Karimova")
    kept = worked_lead(salesperson, name="Bobur Aliyev")
    theirs = worked_lead(other_salesperson, name="Dilshod Rahimov")

    def visible(user) -> dict:
        client = Client()
        client.force_login(user)
        api = api_client(user)
        seen = {}
        for model, name in ADMIN_LISTS.items():
            response = client.get(reverse(name))
            assert response.status_code == 200
            seen[("admin", model)] = {obj.pk for obj in response.context["cl"].result_list}
        for model, url in API_LISTS.items():
            response = api.get(url, {"page_size": 100})
            assert response.status_code == 200, response.content
            seen[("api", model)] = {row["id"] for row in response.json()["results"]}
        return seen

    def expected(*leads) -> dict:
        rows = [rows_of(lead) for lead in leads]
        admin = {("admin", model): set().union(*(r[model] for r in rows)) for model in ADMIN_LISTS}
        api = {("api", model): set().union(*(r[model] for r in rows)) for model in API_LISTS}
        return admin | api

    assert visible(salesperson) == expected(moved, kept)
    assert visible(other_salesperson) == expected(theirs)
    services.lead_assign(lead=moved, salesperson=other_salesperson, by=manager)
    assert visible(salesperson) == expected(kept)
    assert visible(other_salesperson) == expected(moved, theirs)


def test_the_trial_list_by_salesperson_follows_the_lead(salesperson, other_salesperson, manager, manager_client):
    moved = worked_lead(salesperson, name="Aziza Karimova")
    worked_lead(other_salesperson, name="Dilshod Rahimov")
    url = reverse("admin:trials_trial_changelist")

    def listed(person):
        return {t.lead_id for t in manager_client.get(url, {"salesperson": person.pk}).context["cl"].result_list}

    assert listed(salesperson) == {moved.pk}
    services.lead_assign(lead=moved, salesperson=other_salesperson, by=manager)
    assert listed(salesperson) == set()
    assert moved.pk in listed(other_salesperson)


def test_a_bulk_import_writes_the_rows_of_new_and_known_leads_with_their_salesperson(salesperson, other_salesperson):
    known = LeadFactory(assigned_to=other_salesperson)
    entries = [
        BulkEntry(key=1, phone="+998901110001", at=NOW, details={"full_name": "New One"}),
        BulkEntry(key=2, phone=known.phone, at=NOW + datetime.timedelta(minutes=1)),
    ]
    leads_bulk_register(entries=entries, source=LeadSource.EXCEL, assign=lambda: salesperson, seen={}, now=NOW)
    new = Lead.objects.get(phone="+998901110001")
    assert owners(new)["LeadStatusChange"] == owners(new)["LeadInquiry"] == {salesperson.pk}
    assert owners(new)["LeadReminder"] == {salesperson.pk}  # the first-contact deadline
    assert owners(known)["LeadInquiry"] == {other_salesperson.pk}


def test_the_migration_fills_the_owner_of_existing_rows_in_batches(salesperson, other_salesperson):
    leads = [worked_lead(person, name=f"Lead {n}") for n, person in enumerate([salesperson, other_salesperson])]
    before = [owners(lead) for lead in leads]
    for model in OWNED:
        model.objects.update(lead_owner=None)
    from django.apps import apps

    editor = SimpleNamespace(connection=connection)  # all the operation uses of its schema editor
    for model in OWNED:
        CopyLeadOwner(app_label=model._meta.app_label, model_name=model.__name__, batch=2)._fill(apps, editor)
    assert [owners(lead) for lead in leads] == before


@pytest.mark.postgres
def test_postgresql_a_salespersons_filtered_lists_test_the_rows_own_salesperson_on_an_index(salesperson):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from django.contrib import admin
    from django.test import RequestFactory

    worked_lead(salesperson, name="Aziza Karimova")
    other = SalespersonFactory()
    # On tables this small the planner may pick any of the row's indexes; what
    # must hold is that the salesperson is tested on the row, on an index of it.
    pages = [
        (LeadInquiry, {"source": "telegram"}),
        (LeadStatusChange, {"to_status": "contacted"}),
        (Trial, {"status": "scheduled"}),
        (LeadReminder, {"kind": "follow_up"}),
        (Delivery, {"status": "pending"}),
        (Enrollment, {"status": "active"}),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # tiny tables: make the planner show what it can use
        try:
            for model, params in pages:
                request = RequestFactory().get("/", params)
                request.user = other
                changelist = admin.site._registry[model].get_changelist_instance(request)
                sql, sql_params = changelist.get_queryset(request).query.sql_with_params()
                cursor.execute(f"EXPLAIN {sql}", sql_params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert f"lead_owner_id = {other.pk}" in plan, (model, plan)
                assert f"on {model._meta.db_table}" in plan and "Seq Scan" not in plan, (model, plan)
                assert not re.search(r"assigned_to_id = \d", plan), (model, plan)  # no test of the lead's owner
        finally:
            cursor.execute("RESET enable_seqscan")
