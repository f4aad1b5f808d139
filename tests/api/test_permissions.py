"""The permission matrix: every role × every endpoint × every method is
allowed, forbidden or not found exactly as the admin's role rules say, and a
salesperson never sees another's lead — in lists, details, nested routes,
filters and search. Each case runs in a savepoint that is rolled back, so the
cases do not change each other's world."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from analytics.models import LeadMetrics, MarketingSpend, SalesKPI
from reminders.models import Delivery, DeliveryKind, LeadReminder
from scheduling import services as scheduling_services
from tests.api.factories import api_client
from tests.factories import SalespersonFactory, TeacherFactory
from tests.import_service.factories import ImportLogFactory, ImportRowFactory
from tests.intake.factories import IntakeEventFactory
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import RoomFactory
from tests.trials.factories import book, group_meeting_on

pytestmark = pytest.mark.django_db


@dataclass
class World:
    salesperson: object
    other: object
    teacher: object
    own_lead: object
    other_lead: object
    own_trial: object
    other_trial: object
    own_enrollment: object
    other_enrollment: object
    group: object
    other_delivery: object
    import_log: object


def make_world(manager, rows: int = 1) -> World:
    """Two salespeople with ``rows`` leads each, every lead with a trial, an
    enrolment, a follow-up and a delivery; the reference data around them."""
    salesperson, other, teacher = SalespersonFactory(), SalespersonFactory(), TeacherFactory()
    day = timezone.localdate() + datetime.timedelta(days=7)
    group = group_meeting_on(day, room=RoomFactory(capacity=4 * rows + 4), capacity=4 * rows + 4)
    second = group_meeting_on(day, room=RoomFactory(capacity=4 * rows + 4), capacity=4 * rows + 4)
    made = {salesperson.pk: [], other.pk: []}
    for person in (salesperson, other):
        for _ in range(rows):
            lead = LeadFactory(assigned_to=person)
            trial = book(lead=lead, group=group, date=day, by=person)
            enrollment = scheduling_services.enrollment_create(group=second, lead=lead, by=manager)
            delivery = Delivery.objects.create(
                key=f"test:{lead.pk}",
                kind=DeliveryKind.TRIAL_PRE_SALES,
                channel="email",
                recipient_user=person,
                address=person.email,
                lead=lead,
                lead_owner=person,  # as reminders.sources.build_delivery writes it
                object_id=trial.pk,
                occurrence="1",
                due_at=timezone.now(),
            )
            made[person.pk].append((lead, trial, enrollment, delivery))
    IntakeEventFactory()
    log = ImportLogFactory(created_by=manager)
    ImportRowFactory(log=log)
    MarketingSpend.objects.create(date=day, channel="instagram", cost=Decimal("1000"))
    LeadMetrics.objects.create(date=day)
    SalesKPI.objects.create(date=day, salesperson=salesperson)
    SalesKPI.objects.create(date=day, salesperson=other)
    own, theirs = made[salesperson.pk][0], made[other.pk][0]
    return World(
        salesperson=salesperson,
        other=other,
        teacher=teacher,
        own_lead=own[0],
        other_lead=theirs[0],
        own_trial=own[1],
        other_trial=theirs[1],
        own_enrollment=own[2],
        other_enrollment=theirs[2],
        group=group,
        other_delivery=theirs[3],
        import_log=log,
    )


# (name, method, url(world), body(world) or None, {role: status})
M, S, T, RO = "manager", "salesperson", "teacher", "read_only"
ALL_OK = {M: 200, S: 200, T: 200, RO: 200}
LEAD_READ = {M: 200, S: 200, T: 403, RO: 200}
MANAGERS_READ = {M: 200, S: 403, T: 403, RO: 403}


def _followup(world, lead):
    return LeadReminder.objects.filter(lead=lead).first().pk


CASES = [
    # --- leads
    ("list leads", "get", lambda w: "/api/v1/leads/", None, LEAD_READ),
    ("own lead", "get", lambda w: f"/api/v1/leads/{w.own_lead.pk}/", None, LEAD_READ),
    ("other's lead", "get", lambda w: f"/api/v1/leads/{w.other_lead.pk}/", None, {M: 200, S: 404, T: 403, RO: 404}),
    ("own history", "get", lambda w: f"/api/v1/leads/{w.own_lead.pk}/history/", None, LEAD_READ),
    (
        "other's history",
        "get",
        lambda w: f"/api/v1/leads/{w.other_lead.pk}/history/",
        None,
        {M: 200, S: 404, T: 403, RO: 404},
    ),
    (
        "other's inquiries",
        "get",
        lambda w: f"/api/v1/leads/{w.other_lead.pk}/inquiries/",
        None,
        {M: 200, S: 404, T: 403, RO: 404},
    ),
    (
        "create lead",
        "post",
        lambda w: "/api/v1/leads/",
        lambda w: {"phone": "+998935550011", "source": "landing"},
        {M: 201, S: 201, T: 403, RO: 403},
    ),
    (
        "edit own lead",
        "patch",
        lambda w: f"/api/v1/leads/{w.own_lead.pk}/",
        lambda w: {"full_name": "New name"},
        {M: 200, S: 200, T: 403, RO: 403},
    ),
    (
        "edit other's lead",
        "patch",
        lambda w: f"/api/v1/leads/{w.other_lead.pk}/",
        lambda w: {"full_name": "New name"},
        {M: 200, S: 404, T: 403, RO: 403},
    ),
    (
        "delete a lead",
        "delete",
        lambda w: f"/api/v1/leads/{w.own_lead.pk}/",
        None,
        {M: 405, S: 405, T: 405, RO: 405},
    ),
    (
        "status of own lead",
        "post",
        lambda w: f"/api/v1/leads/{w.own_lead.pk}/change-status/",
        lambda w: {"status": "lost", "reason": "x"},
        {M: 200, S: 200, T: 403, RO: 403},
    ),
    (
        "status of other's lead",
        "post",
        lambda w: f"/api/v1/leads/{w.other_lead.pk}/change-status/",
        lambda w: {"status": "lost", "reason": "x"},
        {M: 200, S: 404, T: 403, RO: 403},
    ),
    (
        "assign",
        "post",
        lambda w: f"/api/v1/leads/{w.own_lead.pk}/assign/",
        lambda w: {"salesperson": w.other.pk},
        {M: 200, S: 403, T: 403, RO: 403},
    ),
    (
        "mark other's lead lost",
        "post",
        lambda w: f"/api/v1/leads/{w.other_lead.pk}/mark-lost/",
        lambda w: {"reason": "x"},
        {M: 200, S: 404, T: 403, RO: 403},
    ),
    (
        "record contact on own lead",
        "post",
        lambda w: f"/api/v1/leads/{w.own_lead.pk}/record-contact/",
        lambda w: {},
        {M: 200, S: 200, T: 403, RO: 403},
    ),
    (
        "follow-up on other's lead",
        "post",
        lambda w: f"/api/v1/leads/{w.other_lead.pk}/follow-up/",
        lambda w: {"due_at": (timezone.now() + datetime.timedelta(days=1)).isoformat()},
        {M: 200, S: 404, T: 403, RO: 403},
    ),
    # --- follow-ups and deliveries
    ("list follow-ups", "get", lambda w: "/api/v1/follow-ups/", None, LEAD_READ),
    (
        "other's follow-up",
        "get",
        lambda w: f"/api/v1/follow-ups/{_followup(w, w.other_lead)}/",
        None,
        {M: 200, S: 404, T: 403, RO: 404},
    ),
    ("list deliveries", "get", lambda w: "/api/v1/deliveries/", None, LEAD_READ),
    (
        "other's delivery",
        "get",
        lambda w: f"/api/v1/deliveries/{w.other_delivery.pk}/",
        None,
        {M: 200, S: 404, T: 403, RO: 404},
    ),
    # --- trials
    ("list trials", "get", lambda w: "/api/v1/trials/", None, LEAD_READ),
    ("other's trial", "get", lambda w: f"/api/v1/trials/{w.other_trial.pk}/", None, {M: 200, S: 404, T: 403, RO: 404}),
    (
        "cancel other's trial",
        "post",
        lambda w: f"/api/v1/trials/{w.other_trial.pk}/cancel/",
        lambda w: {"reason": "x"},
        {M: 200, S: 404, T: 403, RO: 403},
    ),
    (
        "cancel own trial",
        "post",
        lambda w: f"/api/v1/trials/{w.own_trial.pk}/cancel/",
        lambda w: {},
        {M: 200, S: 200, T: 403, RO: 403},
    ),
    (
        "book for other's lead",
        "post",
        lambda w: "/api/v1/trials/",
        lambda w: {"lead": w.other_lead.pk, "group": w.group.pk, "date": w.own_trial.scheduled_date.isoformat()},
        {M: 400, S: 400, T: 403, RO: 403},  # the lead has a trial already (manager); not visible (salesperson)
    ),
    # --- scheduling
    ("list courses", "get", lambda w: "/api/v1/courses/", None, ALL_OK),
    ("list rooms", "get", lambda w: "/api/v1/rooms/", None, ALL_OK),
    ("list groups", "get", lambda w: "/api/v1/groups/", None, ALL_OK),
    ("a group", "get", lambda w: f"/api/v1/groups/{w.group.pk}/", None, ALL_OK),
    ("a group's lessons", "get", lambda w: f"/api/v1/groups/{w.group.pk}/lessons/", None, ALL_OK),
    ("room occupancy", "get", lambda w: "/api/v1/room-occupancy/", None, ALL_OK),
    ("list enrolments", "get", lambda w: "/api/v1/enrollments/", None, ALL_OK),
    (
        "other's enrolment",
        "get",
        lambda w: f"/api/v1/enrollments/{w.other_enrollment.pk}/",
        None,
        {M: 200, S: 404, T: 404, RO: 404},
    ),
    (
        "enrol other's lead",
        "post",
        lambda w: "/api/v1/enrollments/",
        lambda w: {"lead": w.other_lead.pk, "group": w.group.pk},
        {M: 201, S: 403, T: 403, RO: 403},  # enrolling is the managers' (scheduling.add_enrollment)
    ),
    (
        "own enrolment leaves",
        "post",
        lambda w: f"/api/v1/enrollments/{w.own_enrollment.pk}/leave/",
        lambda w: {},
        {M: 200, S: 403, T: 403, RO: 403},
    ),
    (
        "create a course",
        "post",
        lambda w: "/api/v1/courses/",
        lambda w: {"name": "x"},
        {M: 405, S: 405, T: 405, RO: 405},
    ),
    # --- analytics, spend, imports, intake
    ("sales KPIs", "get", lambda w: "/api/v1/analytics/sales-kpis/", None, {M: 200, S: 200, T: 403, RO: 200}),
    ("lead metrics", "get", lambda w: "/api/v1/analytics/lead-metrics/", None, MANAGERS_READ),
    ("group analytics", "get", lambda w: "/api/v1/analytics/group-analytics/", None, MANAGERS_READ),
    ("marketing analytics", "get", lambda w: "/api/v1/analytics/marketing/", None, MANAGERS_READ),
    ("room usage", "get", lambda w: "/api/v1/analytics/room-usage/", None, MANAGERS_READ),
    ("marketing spend", "get", lambda w: "/api/v1/marketing-spend/", None, MANAGERS_READ),
    (
        "record spend",
        "post",
        lambda w: "/api/v1/marketing-spend/",
        lambda w: {"date": "2026-11-01", "channel": "telegram", "impressions": 1, "clicks": 1, "cost": "10.00"},
        {M: 201, S: 403, T: 403, RO: 403},
    ),
    ("imports", "get", lambda w: "/api/v1/imports/", None, MANAGERS_READ),
    ("an import's rows", "get", lambda w: f"/api/v1/imports/{w.import_log.pk}/rows/", None, MANAGERS_READ),
    ("intake events", "get", lambda w: "/api/v1/intake-events/", None, MANAGERS_READ),
    ("me", "get", lambda w: "/api/v1/me/", None, ALL_OK),
    ("salespeople", "get", lambda w: "/api/v1/salespeople/", None, MANAGERS_READ),
]


def _client(role, world, manager):
    user = {M: manager, S: world.salesperson, T: world.teacher, RO: world.salesperson}[role]
    return api_client(user, read_only=(role == RO))


class Rollback(Exception):
    pass


@pytest.mark.parametrize("role", [M, S, T, RO])
def test_permission_matrix(role, manager):
    world = make_world(manager)
    client = _client(role, world, manager)
    wrong = []
    for name, method, url, body, expected in CASES:
        try:
            with transaction.atomic():
                target = url(world)
                payload = body(world) if body else None
                response = (
                    getattr(client, method)(target, payload, format="json")
                    if payload is not None
                    else getattr(client, method)(target)
                )
                if response.status_code != expected[role]:
                    wrong.append(
                        f"{name}: {method.upper()} {target} → {response.status_code}, expected {expected[role]}"
                    )
                elif response.status_code >= 400:
                    assert set(response.json()) == {"code", "message", "fields"}, name
                raise Rollback
        except Rollback:
            pass
    assert not wrong, "\n".join(wrong)


def _ids(client, url) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.json())
    return {row["id"] for row in response.json()["results"]}


def test_a_salesperson_never_sees_another_salespersons_lead(manager):
    world = make_world(manager, rows=2)
    client = api_client(world.salesperson)
    other, own = world.other_lead, world.own_lead
    own_leads = _ids(client, "/api/v1/leads/")
    assert own.pk in own_leads and other.pk not in own_leads
    # Filters and search that name the other lead find nothing.
    assert _ids(client, f"/api/v1/leads/?assigned_to={world.other.pk}") == set()
    assert _ids(client, f"/api/v1/leads/?search={other.phone}") == set()
    assert _ids(client, f"/api/v1/leads/?search={other.phone[-7:]}") == set()
    assert _ids(client, f"/api/v1/leads/?search={other.full_name.split()[0]}") <= own_leads
    assert _ids(client, "/api/v1/leads/?brief=1") == own_leads
    # Everything that hangs off a lead.
    for path in ("trials", "follow-ups", "deliveries", "enrollments"):
        rows = client.get(f"/api/v1/{path}/?lead={other.pk}").json()["results"]
        assert rows == [], path
        every = client.get(f"/api/v1/{path}/").json()["results"]
        assert every and all(row["lead"] != other.pk for row in every), path
    for nested in ("history", "inquiries"):
        assert client.get(f"/api/v1/leads/{other.pk}/{nested}/").status_code == 404
    # Sales KPIs: only their own row.
    kpis = client.get("/api/v1/analytics/sales-kpis/").json()["results"]
    assert {row["salesperson"] for row in kpis} == {world.salesperson.pk}
