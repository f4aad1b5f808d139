"""Enrolling and leaving; capacity; load figures without per-row queries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from scheduling import selectors, services
from scheduling.models import Enrollment, EnrollmentStatus, Group, LoadNotAnnotated
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import GroupFactory, ensure_role_groups

pytestmark = pytest.mark.django_db


def test_enrol_and_leave_keeps_history(manager):
    group = GroupFactory(capacity=3)
    lead = LeadFactory()
    enrollment = services.enrollment_create(group=group, lead=lead, by=manager)
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.enrolled_by == manager
    left = services.enrollment_leave(enrollment=enrollment, by=manager)
    assert left.status == EnrollmentStatus.LEFT and left.left_at is not None
    # A lead who left may come back: a new row, the old one stays.
    again = services.enrollment_create(group=group, lead=lead)
    assert Enrollment.objects.filter(group=group, lead=lead).count() == 2
    assert again.pk != enrollment.pk


def test_enrolling_into_a_full_group_is_refused_and_writes_nothing():
    group = GroupFactory(capacity=2, name="Kids Stars")
    for _ in range(2):
        services.enrollment_create(group=group, lead=LeadFactory())
    with pytest.raises(ValidationError) as exc:
        services.enrollment_create(group=group, lead=LeadFactory())
    assert exc.value.message_dict["group"] == [services.GROUP_FULL.format(group=group, taken=2, capacity=2)]
    assert Enrollment.objects.filter(group=group).count() == 2


def test_a_student_who_left_frees_the_place():
    group = GroupFactory(capacity=1)
    first = services.enrollment_create(group=group, lead=LeadFactory())
    with pytest.raises(ValidationError):  # full while the first student is active
        services.enrollment_create(group=group, lead=LeadFactory())
    services.enrollment_leave(enrollment=first)
    second = services.enrollment_create(group=group, lead=LeadFactory())
    assert second.status == EnrollmentStatus.ACTIVE
    assert list(group.enrollments.filter(status=EnrollmentStatus.ACTIVE)) == [second]


def test_enrolling_the_same_lead_twice_is_refused():
    group = GroupFactory()
    lead = LeadFactory()
    services.enrollment_create(group=group, lead=lead)
    with pytest.raises(ValidationError) as exc:
        services.enrollment_create(group=group, lead=lead)
    assert exc.value.message_dict["lead"] == [services.ALREADY_ENROLLED.format(lead=lead, group=group)]
    assert Enrollment.objects.count() == 1


def test_database_refuses_a_second_active_enrollment():
    group = GroupFactory()
    lead = LeadFactory()
    Enrollment.objects.create(group=group, lead=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(group=group, lead=lead)


def test_enrolling_into_an_ended_group_is_refused():
    group = GroupFactory(start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 6, 30))
    with pytest.raises(ValidationError) as exc:
        services.enrollment_create(group=group, lead=LeadFactory())
    assert "ended on 2025-06-30" in exc.value.message_dict["group"][0]


def test_leaving_twice_is_refused():
    enrollment = services.enrollment_create(group=GroupFactory(), lead=LeadFactory())
    services.enrollment_leave(enrollment=enrollment)
    with pytest.raises(ValidationError):
        services.enrollment_leave(enrollment=enrollment)


def test_load_properties_from_annotations_without_queries(django_assert_num_queries):
    group = GroupFactory(capacity=4)
    for _ in range(3):
        services.enrollment_create(group=group, lead=LeadFactory())
    left = services.enrollment_create(group=group, lead=LeadFactory())
    services.enrollment_leave(enrollment=left)
    GroupFactory(capacity=2)
    with django_assert_num_queries(1):
        rows = {g.pk: g for g in selectors.groups_with_load()}
        loaded = rows[group.pk]
        assert (loaded.active_students, loaded.free_slots, loaded.occupancy_percent, loaded.is_full) == (
            3,
            1,
            75,
            False,
        )
        assert loaded.held_seats == 0
    # Without the annotation a property refuses rather than quietly query.
    plain = Group.objects.get(pk=group.pk)
    with django_assert_num_queries(0), pytest.raises(LoadNotAnnotated, match="groups_with_load"):
        plain.free_slots  # noqa: B018 - the property access is the test


def test_free_places_on_a_date_count_active_students():
    group = GroupFactory(capacity=2)
    today = timezone.localdate()
    assert selectors.group_free_places_on(group=group, date=today) == 2
    services.enrollment_create(group=group, lead=LeadFactory())
    assert selectors.group_free_places_on(group=group, date=today) == 1
    assert selectors.group_has_free_place(group=group, date=today)
    services.enrollment_create(group=group, lead=LeadFactory())
    assert not selectors.group_has_free_place(group=group, date=today)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrollments_never_overfill_a_group():
    import threading

    from django.db import connection

    ensure_role_groups()
    group = GroupFactory(capacity=3)
    leads = [LeadFactory() for _ in range(6)]
    barrier = threading.Barrier(len(leads))
    outcomes = []

    def worker(lead):
        try:
            barrier.wait()
            services.enrollment_create(group=group, lead=lead)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(lead,)) for lead in leads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 3
    assert Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_enrollment_makes_one_row():
    import threading

    from django.db import connection

    ensure_role_groups()
    group = GroupFactory(capacity=10)
    lead = LeadFactory()
    barrier = threading.Barrier(3)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            services.enrollment_create(group=group, lead=lead)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused"]
    assert Enrollment.objects.filter(group=group, lead=lead).count() == 1
