import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from leads.models import LeadStatus
from scheduling.models import Enrollment
from scheduling.patterns import DayPattern
from scheduling.services import enrollment_create
from tests.leads.factories import LeadFactory
from tests.trials.factories import book, group_meeting_on
from trials import services
from trials.models import ReminderState, Trial, TrialReminder, TrialResult, TrialStatus

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=TZ)  # Thursday
FRIDAY = datetime.date(2026, 11, 27)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lead(salesperson):
    return LeadFactory(assigned_to=salesperson)


@pytest.fixture
def group():
    return group_meeting_on(FRIDAY, capacity=2)


class TestBook:
    def test_books_at_the_group_start_moves_the_lead_and_plans_reminders(self, lead, group, salesperson):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        assert (trial.status, trial.result, trial.booked_by) == ("scheduled", "pending", salesperson)
        assert trial.scheduled_time == datetime.time(16, 0)
        assert trial.starts_at == datetime.datetime(2026, 11, 27, 16, 0, tzinfo=TZ)
        lead.refresh_from_db()
        assert lead.status == LeadStatus.TRIAL_SCHEDULED
        assert lead.status_changes.last().to_status == LeadStatus.TRIAL_SCHEDULED
        reminder = trial.reminder
        assert reminder.pre_trial_reminder_scheduled_at == datetime.datetime(
            2026, 11, 27, 14, 0, tzinfo=TZ
        )  # 2 hours before
        assert reminder.post_trial_reminder_scheduled_at == datetime.datetime(
            2026, 11, 27, 17, 33, tzinfo=TZ
        )  # 3 min after the end
        assert (reminder.pre_trial_reminder_status, reminder.post_trial_reminder_status) == ("pending", "pending")

    def test_refuses_a_date_the_group_does_not_meet(self, lead, group, salesperson):
        with pytest.raises(ValidationError) as exc:
            book(lead=lead, group=group, date=FRIDAY + datetime.timedelta(days=1), by=salesperson)
        assert "does not meet on Sat 28 Nov 2026" in exc.value.messages[0]
        assert not Trial.objects.exists()
        lead.refresh_from_db()
        assert lead.status == LeadStatus.NEW

    def test_respects_odd_even_patterns(self, lead, salesperson):
        odd = group_meeting_on(FRIDAY, days=DayPattern.ODD)  # 27 is odd
        assert book(lead=lead, group=odd, date=FRIDAY, by=salesperson).pk
        with pytest.raises(ValidationError):
            services.trial_session_check(
                group=odd, date=FRIDAY + datetime.timedelta(days=1), time=odd.start_time, at=NOW
            )

    def test_refuses_before_the_group_starts_or_after_it_ends(self, lead, salesperson):
        later = group_meeting_on(FRIDAY, start_date=FRIDAY + datetime.timedelta(days=7))
        with pytest.raises(ValidationError) as exc:
            book(lead=lead, group=later, date=FRIDAY, by=salesperson)
        assert "is not running" in exc.value.messages[0]

    def test_refuses_a_lesson_that_is_over(self, lead, salesperson):
        today = group_meeting_on(NOW.date(), start=datetime.time(9, 0), end=datetime.time(10, 30))
        with pytest.raises(ValidationError) as exc:
            book(lead=lead, group=today, date=NOW.date(), by=salesperson)
        assert "already over" in exc.value.messages[0]

    def test_a_lesson_in_progress_can_still_take_a_walk_in(self, lead, salesperson):
        running = group_meeting_on(NOW.date(), start=datetime.time(14, 30), end=datetime.time(16, 0))
        trial = book(lead=lead, group=running, date=NOW.date(), by=salesperson)
        assert trial.is_overdue  # started: attendance can be recorded at once

    def test_counts_enrolled_students_and_trials_already_booked_for_that_lesson(self, group, salesperson):
        enrollment_create(group=group, lead=LeadFactory())
        book(lead=LeadFactory(), group=group, date=FRIDAY, by=salesperson)
        with pytest.raises(ValidationError) as exc:
            book(lead=LeadFactory(), group=group, date=FRIDAY, by=salesperson)
        assert exc.value.messages == [
            services.GROUP_FULL_ON.format(group=group, day="Fri 27 Nov 2026", taken=2, capacity=2)
        ]
        # a trial on another date does not take that lesson's place
        assert book(lead=LeadFactory(), group=group, date=FRIDAY + datetime.timedelta(days=7), by=salesperson)

    def test_cancelled_trials_free_their_place(self, group, salesperson):
        enrollment_create(group=group, lead=LeadFactory())
        trial = book(lead=LeadFactory(), group=group, date=FRIDAY, by=salesperson)
        services.trial_cancel(trial=trial, by=salesperson)
        assert book(lead=LeadFactory(), group=group, date=FRIDAY, by=salesperson)

    def test_a_lead_cannot_hold_two_scheduled_trials(self, lead, group, salesperson):
        first = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        other = group_meeting_on(FRIDAY, start=datetime.time(18, 0), end=datetime.time(19, 0))
        with pytest.raises(ValidationError) as exc:
            book(lead=lead, group=other, date=FRIDAY, by=salesperson)
        assert exc.value.messages == [services.LEAD_HAS_TRIAL.format(lead=lead, trial=first)]

    def test_lost_or_enrolled_leads_cannot_book(self, lead, group, salesperson):
        from leads.services import lead_mark_lost

        lead_mark_lost(lead=lead, reason="Moved away", by=salesperson)
        with pytest.raises(ValidationError) as exc:
            book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        assert exc.value.messages == [services.LEAD_CLOSED.format(lead=lead, status="lost")]

    def test_explicit_time_overrides_the_group_start(self, lead, group, salesperson):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson, time=datetime.time(16, 30))
        assert trial.reminder.pre_trial_reminder_scheduled_at == datetime.datetime(2026, 11, 27, 14, 30, tzinfo=TZ)
        assert trial.ends_at == datetime.datetime(2026, 11, 27, 17, 30, tzinfo=TZ)  # with its lesson

    @pytest.mark.parametrize("time", [datetime.time(15, 59), datetime.time(17, 30), datetime.time(19, 0)])
    def test_refuses_a_time_outside_the_lesson_and_says_so(self, lead, group, salesperson, time):
        with pytest.raises(ValidationError) as exc:
            book(lead=lead, group=group, date=FRIDAY, by=salesperson, time=time)
        assert exc.value.message_dict == {
            "time": [
                services.TIME_OUTSIDE_LESSON
                % {"time": f"{time:%H:%M}", "group": group, "start": "16:00", "end": "17:30"}
            ]
        }
        assert "17:30" in exc.value.messages[0] and "already over" not in exc.value.messages[0]
        assert not Trial.objects.exists()

    def test_a_running_lesson_is_not_called_over_for_a_time_before_its_start(self, lead, salesperson):
        running = group_meeting_on(NOW.date(), start=datetime.time(14, 30), end=datetime.time(16, 0))
        with pytest.raises(ValidationError) as exc:
            book(lead=lead, group=running, date=NOW.date(), by=salesperson, time=datetime.time(9, 0))
        assert "already over" not in exc.value.messages[0]
        assert "outside the lesson" in exc.value.messages[0]
        trial = book(lead=lead, group=running, date=NOW.date(), by=salesperson, time=datetime.time(15, 45))
        assert trial.ends_at == datetime.datetime(2026, 11, 26, 16, 0, tzinfo=TZ)

    def test_the_last_minute_of_the_lesson_is_still_inside_it(self, lead, group, salesperson):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson, time=datetime.time(17, 29))
        assert trial.duration == datetime.timedelta(minutes=1)


class TestAttendance:
    def test_attendance_only_after_the_start(self, lead, group, salesperson, pinned):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        with pytest.raises(ValidationError) as exc:
            services.trial_mark_attended(trial=trial, by=salesperson)
        assert "only after the start" in exc.value.messages[0]
        pinned.move_to(trial.starts_at + datetime.timedelta(minutes=5))
        services.trial_mark_attended(trial=trial, by=salesperson)
        assert trial.status == TrialStatus.ATTENDED
        lead.refresh_from_db()
        assert lead.status == LeadStatus.TRIAL_ATTENDED

    def test_no_show_sends_the_lead_back_to_interested(self, lead, group, salesperson, pinned):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        pinned.move_to(trial.starts_at + HOUR)
        services.trial_mark_no_show(trial=trial, by=salesperson)
        assert trial.status == TrialStatus.NO_SHOW
        lead.refresh_from_db()
        assert lead.status == LeadStatus.INTERESTED
        with pytest.raises(ValidationError):
            services.trial_mark_attended(trial=trial, by=salesperson)

    def test_overdue_today_and_hours_until(self, lead, group, salesperson, pinned):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        assert trial.hours_until_trial == 25.0
        assert not trial.is_overdue and not trial.is_upcoming_today
        pinned.move_to(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
        assert trial.is_upcoming_today and trial.hours_until_trial == 7.0
        pinned.move_to(datetime.datetime(2026, 11, 27, 16, 30, tzinfo=TZ))
        assert trial.is_overdue and not trial.is_upcoming_today and trial.hours_until_trial == -0.5


@pytest.fixture
def attended(lead, group, salesperson, pinned):
    trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
    pinned.move_to(trial.starts_at + 2 * HOUR)
    return services.trial_mark_attended(trial=trial, by=salesperson)


class TestResult:
    def test_offer_then_accepted_enrols_the_lead(self, attended, lead, salesperson):
        services.trial_record_result(trial=attended, result=TrialResult.SALES_OFFER, by=salesperson)
        assert attended.result == TrialResult.SALES_OFFER
        services.trial_record_result(trial=attended, result=TrialResult.ACCEPTED, by=salesperson)
        lead.refresh_from_db()
        assert lead.status == LeadStatus.ENROLLED
        enrollment = Enrollment.objects.get(lead=lead)
        assert (enrollment.group, enrollment.status, enrollment.enrolled_by) == (attended.group, "active", salesperson)
        with pytest.raises(ValidationError) as exc:
            services.trial_record_result(trial=attended, result=TrialResult.REJECTED, by=salesperson)
        assert exc.value.messages == [services.RESULT_FINAL.format(result="accepted")]

    def test_accepted_into_a_full_group_is_refused_and_nothing_changes(self, attended, lead, salesperson, group):
        enrollment_create(group=group, lead=LeadFactory())
        enrollment_create(group=group, lead=LeadFactory())
        with pytest.raises(ValidationError):
            services.trial_record_result(trial=attended, result=TrialResult.ACCEPTED, by=salesperson)
        attended.refresh_from_db()
        lead.refresh_from_db()
        assert attended.result == TrialResult.PENDING and lead.status == LeadStatus.TRIAL_ATTENDED

    def test_rejected_can_mark_the_lead_lost_with_a_reason(self, attended, lead, salesperson):
        with pytest.raises(ValidationError) as exc:
            services.trial_record_result(trial=attended, result="rejected", by=salesperson, mark_lost=True)
        assert exc.value.messages == [services.LOST_REASON_REQUIRED]
        services.trial_record_result(
            trial=attended, result="rejected", by=salesperson, mark_lost=True, lost_reason="Too expensive"
        )
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "Too expensive")

    def test_rejected_without_lost_keeps_the_lead(self, attended, lead, salesperson):
        services.trial_record_result(trial=attended, result="rejected", by=salesperson)
        lead.refresh_from_db()
        assert lead.status == LeadStatus.TRIAL_ATTENDED

    def test_result_needs_an_attended_trial(self, lead, group, salesperson):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        with pytest.raises(ValidationError) as exc:
            services.trial_record_result(trial=trial, result="sales_offer", by=salesperson)
        assert exc.value.messages == [services.NOT_ATTENDED.format(status="scheduled")]

    def test_unknown_result_is_refused(self, attended, salesperson):
        with pytest.raises(ValidationError):
            services.trial_record_result(trial=attended, result="maybe", by=salesperson)


class TestCancelAndReschedule:
    def test_cancel_drops_the_reminders_and_returns_the_lead_to_interested(self, lead, group, salesperson):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        services.trial_cancel(trial=trial, by=salesperson, reason="Sick")
        assert trial.status == TrialStatus.CANCELLED and trial.cancel_reason == "Sick"
        assert not TrialReminder.objects.exists()
        lead.refresh_from_db()
        assert lead.status == LeadStatus.INTERESTED
        with pytest.raises(ValidationError):
            services.trial_cancel(trial=trial, by=salesperson)
        # and can be booked again
        assert book(lead=lead, group=group, date=FRIDAY, by=salesperson)

    def test_a_lead_marked_lost_gives_up_its_scheduled_trial(self, lead, group, salesperson):
        from leads.services import lead_mark_lost

        enrollment_create(group=group, lead=LeadFactory())  # one place left: the trial takes it
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        lead_mark_lost(lead=lead, reason="Chose another centre", by=salesperson)
        trial.refresh_from_db()
        assert trial.status == TrialStatus.CANCELLED
        assert trial.cancel_reason == "Lead lost: Chose another centre"
        assert not TrialReminder.objects.filter(trial=trial).exists()  # nothing sent to a lost lead
        lead.refresh_from_db()
        assert lead.status == LeadStatus.LOST  # not moved back to "interested" by the cancellation
        assert book(lead=LeadFactory(), group=group, date=FRIDAY, by=salesperson)  # the place is free again

    def test_reschedule_moves_the_reminders_and_resets_their_state(self, lead, group, salesperson):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        TrialReminder.objects.filter(trial=trial).update(pre_trial_reminder_status=ReminderState.SENT)
        next_friday = FRIDAY + datetime.timedelta(days=7)
        services.trial_reschedule(trial=trial, date=next_friday, by=salesperson)
        assert trial.scheduled_date == next_friday
        reminder = TrialReminder.objects.get(trial=trial)
        assert reminder.pre_trial_reminder_scheduled_at == datetime.datetime(2026, 12, 4, 14, 0, tzinfo=TZ)
        assert reminder.pre_trial_reminder_status == ReminderState.PENDING
        lead.refresh_from_db()
        assert lead.status == LeadStatus.TRIAL_SCHEDULED

    def test_reschedule_within_a_full_lesson_keeps_its_own_place(self, lead, group, salesperson):
        enrollment_create(group=group, lead=LeadFactory())
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        services.trial_reschedule(trial=trial, date=FRIDAY, time=datetime.time(16, 15), by=salesperson)
        assert trial.scheduled_time == datetime.time(16, 15)

    def test_reschedule_into_another_group_checks_that_group(self, lead, group, salesperson):
        trial = book(lead=lead, group=group, date=FRIDAY, by=salesperson)
        other = group_meeting_on(FRIDAY, start=datetime.time(18, 0), end=datetime.time(19, 0))
        services.trial_reschedule(trial=trial, date=FRIDAY, group=other, by=salesperson)
        assert (trial.group, trial.scheduled_time) == (other, datetime.time(18, 0))
        with pytest.raises(ValidationError):
            services.trial_reschedule(trial=trial, date=FRIDAY + datetime.timedelta(days=1), by=salesperson)
