"""Trials, scheduling, analytics, marketing spend and lead imports through the
API: the same services as the admin, their refusals as 400s with field keys."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from analytics.models import MarketingSpend, SpendSource
from import_service.models import ImportLog, ImportStatus
from leads.models import Lead, LeadStatus
from scheduling.models import Enrollment, EnrollmentStatus
from tests.api.factories import api_client
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import CourseFactory, GroupFactory
from tests.trials.factories import book, group_meeting_on
from trials.models import Trial, TrialStatus

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parents[1] / "import_service" / "files"
SPEND = Path(__file__).resolve().parents[1] / "analytics" / "data" / "meta_ads_daily_report.csv"
TZ = datetime.timezone(datetime.timedelta(hours=5))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def next_week():
    return timezone.localdate() + datetime.timedelta(days=7)


# --- trials ---------------------------------------------------------------------------------


def test_booking_a_day_the_group_does_not_meet_is_a_400_on_date(sales_api, salesperson, next_week):
    group = group_meeting_on(next_week)
    lead = LeadFactory(assigned_to=salesperson)
    response = sales_api.post(
        "/api/v1/trials/",
        {"lead": lead.pk, "group": group.pk, "date": (next_week + datetime.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "date" in response.json()["fields"]
    assert not Trial.objects.exists()


def test_booking_refuses_a_full_lesson(sales_api, salesperson, next_week):
    group = group_meeting_on(next_week, capacity=1)
    book(lead=LeadFactory(assigned_to=salesperson), group=group, date=next_week, by=salesperson)
    lead = LeadFactory(assigned_to=salesperson)
    response = sales_api.post(
        "/api/v1/trials/", {"lead": lead.pk, "group": group.pk, "date": next_week.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert "group" in response.json()["fields"]


def test_reschedule_moves_the_trial_and_its_reminders(sales_api, salesperson, next_week):
    group = group_meeting_on(next_week)
    trial = book(lead=LeadFactory(assigned_to=salesperson), group=group, date=next_week, by=salesperson)
    later = next_week + datetime.timedelta(days=7)
    before = trial.reminder.pre_trial_reminder_scheduled_at
    response = sales_api.post(f"/api/v1/trials/{trial.pk}/reschedule/", {"date": later.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["scheduled_date"] == later.isoformat()
    reminder = response.json()["reminder"]
    assert datetime.datetime.fromisoformat(reminder["pre_trial_reminder_scheduled_at"]) == before + datetime.timedelta(
        days=7
    )
    assert reminder["pre_trial_reminder_sent"] is False


def test_no_show_after_the_start_sends_the_lead_back_to_interested(salesperson):
    day = datetime.date(2026, 12, 9)
    group = group_meeting_on(day)
    lead = LeadFactory(assigned_to=salesperson)
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=TZ), tick=False):
        trial = book(lead=lead, group=group, date=day, by=salesperson)
    with time_machine.travel(datetime.datetime(2026, 12, 9, 16, 30, tzinfo=TZ), tick=False):
        response = api_client(salesperson).post(f"/api/v1/trials/{trial.pk}/mark-no-show/")
    assert response.json()["status"] == "no_show"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.INTERESTED


def test_rejected_with_mark_lost_makes_the_lead_lost(salesperson):
    day = datetime.date(2026, 12, 9)
    group = group_meeting_on(day)
    lead = LeadFactory(assigned_to=salesperson)
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=TZ), tick=False):
        trial = book(lead=lead, group=group, date=day, by=salesperson)
    with time_machine.travel(datetime.datetime(2026, 12, 9, 18, 0, tzinfo=TZ), tick=False):
        client = api_client(salesperson)
        client.post(f"/api/v1/trials/{trial.pk}/mark-attended/")
        missing = client.post(
            f"/api/v1/trials/{trial.pk}/record-result/", {"result": "rejected", "mark_lost": True}, format="json"
        )
        assert missing.status_code == 400 and "lost_reason" in missing.json()["fields"]
        done = client.post(
            f"/api/v1/trials/{trial.pk}/record-result/",
            {"result": "rejected", "mark_lost": True, "lost_reason": "Schedule"},
            format="json",
        )
    assert done.json()["result"] == "rejected"
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "Schedule")


def test_cancelling_twice_is_a_400_not_a_500(sales_api, salesperson, next_week):
    trial = book(
        lead=LeadFactory(assigned_to=salesperson), group=group_meeting_on(next_week), date=next_week, by=salesperson
    )
    assert sales_api.post(f"/api/v1/trials/{trial.pk}/cancel/", {"reason": "ill"}, format="json").status_code == 200
    again = sales_api.post(f"/api/v1/trials/{trial.pk}/cancel/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["fields"] == {"non_field_errors": [again.json()["message"]]}
    trial.refresh_from_db()
    assert (trial.status, trial.cancel_reason) == (TrialStatus.CANCELLED, "ill")


def test_trial_filters(sales_api, salesperson, next_week):
    group = group_meeting_on(next_week)
    mine = book(lead=LeadFactory(assigned_to=salesperson), group=group, date=next_week, by=salesperson)
    rows = sales_api.get("/api/v1/trials/", {"status": "scheduled", "date_from": next_week.isoformat()}).json()
    assert [r["id"] for r in rows["results"]] == [mine.pk]
    assert sales_api.get("/api/v1/trials/", {"status": "cancelled"}).json()["results"] == []


# --- scheduling ---------------------------------------------------------------------------------


def test_groups_carry_their_load_from_the_selector(manager_api, manager, next_week):
    group = group_meeting_on(next_week, capacity=4)
    for _ in range(3):
        Enrollment.objects.create(group=group, lead=LeadFactory())
    book(lead=LeadFactory(), group=group, date=next_week, by=manager)
    row = manager_api.get(f"/api/v1/groups/{group.pk}/").json()
    assert (row["active_students"], row["held_seats"], row["free_slots"], row["occupancy_percent"], row["is_full"]) == (
        3,
        1,
        1,
        75,
        False,
    )
    assert manager_api.get("/api/v1/groups/", {"has_free_slots": "false"}).json()["results"] == []
    assert [g["id"] for g in manager_api.get("/api/v1/groups/", {"has_free_slots": "true"}).json()["results"]] == [
        group.pk
    ]


def test_lessons_over_a_range_count_trials_of_each_day(manager_api, manager, next_week):
    group = group_meeting_on(next_week, capacity=3)
    book(lead=LeadFactory(), group=group, date=next_week, by=manager)
    lessons = manager_api.get(
        f"/api/v1/groups/{group.pk}/lessons/",
        {"date_from": next_week.isoformat(), "date_to": (next_week + datetime.timedelta(days=13)).isoformat()},
    ).json()
    assert [(lesson["date"], lesson["trials"], lesson["free_places"]) for lesson in lessons] == [
        (next_week.isoformat(), 1, 2),
        ((next_week + datetime.timedelta(days=7)).isoformat(), 0, 3),
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-12-10", "date_to": "2026-12-01"},
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
        {"date_from": "x"},
    ],
)
def test_lessons_refuse_a_bad_range(manager_api, query):
    group = GroupFactory()
    response = manager_api.get(f"/api/v1/groups/{group.pk}/lessons/", query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_courses_use_the_seeds_field_names(teacher_api):
    course = CourseFactory(duration=9, frequency=2, capacity=10)
    row = teacher_api.get(f"/api/v1/courses/{course.pk}/").json()
    assert (row["duration"], row["frequency"], row["capacity"]) == (9, 2, 10)
    assert teacher_api.get("/api/v1/courses/", {"brief": 1}).json()["results"] == [
        {"id": course.pk, "name": course.name}
    ]


def test_manager_enrols_and_the_student_leaves(manager_api, next_week):
    group = group_meeting_on(next_week, capacity=1)
    lead, second = LeadFactory(), LeadFactory()
    made = manager_api.post("/api/v1/enrollments/", {"group": group.pk, "lead": lead.pk}, format="json")
    assert made.status_code == 201
    full = manager_api.post("/api/v1/enrollments/", {"group": group.pk, "lead": second.pk}, format="json")
    assert full.status_code == 400 and "group" in full.json()["fields"]
    left = manager_api.post(f"/api/v1/enrollments/{made.json()['id']}/leave/", {"note": "moved"}, format="json")
    assert left.json()["status"] == "left"
    assert Enrollment.objects.get().status == EnrollmentStatus.LEFT
    assert manager_api.post(f"/api/v1/enrollments/{made.json()['id']}/leave/", {}, format="json").status_code == 400


# --- analytics and marketing spend -------------------------------------------------------------------


def test_recording_spend_replaces_the_day_and_rolls_it_up(manager_api, manager, django_capture_on_commit_callbacks):
    body = {"date": "2026-11-20", "channel": "instagram", "impressions": 1000, "clicks": 50, "cost": "300000.00"}
    with django_capture_on_commit_callbacks(execute=True):
        first = manager_api.post("/api/v1/marketing-spend/", body, format="json")
        again = manager_api.post("/api/v1/marketing-spend/", {**body, "cost": "350000.00"}, format="json")
    assert first.status_code == again.status_code == 201
    spend = MarketingSpend.objects.get()
    assert (str(spend.cost), spend.entered_by, spend.source) == ("350000.00", manager, SpendSource.MANUAL)
    rollup = manager_api.get("/api/v1/analytics/marketing/", {"date_from": "2026-11-20", "channel": "instagram"}).json()
    assert rollup["results"][0]["cost_total"] == "350000.00"


def test_negative_spend_is_a_400(manager_api):
    response = manager_api.post(
        "/api/v1/marketing-spend/",
        {"date": "2026-11-20", "channel": "instagram", "impressions": -1, "clicks": 0, "cost": "1"},
        format="json",
    )
    assert response.status_code == 400 and "impressions" in response.json()["fields"]


def test_importing_an_ad_platform_export(manager_api):
    upload = SimpleUploadedFile("report.csv", SPEND.read_bytes(), content_type="text/csv")
    response = manager_api.post("/api/v1/marketing-spend/import/", {"file": upload, "channel": "instagram"})
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == MarketingSpend.objects.count() > 0
    broken = SimpleUploadedFile("report.csv", b"Day,Cost\nyesterday,1\n", content_type="text/csv")
    refused = manager_api.post("/api/v1/marketing-spend/import/", {"file": broken, "channel": "instagram"})
    assert refused.status_code == 400 and refused.json()["fields"]


# --- lead imports ----------------------------------------------------------------------------------------


def test_upload_previews_then_confirm_imports(manager_api, manager):
    upload = SimpleUploadedFile(
        "landing.csv", (FILES / "landing_dump_utf8_bom.csv").read_bytes(), content_type="text/csv"
    )
    preview = manager_api.post("/api/v1/imports/upload/", {"file": upload, "source": "landing"})
    assert preview.status_code == 201, preview.json()
    body = preview.json()
    assert body["dry_run"] is True and body["status"] == "completed" and body["total"] > 0
    assert body["total"] == body["created"] + body["duplicates"] + body["errors"]
    assert not Lead.objects.exists()
    confirmed = manager_api.post(f"/api/v1/imports/{body['id']}/confirm/")
    assert confirmed.status_code == 201, confirmed.json()
    run = confirmed.json()
    assert run["dry_run"] is False and run["status"] == ImportStatus.COMPLETED
    assert Lead.objects.count() == run["created"] == body["created"]
    assert manager_api.post(f"/api/v1/imports/{body['id']}/confirm/").json()["id"] == run["id"]
    assert manager_api.get(f"/api/v1/imports/{body['id']}/").json()["confirmed_import"] == run["id"]
    rows = manager_api.get(f"/api/v1/imports/{run['id']}/rows/").json()["results"]
    assert len(rows) == run["duplicates"] + run["errors"]
    assert [r["row_number"] for r in rows] == sorted(r["row_number"] for r in rows)
    errors = manager_api.get(f"/api/v1/imports/{run['id']}/rows/", {"outcome": "error"}).json()["results"]
    assert len(errors) == run["errors"]
    assert ImportLog.objects.filter(created_by=manager).count() == 2


def test_a_file_without_a_phone_column_or_of_the_wrong_type_is_a_400_on_file(manager_api):
    no_phone = SimpleUploadedFile("x.csv", (FILES / "no_phone_column.csv").read_bytes(), content_type="text/csv")
    response = manager_api.post("/api/v1/imports/upload/", {"file": no_phone})
    assert response.status_code == 400
    assert response.json()["fields"]
    wrong = manager_api.post("/api/v1/imports/upload/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert wrong.status_code == 400 and "file" in wrong.json()["fields"]
    bad_map = manager_api.post(
        "/api/v1/imports/upload/", {"file": SimpleUploadedFile("x.csv", b"Phone\n901234567\n"), "map": ["nonsense"]}
    )
    assert bad_map.status_code == 400 and "map" in bad_map.json()["fields"]
    assert not ImportLog.objects.exists()


def test_confirming_a_real_run_is_a_400(manager_api, manager):
    upload = SimpleUploadedFile("landing.csv", (FILES / "landing_dump_utf8_bom.csv").read_bytes())
    preview = manager_api.post("/api/v1/imports/upload/", {"file": upload}).json()
    run = manager_api.post(f"/api/v1/imports/{preview['id']}/confirm/").json()
    response = manager_api.post(f"/api/v1/imports/{run['id']}/confirm/")
    assert response.status_code == 400


def test_a_large_upload_answers_queued_and_cannot_be_confirmed_until_the_worker_previewed_it(
    manager_api, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD = 3
    upload = SimpleUploadedFile("landing.csv", (FILES / "landing_dump_utf8_bom.csv").read_bytes())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        preview = manager_api.post("/api/v1/imports/upload/", {"file": upload})
    body = preview.json()
    assert preview.status_code == 201
    assert (body["status"], body["estimated_rows"], body["total"]) == ("queued", 8, 0)
    assert manager_api.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 400
    for callback in callbacks:
        callback()  # the worker's preview (run inline here)
    done = manager_api.get(f"/api/v1/imports/{body['id']}/").json()
    assert (done["status"], done["total"], done["processed_rows"]) == ("completed", 7, 7)
    assert manager_api.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 201


def test_salespeople_cannot_import(sales_api):
    upload = SimpleUploadedFile("landing.csv", b"Phone\n901234567\n")
    assert sales_api.post("/api/v1/imports/upload/", {"file": upload}).status_code == 403
