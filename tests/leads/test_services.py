import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from leads import hooks, services
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus, LeadStatusChange
from leads.phones import INVALID_PHONE
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
S = LeadStatus


def history(lead):
    return list(LeadStatusChange.objects.filter(lead=lead).values_list("from_status", "to_status"))


class TestLeadRegisterInquiry:
    def test_new_phone_creates_lead_with_initial_history_and_inquiry(self):
        result = services.lead_register_inquiry(phone="90 123 45 67", source="landing", full_name="Kamila")
        lead = result.lead
        assert result.created
        assert lead.phone == "+998901234567"
        assert lead.phone_raw == "90 123 45 67"
        assert lead.status == S.NEW
        assert history(lead) == [("", S.NEW)]
        assert lead.inquiries.count() == 1

    def test_same_phone_in_another_format_is_a_repeat_not_a_new_lead(self):
        first = services.lead_register_inquiry(phone="+998901234567", source="instagram", full_name="Kamila").lead
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            again = services.lead_register_inquiry(phone="8 (90) 123-45-67", source="telegram", full_name="Other")
        assert not again.created
        assert again.lead.pk == first.pk
        first.refresh_from_db()
        assert first.inquiry_count == 2
        assert first.last_inquiry_source == LeadSource.TELEGRAM
        assert first.full_name == "Kamila"  # never overwritten by a repeat
        assert first.source == LeadSource.INSTAGRAM
        assert Lead.objects.count() == 1
        assert LeadInquiry.objects.filter(lead=first, is_repeat=True).count() == 1

    def test_repeat_fills_in_blank_details_only(self):
        lead = services.lead_register_inquiry(phone="+998901234567", source="call_tracking").lead
        services.lead_register_inquiry(
            phone="+998901234567", source="telegram", full_name="Oybek", telegram_chat_id="555"
        )
        lead.refresh_from_db()
        assert (lead.full_name, lead.telegram_chat_id) == ("Oybek", "555")

    def test_repeat_inquiry_reopens_a_lost_lead(self):
        lead = LeadFactory()
        services.lead_mark_lost(lead=lead, reason="Too expensive")
        result = services.lead_register_inquiry(phone=lead.phone, source="whatsapp")
        lead.refresh_from_db()
        assert result.reopened
        assert lead.status == S.NEW
        assert lead.lost_reason == ""
        assert history(lead) == [("", S.NEW), (S.NEW, S.LOST), (S.LOST, S.NEW)]

    @pytest.mark.parametrize("phone", ["", "12", "not a phone"])
    def test_bad_phone_is_refused_and_writes_nothing(self, phone):
        with pytest.raises(ValidationError) as exc:
            services.lead_register_inquiry(phone=phone, source="landing")
        assert "phone" in exc.value.message_dict
        assert not Lead.objects.exists() and not LeadStatusChange.objects.exists()

    def test_unknown_source_is_refused_and_writes_nothing(self):
        with pytest.raises(ValidationError, match="Unknown lead source"):
            services.lead_register_inquiry(phone="+998901234567", source="tiktok")
        assert not Lead.objects.exists()

    def test_lead_create_refuses_a_known_phone(self):
        LeadFactory(phone="+998901234567")
        with pytest.raises(ValidationError, match="already exists"):
            services.lead_create(phone="901234567", source="csv")


class TestLeadChangeStatus:
    def test_every_change_is_recorded_with_who_and_when(self, salesperson):
        lead = LeadFactory()
        moment = timezone.now() + timedelta(minutes=5)
        services.lead_change_status(lead=lead, to_status=S.CONTACTED, by=salesperson, at=moment)
        change = LeadStatusChange.objects.filter(lead=lead).last()
        assert (change.from_status, change.to_status, change.changed_by, change.changed_at) == (
            S.NEW,
            S.CONTACTED,
            salesperson,
            moment,
        )
        lead.refresh_from_db()
        assert lead.status == S.CONTACTED
        assert lead.first_contacted_at == moment
        assert lead.status_changed_at == moment

    def test_first_contact_time_is_kept_from_the_first_contact(self):
        lead = LeadFactory()
        first = timezone.now()
        services.lead_change_status(lead=lead, to_status=S.CONTACTED, at=first)
        services.lead_change_status(lead=lead, to_status=S.INTERESTED, at=first + timedelta(hours=1))
        lead.refresh_from_db()
        assert lead.first_contacted_at == first

    @pytest.mark.parametrize(
        "path, illegal",
        [
            ([], S.ENROLLED),
            ([], S.TRIAL_ATTENDED),
            ([S.CONTACTED, S.INTERESTED, S.ENROLLED], S.NEW),
        ],
    )
    def test_illegal_transition_is_refused_with_a_clear_message_and_writes_nothing(self, path, illegal):
        lead = LeadFactory()
        for status in path:
            services.lead_change_status(lead=lead, to_status=status)
        before = LeadStatusChange.objects.count()
        with pytest.raises(ValidationError) as exc:
            services.lead_change_status(lead=lead, to_status=illegal)
        assert "cannot go from" in exc.value.message_dict["status"][0]
        assert LeadStatusChange.objects.count() == before
        lead.refresh_from_db()
        assert lead.status == (path[-1] if path else S.NEW)

    def test_unknown_status_is_refused(self):
        with pytest.raises(ValidationError, match="Unknown status"):
            services.lead_change_status(lead=LeadFactory(), to_status="won")

    @pytest.mark.parametrize("reason", ["", " ", "   ", "\t", "\n \t", "\u00a0", "\u2003\u3000"])
    def test_lost_needs_a_reason_that_is_not_blank(self, reason):
        lead = LeadFactory()
        for mark in (
            lambda: services.lead_change_status(lead=lead, to_status=S.LOST, reason=reason),
            lambda: services.lead_mark_lost(lead=lead, reason=reason),
        ):
            with pytest.raises(ValidationError) as exc:
                mark()
            assert exc.value.message_dict == {"lost_reason": [services.LOST_REASON_REQUIRED]}
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason) == (S.NEW, "")
        assert [to for _, to in history(lead)] == [S.NEW]

    def test_lost_reason_is_stored_without_surrounding_blanks(self):
        lead = LeadFactory()
        services.lead_mark_lost(lead=lead, reason="  Moved to Samarkand \n")
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason) == (S.LOST, "Moved to Samarkand")

    def test_full_funnel_leaves_complete_history(self):
        lead = LeadFactory()
        for status in [S.CONTACTED, S.INTERESTED, S.TRIAL_SCHEDULED, S.TRIAL_ATTENDED, S.ENROLLED]:
            services.lead_change_status(lead=lead, to_status=status)
        assert [to for _, to in history(lead)] == [
            S.NEW,
            S.CONTACTED,
            S.INTERESTED,
            S.TRIAL_SCHEDULED,
            S.TRIAL_ATTENDED,
            S.ENROLLED,
        ]


class TestAssignment:
    def test_assign_sets_salesperson_and_time(self, salesperson, manager):
        lead = LeadFactory()
        services.lead_assign(lead=lead, salesperson=salesperson, by=manager)
        lead.refresh_from_db()
        assert lead.assigned_to == salesperson and lead.assigned_at is not None

    def test_only_active_salespeople_can_be_assigned(self, manager, teacher):
        with pytest.raises(ValidationError, match="not an active member of the Sales group"):
            services.lead_assign(lead=LeadFactory(), salesperson=teacher)
        inactive = SalespersonFactory(is_active=False)
        with pytest.raises(ValidationError):
            services.lead_assign(lead=LeadFactory(), salesperson=inactive)

    def test_round_robin_spreads_evenly_and_continues_the_turn(self):
        people = [SalespersonFactory() for _ in range(3)]
        leads = [LeadFactory() for _ in range(7)]
        counts = services.leads_assign_round_robin(leads=leads[:4])
        assert sorted(counts.values()) == [1, 1, 2]
        counts = services.leads_assign_round_robin(leads=leads[4:])
        totals = {p: Lead.objects.filter(assigned_to=p).count() for p in people}
        assert sorted(totals.values()) == [2, 2, 3]

    def test_round_robin_without_salespeople_is_a_clear_error(self):
        with pytest.raises(ValidationError, match="no active salespeople"):
            services.leads_assign_round_robin(leads=[LeadFactory()])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inquiries_for_one_phone_make_one_lead():
    """Two webhooks for the same person arriving at once: one lead, one repeat."""
    barrier = threading.Barrier(4)
    results, errors = [], []

    def deliver(source):
        try:
            barrier.wait()
            results.append(services.lead_register_inquiry(phone="+998 90 555 01 01", source=source))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(s,)) for s in ["landing", "telegram", "whatsapp", "instagram"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Lead.objects.count() == 1
    assert sum(r.created for r in results) == 1
    lead = Lead.objects.get()
    assert lead.inquiry_count == 4
    assert LeadStatusChange.objects.filter(lead=lead).count() == 1


class TestCreateRepeatAndUnassign:
    def test_lead_create_records_who_created_it(self, manager):
        lead = services.lead_create(phone="90 123 45 67", source="landing", by=manager)
        change = LeadStatusChange.objects.get(lead=lead)
        assert (change.from_status, change.to_status, change.changed_by) == ("", S.NEW, manager)

    def test_lead_create_names_the_phone_field_when_the_phone_is_known(self):
        known = LeadFactory(phone="+998901234567")
        with pytest.raises(ValidationError) as exc:
            services.lead_create(phone="901234567", source="csv")
        assert exc.value.message_dict == {"phone": [f"A lead with phone +998901234567 already exists: {known}."]}

    def test_repeat_inquiry_moves_the_last_inquiry_time_and_source(self):
        lead = LeadFactory(source="instagram")
        later = timezone.now() + timedelta(days=2)
        services.lead_register_inquiry(phone=lead.phone, source="telegram", at=later)
        lead.refresh_from_db()
        assert (lead.last_inquiry_at, lead.last_inquiry_source, lead.inquiry_count) == (later, "telegram", 2)
        repeat = LeadInquiry.objects.get(lead=lead, is_repeat=True)
        assert (repeat.source, repeat.received_at) == ("telegram", later)

    @pytest.fixture
    def unassigned_events(self, monkeypatch):
        events = []
        current = list(hooks.subscribers(hooks.LeadUnassigned))
        monkeypatch.setitem(hooks._subscribers, hooks.LeadUnassigned, [*current, events.append])
        return events

    def test_unassign_clears_the_salesperson_and_tells_the_apps_above(self, salesperson, manager, unassigned_events):
        lead = LeadFactory(assigned_to=salesperson)
        moment = timezone.now() + timedelta(minutes=5)
        returned = services.lead_unassign(lead=lead, by=manager, at=moment)
        assert returned is lead and (lead.assigned_to, lead.assigned_at) == (None, None)
        stored = Lead.objects.get(pk=lead.pk)
        assert (stored.assigned_to, stored.assigned_at) == (None, None)
        [event] = unassigned_events
        assert (event.lead.pk, event.previous_salesperson, event.by, event.at) == (
            lead.pk,
            salesperson,
            manager,
            moment,
        )

    def test_unassigning_an_unassigned_lead_writes_and_tells_nothing(self, manager, unassigned_events):
        lead = LeadFactory()
        before = Lead.objects.get(pk=lead.pk).updated_at
        with time_machine.travel(timezone.now() + timedelta(minutes=1)):
            assert services.lead_unassign(lead=lead, by=manager) is lead
        assert Lead.objects.get(pk=lead.pk).updated_at == before
        assert unassigned_events == []


class TestTimesAndAuthorsAreKept:
    """The ``at`` and ``by`` a caller passes end up in the history, not "now"/nobody."""

    def test_lead_create_keeps_the_time_and_details(self):
        moment = timezone.now() - timedelta(days=3)
        lead = services.lead_create(phone="901234567", source="csv", at=moment, full_name="Kamila")
        assert (lead.created_at, lead.full_name) == (moment, "Kamila")
        assert LeadStatusChange.objects.get(lead=lead).changed_at == moment

    def test_a_plain_repeat_does_not_say_it_reopened_the_lead(self):
        lead = LeadFactory()
        result = services.lead_register_inquiry(phone=lead.phone, source="telegram")
        assert (result.created, result.reopened) == (False, False)

    def test_reopening_by_a_repeat_is_recorded_at_the_inquiry_time_with_its_source(self):
        lead = LeadFactory()
        services.lead_mark_lost(lead=lead, reason="No answer")
        later = timezone.now() + timedelta(days=5)
        result = services.lead_register_inquiry(phone=lead.phone, source="whatsapp", at=later)
        assert result.reopened
        reopening = LeadStatusChange.objects.filter(lead=lead).latest("id")
        assert (reopening.from_status, reopening.to_status, reopening.changed_at) == (S.LOST, S.NEW, later)
        assert reopening.note == services.REOPENED_BY_INQUIRY.format(source="whatsapp")

    def test_a_repeat_on_a_stale_instance_writes_only_the_inquiry_fields(self, salesperson):
        stale = LeadFactory(comment="")
        Lead.objects.filter(pk=stale.pk).update(comment="Called back, wants evening groups")
        services.lead_record_repeat_inquiry(lead=stale, source="telegram", at=timezone.now())
        stored = Lead.objects.get(pk=stale.pk)
        assert (stored.comment, stored.inquiry_count) == ("Called back, wants evening groups", 2)

    def test_mark_lost_records_who_and_when(self, salesperson):
        lead = LeadFactory()
        moment = timezone.now() + timedelta(hours=2)
        change = services.lead_mark_lost(lead=lead, reason="Moved away", by=salesperson, at=moment)
        assert (change.to_status, change.changed_by, change.changed_at) == (S.LOST, salesperson, moment)

    def test_round_robin_assigns_at_the_given_time_on_behalf_of_the_caller(self, manager, monkeypatch):
        events = []
        current = list(hooks.subscribers(hooks.LeadAssigned))
        monkeypatch.setitem(hooks._subscribers, hooks.LeadAssigned, [*current, events.append])
        SalespersonFactory()
        leads = [LeadFactory(), LeadFactory()]
        moment = timezone.now() - timedelta(minutes=30)
        services.leads_assign_round_robin(leads=leads, by=manager, at=moment)
        assert set(Lead.objects.values_list("assigned_at", flat=True)) == {moment}
        assert [(e.lead.pk, e.by, e.at) for e in events] == [(lead.pk, manager, moment) for lead in leads]


@pytest.fixture
def published(monkeypatch):
    """Every leads.hooks event published, in order (beside the real subscribers)."""
    events = []
    for event in hooks.EVENTS:
        monkeypatch.setitem(hooks._subscribers, event, [*hooks.subscribers(event), events.append])
    return events


class TestStatusChangeDetails:
    def test_the_check_without_a_reason_refuses_lost(self):
        lead = LeadFactory()
        with pytest.raises(ValidationError) as exc:
            services.lead_transition_check(lead=lead, to_status=S.LOST)
        assert exc.value.message_dict == {"lost_reason": [services.LOST_REASON_REQUIRED]}
        with pytest.raises(ValidationError):
            services.lead_change_status(lead=lead, to_status=S.LOST)

    def test_an_unknown_status_names_itself_on_the_status_field(self):
        with pytest.raises(ValidationError) as exc:
            services.lead_change_status(lead=LeadFactory(), to_status="won")
        assert exc.value.message_dict == {"status": [services.UNKNOWN_STATUS.format(value="won")]}

    def test_history_note_is_the_note_else_the_reason_cut_to_255(self):
        lead = LeadFactory()
        plain = services.lead_change_status(lead=lead, to_status=S.CONTACTED)
        assert plain.note == ""
        noted = services.lead_change_status(lead=lead, to_status=S.INTERESTED, note="n" * 300)
        assert noted.note == "n" * 255
        lost = services.lead_change_status(lead=lead, to_status=S.LOST, reason="r" * 300)
        assert lost.note == "r" * 255
        lead.refresh_from_db()
        assert lead.lost_reason == "r" * 255

    def test_the_callers_instance_is_brought_up_to_date(self):
        lead = LeadFactory()
        moment = timezone.now() + timedelta(minutes=3)
        services.lead_change_status(lead=lead, to_status=S.CONTACTED, at=moment)
        assert (lead.status, lead.status_changed_at, lead.first_contacted_at) == (S.CONTACTED, moment, moment)
        services.lead_mark_lost(lead=lead, reason="Price")
        assert (lead.status, lead.lost_reason) == (S.LOST, "Price")

    def test_the_event_says_who_and_when(self, salesperson, published):
        lead = LeadFactory()
        moment = timezone.now() + timedelta(minutes=3)
        services.lead_change_status(lead=lead, to_status=S.LOST, by=salesperson, at=moment, reason="Price")
        [event] = [e for e in published if isinstance(e, hooks.LeadStatusChanged)]
        assert (event.from_status, event.to_status, event.by, event.at, event.reason) == (
            S.NEW,
            S.LOST,
            salesperson,
            moment,
            "Price",
        )


class TestAssignDetails:
    def test_assigning_the_same_salesperson_again_changes_and_tells_nothing(self, salesperson, published):
        lead = LeadFactory()
        first = timezone.now()
        services.lead_assign(lead=lead, salesperson=salesperson, at=first)
        services.lead_assign(lead=lead, salesperson=salesperson, at=first + timedelta(hours=1))
        assert Lead.objects.get(pk=lead.pk).assigned_at == first
        assert len([e for e in published if isinstance(e, hooks.LeadAssigned)]) == 1

    def test_the_event_says_who_and_when(self, salesperson, manager, published):
        lead = LeadFactory()
        moment = timezone.now() + timedelta(minutes=7)
        services.lead_assign(lead=lead, salesperson=salesperson, by=manager, at=moment)
        [event] = [e for e in published if isinstance(e, hooks.LeadAssigned)]
        assert (event.lead.pk, event.salesperson, event.by, event.at) == (lead.pk, salesperson, manager, moment)

    def test_assigning_a_stale_instance_writes_only_the_assignment(self, salesperson):
        stale = LeadFactory(comment="")
        Lead.objects.filter(pk=stale.pk).update(comment="Prefers Telegram")
        services.lead_assign(lead=stale, salesperson=salesperson)
        stored = Lead.objects.get(pk=stale.pk)
        assert (stored.comment, stored.assigned_to) == ("Prefers Telegram", salesperson)

    def test_the_next_follow_up_deadline_is_noted_on_the_lead(self):
        lead = LeadFactory()
        due = timezone.now() + timedelta(hours=4)
        services.lead_note_next_followup(lead=lead, due_at=due)
        assert lead.next_followup_at == due and Lead.objects.get(pk=lead.pk).next_followup_at == due
        services.lead_note_next_followup(lead=lead, due_at=None)
        assert lead.next_followup_at is None and Lead.objects.get(pk=lead.pk).next_followup_at is None


class TestRotation:
    @pytest.fixture
    def trio(self):
        LeadFactory.create_batch(5)  # lead ids run ahead of user ids
        return [SalespersonFactory(), SalespersonFactory(), SalespersonFactory()]

    def assigned_lead(self, person, at):
        lead = LeadFactory()
        Lead.objects.filter(pk=lead.pk).update(assigned_to=person, assigned_at=at)
        return lead

    def first_of_rotation(self):
        return next(services.salesperson_rotation())

    def test_continues_after_whoever_got_the_latest_assignment(self, trio):
        now = timezone.now()
        self.assigned_lead(trio[0], now - timedelta(hours=2))
        self.assigned_lead(trio[1], now - timedelta(hours=1))
        rotation = services.salesperson_rotation()
        assert [next(rotation) for _ in range(4)] == [trio[2], trio[0], trio[1], trio[2]]

    def test_latest_means_by_assignment_time_not_by_lead(self, trio):
        now = timezone.now()
        older_lead = self.assigned_lead(trio[1], now)  # the latest assignment, on the older lead
        self.assigned_lead(trio[0], now - timedelta(hours=1))
        assert Lead.objects.filter(pk__gt=older_lead.pk, assigned_to=trio[0]).exists()
        assert self.first_of_rotation() == trio[2]

    def test_ties_in_time_go_to_the_later_lead(self, trio):
        now = timezone.now()
        self.assigned_lead(trio[1], now)
        self.assigned_lead(trio[0], now)  # same moment, later lead: trio[0] was last
        assert self.first_of_rotation() == trio[1]

    def test_assignments_to_people_no_longer_in_sales_do_not_move_the_turn(self, trio):
        now = timezone.now()
        self.assigned_lead(trio[0], now - timedelta(hours=1))
        gone = SalespersonFactory(is_active=False)
        self.assigned_lead(gone, now)
        assert self.first_of_rotation() == trio[1]

    def test_a_lead_assigned_without_a_time_does_not_move_the_turn(self, trio):
        now = timezone.now()
        self.assigned_lead(trio[0], now - timedelta(hours=1))
        self.assigned_lead(trio[1], None)  # PostgreSQL sorts NULL first in a descending order
        assert self.first_of_rotation() == trio[1]


class TestRefusalsNameTheirField:
    def test_a_bad_phone_is_refused_on_the_phone_field_with_the_text(self):
        with pytest.raises(ValidationError) as exc:
            services.lead_register_inquiry(phone="12-34", source="landing")
        assert exc.value.message_dict == {"phone": [INVALID_PHONE.format(raw="12-34")]}

    def test_an_unknown_source_is_refused_listing_the_known_ones(self):
        with pytest.raises(ValidationError) as exc:
            services.lead_register_inquiry(phone="901234567", source="fax")
        known = ", ".join(LeadSource.values)
        assert exc.value.message_dict == {"source": [services.UNKNOWN_SOURCE.format(value="fax", known=known)]}

    def test_a_new_lead_registered_with_a_salesperson_is_assigned_like_lead_assign_does(
        self, salesperson, manager, published
    ):
        moment = timezone.now() - timedelta(minutes=2)
        lead = services.lead_register_inquiry(
            phone="901234567", source="landing", assigned_to=salesperson, by=manager, at=moment
        ).lead
        stored = Lead.objects.get(pk=lead.pk)
        assert (stored.assigned_to, stored.assigned_at, stored.created_at) == (salesperson, moment, moment)
        [event] = [e for e in published if isinstance(e, hooks.LeadAssigned)]
        assert (event.salesperson, event.by, event.at) == (salesperson, manager, moment)
        assert LeadStatusChange.objects.get(lead=lead).changed_by == manager
