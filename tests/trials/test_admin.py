import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import LeadStatus
from scheduling.models import Enrollment
from scheduling.services import enrollment_create
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.trials.factories import book, group_meeting_on
from trials import services
from trials.models import ReminderState, Trial, TrialReminder, TrialStatus

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=TZ)  # Thursday
FRIDAY = datetime.date(2026, 11, 27)
CHANGELIST = reverse("admin:trials_trial_changelist")


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_trials(n, group=None, by=None):
    by = by or SalespersonFactory()
    group = group or group_meeting_on(FRIDAY, capacity=40)
    return [book(lead=LeadFactory(assigned_to=by), group=group, date=FRIDAY, by=by) for _ in range(n)]


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


class TestChangelist:
    def test_badges_start_in_words_and_flags(self, manager_client, pinned):
        [trial] = make_trials(1)
        html = manager_client.get(CHANGELIST).content.decode()
        assert '<span class="badge badge-blue">Scheduled</span>' in html
        assert '<span class="badge badge-grey">Pending</span>' in html
        assert "in 1 d 1 h" in html and "+25.0 h" not in html
        pinned.move_to(datetime.datetime(2026, 11, 27, 16, 25, tzinfo=TZ))
        assert "started 25 min ago" in manager_client.get(CHANGELIST).content.decode()
        pinned.move_to(datetime.datetime(2026, 11, 27, 10, 0, tzinfo=TZ))
        assert '<span class="badge badge-teal">Today</span>' in manager_client.get(CHANGELIST).content.decode()
        pinned.move_to(datetime.datetime(2026, 11, 27, 16, 5, tzinfo=TZ))
        services.trial_mark_no_show(trial=trial, by=None)
        assert '<span class="badge badge-red">No-show</span>' in manager_client.get(CHANGELIST).content.decode()

    def test_overdue_attendance_is_flagged(self, manager_client, pinned):
        make_trials(1)
        pinned.move_to(datetime.datetime(2026, 11, 27, 16, 30, tzinfo=TZ))
        assert '<span class="badge badge-red">Attendance due</span>' in manager_client.get(CHANGELIST).content.decode()

    def test_query_count_does_not_grow_with_rows(self, manager_client):
        make_trials(2)
        few = queries(manager_client, CHANGELIST)
        make_trials(20)
        assert queries(manager_client, CHANGELIST) == few

    def test_search_filters_and_change_page(self, manager_client):
        trial = make_trials(1)[0]
        lead = trial.lead
        assert lead.full_name in manager_client.get(CHANGELIST, {"q": lead.full_name}).content.decode()
        for params in (
            {"status__exact": "scheduled"},
            {"result__exact": "pending"},
            {"when": "tomorrow"},
            {"group__id__exact": trial.group_id},  # a link from the group still filters
            {"group__course__id__exact": trial.group.course_id},
            {"salesperson": lead.assigned_to_id},
        ):
            assert lead.full_name in manager_client.get(CHANGELIST, params).content.decode(), params
        assert lead.full_name not in manager_client.get(CHANGELIST, {"when": "today"}).content.decode()
        page = manager_client.get(reverse("admin:trials_trial_change", args=[trial.pk])).content.decode()
        assert "Reschedule" in page and "Cancel trial" in page and "Mark attended" not in page  # not started

    def test_change_page_shows_the_reminders_with_their_sent_flags(self, manager_client):
        trial = make_trials(1)[0]
        TrialReminder.objects.filter(trial=trial).update(pre_trial_reminder_status=ReminderState.SENT)
        page = manager_client.get(reverse("admin:trials_trial_change", args=[trial.pk])).content.decode()
        assert "Pre-trial reminder scheduled at" in page and "Post-trial reminder sent" in page
        assert page.count('<span class="badge badge-green">Sent</span>') == 1  # pre sent, post pending
        assert page.count('<span class="badge badge-blue">Pending</span>') == 1
        assert page.count('alt="True"') == 1 and page.count('alt="False"') == 1  # the generated booleans


class TestRowLevelAccess:
    def test_salesperson_sees_only_own_leads_trials(self, sales_client, salesperson, other_salesperson):
        mine = make_trials(1, by=salesperson)[0]
        theirs = make_trials(1, by=other_salesperson)[0]
        html = sales_client.get(CHANGELIST).content.decode()
        assert mine.lead.full_name in html and theirs.lead.full_name not in html
        assert sales_client.get(reverse("admin:trials_trial_change", args=[theirs.pk])).status_code == 302
        response = sales_client.post(reverse("admin:trials_trial_attended", args=[theirs.pk]))
        assert response.status_code == 403


class TestTrialPages:
    def test_attended_then_offer_then_accepted(self, sales_client, salesperson, pinned):
        trial = make_trials(1, by=salesperson)[0]
        pinned.move_to(datetime.datetime(2026, 11, 27, 16, 10, tzinfo=TZ))
        change = reverse("admin:trials_trial_change", args=[trial.pk])
        assert "Mark attended" in sales_client.get(change).content.decode()
        asked = sales_client.get(reverse("admin:trials_trial_attended", args=[trial.pk]))
        assert asked.status_code == 200 and "cannot be undone" in asked.content.decode()
        trial.refresh_from_db()
        assert trial.status == TrialStatus.SCHEDULED  # the button only asks
        sales_client.post(reverse("admin:trials_trial_attended", args=[trial.pk]))
        trial.refresh_from_db()
        assert trial.status == TrialStatus.ATTENDED
        result_url = reverse("admin:trials_trial_result", args=[trial.pk])
        sales_client.post(result_url, {"result": "sales_offer"})
        sales_client.post(result_url, {"result": "accepted"})
        trial.refresh_from_db()
        trial.lead.refresh_from_db()
        assert trial.result == "accepted" and trial.lead.status == LeadStatus.ENROLLED
        assert Enrollment.objects.filter(lead=trial.lead, group=trial.group).exists()

    def test_attended_before_the_start_shows_the_rule(self, sales_client, salesperson):
        trial = make_trials(1, by=salesperson)[0]
        response = sales_client.post(reverse("admin:trials_trial_attended", args=[trial.pk]), follow=True)
        assert "attendance can be recorded only after the start" in response.content.decode()
        trial.refresh_from_db()
        assert trial.status == TrialStatus.SCHEDULED

    def test_rejected_lost_needs_a_reason(self, sales_client, salesperson, pinned):
        trial = make_trials(1, by=salesperson)[0]
        pinned.move_to(datetime.datetime(2026, 11, 27, 17, 0, tzinfo=TZ))
        services.trial_mark_attended(trial=trial, by=salesperson)
        url = reverse("admin:trials_trial_result", args=[trial.pk])
        page = sales_client.post(url, {"result": "rejected", "mark_lost": "on"}).content.decode()
        assert str(services.LOST_REASON_REQUIRED) in page
        sales_client.post(url, {"result": "rejected", "mark_lost": "on", "lost_reason": "Too far"})
        trial.lead.refresh_from_db()
        assert trial.lead.status == LeadStatus.LOST

    def test_reschedule_offers_only_fitting_lessons_and_moves_the_trial(self, sales_client, salesperson):
        trial = make_trials(1, by=salesperson)[0]
        url = reverse("admin:trials_trial_reschedule", args=[trial.pk])
        form = sales_client.get(url).context["form"]
        values = [v for v, _ in form.fields["session"].choices if v]
        assert f"{trial.group_id}:2026-12-04" in values
        assert all(datetime.date.fromisoformat(v.split(":")[1]).weekday() == 4 for v in values)
        sales_client.post(url, {"session": f"{trial.group_id}:2026-12-04"})
        trial.refresh_from_db()
        assert trial.scheduled_date == datetime.date(2026, 12, 4)

    def test_cancel_page(self, sales_client, salesperson):
        trial = make_trials(1, by=salesperson)[0]
        sales_client.post(reverse("admin:trials_trial_cancel", args=[trial.pk]), {"reason": "Ill"})
        trial.refresh_from_db()
        assert (trial.status, trial.cancel_reason) == (TrialStatus.CANCELLED, "Ill")


class TestActions:
    def test_mark_attended_and_record_result_actions(self, manager_client, pinned):
        trials = make_trials(2)
        ids = [t.pk for t in trials]
        pinned.move_to(datetime.datetime(2026, 11, 27, 16, 10, tzinfo=TZ))
        asked = manager_client.post(CHANGELIST, {"action": "mark_attended", "_selected_action": ids})
        assert "cannot be undone" in asked.content.decode() and str(trials[0]) in asked.content.decode()
        assert set(Trial.objects.values_list("status", flat=True)) == {TrialStatus.SCHEDULED}  # only asked
        manager_client.post(CHANGELIST, {"action": "mark_attended", "_selected_action": ids, "apply": "1"})
        assert set(Trial.objects.values_list("status", flat=True)) == {TrialStatus.ATTENDED}
        form_page = manager_client.post(CHANGELIST, {"action": "record_result", "_selected_action": ids})
        assert "Record result" in form_page.content.decode()
        manager_client.post(
            CHANGELIST, {"action": "record_result", "_selected_action": ids, "apply": "1", "result": "sales_offer"}
        )
        assert set(Trial.objects.values_list("result", flat=True)) == {"sales_offer"}

    def test_no_show_action_refuses_before_the_start(self, manager_client):
        trials = make_trials(1)
        response = manager_client.post(
            CHANGELIST, {"action": "mark_no_show", "_selected_action": [trials[0].pk], "apply": "1"}, follow=True
        )
        assert "only after the start" in response.content.decode()

    def test_no_show_action_asks_first(self, manager_client, pinned):
        trials = make_trials(1)
        pinned.move_to(datetime.datetime(2026, 11, 27, 16, 10, tzinfo=TZ))
        asked = manager_client.post(CHANGELIST, {"action": "mark_no_show", "_selected_action": [trials[0].pk]})
        assert asked.status_code == 200 and "Mark no-show" in asked.content.decode()
        trials[0].refresh_from_db()
        assert trials[0].status == TrialStatus.SCHEDULED


class TestBookTrialFromLeadPage:
    def test_offers_only_lessons_that_meet_and_have_a_free_place(self, sales_client, salesperson):
        lead = LeadFactory(assigned_to=salesperson, course_interest="IELTS")
        fits = group_meeting_on(FRIDAY, name="IELTS Friday", capacity=1)
        full = group_meeting_on(FRIDAY, name="Full Friday", capacity=1)
        enrollment_create(group=full, lead=LeadFactory())
        url = reverse("admin:leads_lead_book_trial", args=[lead.pk])
        change = sales_client.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
        assert url in change
        choices = dict(sales_client.get(url).context["form"].fields["session"].choices)
        assert f"{fits.pk}:2026-11-27" in choices and "1 free place" in choices[f"{fits.pk}:2026-11-27"]
        assert not any(v.startswith(f"{full.pk}:") for v in choices)
        response = sales_client.post(url, {"session": f"{fits.pk}:2026-11-27", "notes": "Prefers evenings"})
        assert response.status_code == 302
        trial = Trial.objects.get(lead=lead)
        assert (trial.group, trial.scheduled_date, trial.notes, trial.booked_by) == (
            fits,
            FRIDAY,
            "Prefers evenings",
            salesperson,
        )
        # the place is now taken by the trial: another lead is not offered that lesson
        other = LeadFactory(assigned_to=salesperson)
        choices = dict(
            sales_client.get(reverse("admin:leads_lead_book_trial", args=[other.pk]))
            .context["form"]
            .fields["session"]
            .choices
        )
        assert f"{fits.pk}:2026-11-27" not in choices and f"{fits.pk}:2026-12-04" in choices

    def test_tampered_session_is_refused(self, sales_client, salesperson):
        lead = LeadFactory(assigned_to=salesperson)
        group = group_meeting_on(FRIDAY)
        page = sales_client.post(
            reverse("admin:leads_lead_book_trial", args=[lead.pk]), {"session": f"{group.pk}:2026-11-28"}
        ).content.decode()
        assert "Select a valid choice" in page
        assert not Trial.objects.exists()

    def test_salesperson_cannot_book_for_someone_elses_lead(self, sales_client, other_salesperson):
        lead = LeadFactory(assigned_to=other_salesperson)
        group = group_meeting_on(FRIDAY)
        response = sales_client.post(
            reverse("admin:leads_lead_book_trial", args=[lead.pk]), {"session": f"{group.pk}:2026-11-27"}
        )
        assert (response.status_code, response.url) == (302, "/admin/")  # as the lead's change page answers
        assert not Trial.objects.exists()
