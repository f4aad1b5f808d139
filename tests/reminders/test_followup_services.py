import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads import services as lead_services
from leads.models import LeadStatus
from reminders import services
from reminders.models import OPEN_REMINDER_STATUSES, LeadReminder, LeadReminderKind, LeadReminderStatus
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
def test_assigning_a_new_lead_creates_a_first_contact_deadline(salesperson, settings):
    settings.REMINDER_FIRST_CONTACT_MINUTES = 15
    lead = LeadFactory()
    lead_services.lead_assign(lead=lead, salesperson=salesperson)
    reminder = LeadReminder.objects.get(lead=lead)
    assert reminder.kind == LeadReminderKind.FIRST_CONTACT
    assert reminder.salesperson == salesperson
    assert reminder.due_at == NOW + datetime.timedelta(minutes=15)
    assert reminder.next_notify_at == reminder.due_at
    assert reminder.status == LeadReminderStatus.PENDING


def test_assigning_an_already_contacted_lead_creates_no_reminder(salesperson, manager):
    lead = LeadFactory()
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.CONTACTED, by=manager)
    lead_services.lead_assign(lead=lead, salesperson=salesperson)
    assert not LeadReminder.objects.filter(lead=lead).exists()


def test_reassigning_moves_the_open_reminder_to_the_new_salesperson(salesperson, other_salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_assign(lead=lead, salesperson=other_salesperson)
    reminder = LeadReminder.objects.get(lead=lead)
    assert reminder.salesperson == other_salesperson
    assert LeadReminder.objects.filter(lead=lead).count() == 1


@pytest.mark.parametrize("status", [LeadStatus.CONTACTED, LeadStatus.INTERESTED, LeadStatus.TRIAL_SCHEDULED])
def test_moving_the_lead_to_a_contact_status_meets_the_first_contact_deadline(salesperson, status):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_change_status(lead=lead, to_status=status, by=salesperson)
    reminder = LeadReminder.objects.get(lead=lead)
    assert reminder.status == LeadReminderStatus.COMPLETED
    assert reminder.completed_by == salesperson
    assert reminder.next_notify_at is None


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "path", [[LeadStatus.TRIAL_SCHEDULED], [LeadStatus.CONTACTED, LeadStatus.INTERESTED], [LeadStatus.INTERESTED]]
)
def test_a_follow_up_the_salesperson_set_stays_open_through_later_status_changes(salesperson, path):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.CONTACTED, by=salesperson)
    due = NOW + datetime.timedelta(days=2)
    reminder = services.followup_set(lead=lead, due_at=due, by=salesperson, note="Call after payday")
    for status in path:
        if status != lead.status:
            lead_services.lead_change_status(lead=lead, to_status=status, by=salesperson)
    reminder.refresh_from_db()
    assert reminder.status == LeadReminderStatus.PENDING
    lead.refresh_from_db()
    assert lead.next_followup_at == due


@time_machine.travel(NOW, tick=False)
def test_a_follow_up_set_before_the_first_contact_outlives_the_first_contact(salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    due = NOW + datetime.timedelta(hours=3)
    reminder = services.followup_set(lead=lead, due_at=due, by=salesperson)
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.CONTACTED, by=salesperson)
    reminder.refresh_from_db()
    assert reminder.is_open
    lead.refresh_from_db()
    assert lead.next_followup_at == due


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("closing", [LeadStatus.LOST, LeadStatus.ENROLLED])
def test_enrolling_or_losing_the_lead_ends_its_follow_up(salesperson, closing):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.INTERESTED, by=salesperson)
    reminder = services.followup_set(lead=lead, due_at=NOW + datetime.timedelta(days=1), by=salesperson)
    lead_services.lead_change_status(lead=lead, to_status=closing, by=salesperson, reason="Chose another centre")
    reminder.refresh_from_db()
    assert reminder.status == LeadReminderStatus.COMPLETED
    assert reminder.next_notify_at is None
    lead.refresh_from_db()
    assert lead.next_followup_at is None


def test_record_contact_moves_a_new_lead_to_contacted_and_completes(salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    services.followup_record_contact(lead=lead, by=salesperson, note="Called, wants evening IELTS")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert lead.first_contacted_at is not None
    assert LeadReminder.objects.get(lead=lead).status == LeadReminderStatus.COMPLETED


def test_record_contact_on_a_worked_lead_completes_its_follow_up(salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.INTERESTED, by=salesperson)
    reminder = services.followup_set(lead=lead, due_at=timezone.now() + datetime.timedelta(hours=1), by=salesperson)
    services.followup_record_contact(lead=lead, by=salesperson)
    reminder.refresh_from_db()
    assert reminder.status == LeadReminderStatus.COMPLETED
    lead.refresh_from_db()
    assert lead.status == LeadStatus.INTERESTED


@time_machine.travel(NOW, tick=False)
def test_set_next_follow_up_replaces_the_open_one(salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    first = LeadReminder.objects.get(lead=lead)
    due = NOW + datetime.timedelta(days=1)
    new = services.followup_set(lead=lead, due_at=due, by=salesperson, note="Call after payday")
    first.refresh_from_db()
    assert first.status == LeadReminderStatus.COMPLETED
    assert first.completion_note == services.SUPERSEDED_NOTE
    assert (new.due_at, new.note, new.status, new.kind) == (due, "Call after payday", "pending", "follow_up")
    assert LeadReminder.objects.filter(lead=lead, status__in=["pending", "sent"]).count() == 1


@time_machine.travel(NOW, tick=False)
def test_follow_up_in_the_past_is_refused_and_nothing_changes(salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    with pytest.raises(ValidationError) as exc:
        services.followup_set(lead=lead, due_at=NOW - datetime.timedelta(minutes=1), by=salesperson)
    assert str(services.FOLLOWUP_IN_PAST) in exc.value.messages
    assert LeadReminder.objects.get(lead=lead).status == LeadReminderStatus.PENDING


def test_follow_up_needs_a_salesperson(manager):
    lead = LeadFactory()
    with pytest.raises(ValidationError) as exc:
        services.followup_set(lead=lead, due_at=timezone.now() + datetime.timedelta(hours=1), by=manager)
    assert str(services.FOLLOWUP_NO_SALESPERSON) in exc.value.messages


def test_follow_up_for_a_non_salesperson_is_refused(manager):
    lead = LeadFactory()
    with pytest.raises(ValidationError) as exc:
        services.followup_set(
            lead=lead, due_at=timezone.now() + datetime.timedelta(hours=1), by=manager, salesperson=manager
        )
    assert services.FOLLOWUP_NOT_SALESPERSON.format(user=manager) in exc.value.messages


def test_lost_lead_gets_no_follow_up(salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_mark_lost(lead=lead, reason="Too expensive", by=salesperson)
    assert LeadReminder.objects.get(lead=lead).status == LeadReminderStatus.COMPLETED
    with pytest.raises(ValidationError):
        services.followup_set(lead=lead, due_at=timezone.now() + datetime.timedelta(hours=1), by=salesperson)


def test_second_assignment_race_backstop_keeps_one_open_reminder(salesperson):
    lead = LeadFactory(assigned_to=salesperson)
    again = services.followup_create_first_contact(lead=lead, salesperson=SalespersonFactory())
    assert LeadReminder.objects.filter(lead=lead).count() == 1
    assert again.pk == LeadReminder.objects.get(lead=lead).pk


@time_machine.travel(NOW, tick=False)
def test_unassigning_cancels_the_open_follow_up_so_nobody_is_nagged(salesperson, manager):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_unassign(lead=lead, by=manager)
    lead.refresh_from_db()
    assert lead.assigned_to is None and lead.assigned_at is None
    reminder = LeadReminder.objects.get(lead=lead)
    assert reminder.status == LeadReminderStatus.CANCELLED
    assert reminder.completion_note == f"The lead was taken from {salesperson}"
    assert not LeadReminder.objects.filter(lead=lead, status__in=OPEN_REMINDER_STATUSES).exists()


def test_unassigning_an_unassigned_lead_changes_nothing(manager):
    lead = LeadFactory()
    lead_services.lead_unassign(lead=lead, by=manager)
    assert not LeadReminder.objects.filter(lead=lead).exists()


@time_machine.travel(NOW, tick=False)
def test_reassigning_after_unassigning_starts_a_new_first_contact_deadline(salesperson, other_salesperson, manager):
    lead = LeadFactory(assigned_to=salesperson)
    lead_services.lead_unassign(lead=lead, by=manager)
    lead_services.lead_assign(lead=lead, salesperson=other_salesperson, by=manager)
    open_reminder = LeadReminder.objects.get(lead=lead, status__in=OPEN_REMINDER_STATUSES)
    assert open_reminder.salesperson == other_salesperson
    assert open_reminder.kind == LeadReminderKind.FIRST_CONTACT
