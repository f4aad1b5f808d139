"""The data-contract renames (scheduling 0004, trials 0003) keep every stored value:
rows written under the old column names read back under the new ones, and the
generated ``*_sent`` booleans are computed for rows that existed before."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

JUST_BEFORE = [("scheduling", "0003_timetable_proxy"), ("trials", "0002_roles")]


def every_app_latest_but(before):
    """Every app at its latest migration, except those in ``before``."""
    apps = {app for app, _ in before}
    return [node for node in executor_leaf_nodes() if node[0] not in apps] + list(before)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(every_app_latest_but(JUST_BEFORE))
    yield apps
    migrate(executor_leaf_nodes())


def executor_leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_course_and_trial_reminder_values_survive_the_renames(old_apps):
    User = old_apps.get_model("accounts", "User")
    Course = old_apps.get_model("scheduling", "Course")
    Room = old_apps.get_model("scheduling", "Room")
    Group = old_apps.get_model("scheduling", "Group")
    Lead = old_apps.get_model("leads", "Lead")
    Trial = old_apps.get_model("trials", "Trial")
    TrialReminder = old_apps.get_model("trials", "TrialReminder")
    teacher = User.objects.create(username="t1")
    course = Course.objects.create(
        name="IELTS", teacher=teacher, price=600000, duration_months=4, lessons_per_week=3, default_capacity=14
    )
    room = Room.objects.create(name="101", capacity=16)
    group = Group.objects.create(
        course=course,
        name="IELTS A",
        days="mon_wed_fri",
        start_time=datetime.time(18),
        end_time=datetime.time(19, 30),
        room=room,
        capacity=14,
        teacher=teacher,
        start_date=datetime.date(2026, 11, 2),
    )
    lead = Lead.objects.create(phone="+998901234567", source="landing")
    pre_at = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC)
    sent_at = datetime.datetime(2026, 11, 27, 9, 0, 5, tzinfo=datetime.UTC)
    post_at = datetime.datetime(2026, 11, 27, 12, 33, tzinfo=datetime.UTC)
    trial = Trial.objects.create(
        lead=lead, group=group, scheduled_date=datetime.date(2026, 11, 27), scheduled_time=datetime.time(16)
    )
    TrialReminder.objects.create(
        trial=trial, pre_at=pre_at, pre_state="sent", pre_sent_at=sent_at, post_at=post_at, post_state="skipped"
    )

    new_apps = migrate(executor_leaf_nodes())

    course = new_apps.get_model("scheduling", "Course").objects.get(name="IELTS")
    assert (course.duration, course.frequency, course.capacity) == (4, 3, 14)
    reminder = new_apps.get_model("trials", "TrialReminder").objects.get(trial_id=trial.pk)
    assert (
        reminder.pre_trial_reminder_scheduled_at,
        reminder.pre_trial_reminder_status,
        reminder.pre_trial_reminder_sent_at,
        reminder.pre_trial_reminder_sent,
    ) == (pre_at, "sent", sent_at, True)
    assert (
        reminder.post_trial_reminder_scheduled_at,
        reminder.post_trial_reminder_status,
        reminder.post_trial_reminder_sent_at,
        reminder.post_trial_reminder_sent,
    ) == (post_at, "skipped", None, False)


def test_the_course_checks_hold_on_the_renamed_columns(old_apps):
    new_apps = migrate(executor_leaf_nodes())
    User = new_apps.get_model("accounts", "User")
    Course = new_apps.get_model("scheduling", "Course")
    teacher = User.objects.create(username="t2")
    for bad in ({"capacity": 0}, {"duration": 0}, {"frequency": 8}):
        values = {"duration": 6, "frequency": 3, "capacity": 12, **bad}
        with pytest.raises(IntegrityError), transaction.atomic():
            Course.objects.create(name=f"Bad {bad}", teacher=teacher, price=1, **values)
