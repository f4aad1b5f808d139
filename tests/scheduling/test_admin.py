"""Scheduling admin: smoke tests, flat query counts, forms calling the
services, the timetable and the free-room finder, and who sees what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import services
from scheduling.models import Enrollment, EnrollmentStatus, Group, RoomOccupancy
from tests.factories import TeacherFactory
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import CourseFactory, GroupFactory, RoomFactory

pytestmark = pytest.mark.django_db
T = datetime.time


def _make_rows(model: str, n: int, salesperson=None):
    """n more rows for ``model``'s changelist, with related rows varied."""
    for _i in range(n):
        room = RoomFactory(capacity=20)
        group = GroupFactory(room=room, capacity=10)
        if model in ("group", "enrollment"):
            lead = LeadFactory(assigned_to=salesperson) if salesperson else LeadFactory()
            services.enrollment_create(group=group, lead=lead)
    if model == "roomoccupancy":
        services.room_occupancy_refresh(days=3)


def _changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


ADMINS = ["course", "room", "group", "enrollment", "roomoccupancy"]


@pytest.mark.parametrize("model", ADMINS)
def test_changelist_queries_do_not_grow_with_rows(manager_client, model):
    url = reverse(f"admin:scheduling_{model}_changelist")
    _make_rows(model, 2)
    few = _changelist_queries(manager_client, url)
    _make_rows(model, 18)
    many = _changelist_queries(manager_client, url)
    assert many == few


@pytest.mark.parametrize("model", ADMINS)
def test_changelist_and_search(manager_client, model):
    _make_rows(model, 2)
    url = reverse(f"admin:scheduling_{model}_changelist")
    assert manager_client.get(url).status_code == 200
    assert manager_client.get(url, {"q": "1"}).status_code == 200


def test_change_and_add_pages(manager_client):
    group = GroupFactory()
    services.enrollment_create(group=group, lead=LeadFactory())
    services.room_occupancy_refresh(days=7)
    pages = [
        reverse("admin:scheduling_course_change", args=[group.course.pk]),
        reverse("admin:scheduling_room_change", args=[group.room.pk]),
        reverse("admin:scheduling_group_change", args=[group.pk]),
        reverse("admin:scheduling_enrollment_change", args=[Enrollment.objects.get().pk]),
        reverse("admin:scheduling_roomoccupancy_change", args=[RoomOccupancy.objects.first().pk]),
        reverse("admin:scheduling_course_add"),
        reverse("admin:scheduling_room_add"),
        reverse("admin:scheduling_group_add"),
        reverse("admin:scheduling_enrollment_add"),
    ]
    for url in pages:
        assert manager_client.get(url).status_code == 200, url


def test_group_changelist_shows_load_columns(manager_client):
    group = GroupFactory(name="IELTS Evening A", capacity=4)
    for _ in range(3):
        services.enrollment_create(group=group, lead=LeadFactory())
    GroupFactory(name="Empty group", capacity=4)
    response = manager_client.get(reverse("admin:scheduling_group_changelist"))
    html = response.content.decode()
    assert '<td class="field-student_count">3</td>' in html
    assert '<td class="field-free_slots_column">1</td>' in html
    assert '<span class="badge badge-orange">75 %</span>' in html
    assert '<span class="badge badge-green">0 %</span>' in html
    services.enrollment_create(group=group, lead=LeadFactory())
    html = manager_client.get(reverse("admin:scheduling_group_changelist")).content.decode()
    assert '<span class="badge badge-red">100 %</span>' in html


def test_group_changelist_filters(manager_client):
    full = GroupFactory(name="Full one", capacity=1)
    services.enrollment_create(group=full, lead=LeadFactory())
    open_group = GroupFactory(name="Open one", capacity=5, days="tue_thu")
    url = reverse("admin:scheduling_group_changelist")
    free = manager_client.get(url, {"free": "yes"})
    assert list(free.context["cl"].result_list) == [open_group]
    assert list(manager_client.get(url, {"free": "no"}).context["cl"].result_list) == [full]
    assert list(manager_client.get(url, {"days__exact": "tue_thu"}).context["cl"].result_list) == [open_group]
    by_room = manager_client.get(url, {"room__id__exact": full.room_id})
    assert list(by_room.context["cl"].result_list) == [full]


def _group_post(course, room, **extra):
    data = {
        "course": course.pk,
        "name": "Python A",
        "days": "mon_wed_fri",
        "start_time": "18:00",
        "end_time": "19:30",
        "room": room.pk,
        "capacity": "",
        "teacher": "",
        "start_date": "2026-09-01",
        "end_date": "",
        "enrollments-TOTAL_FORMS": "0",
        "enrollments-INITIAL_FORMS": "0",
        "enrollments-MIN_NUM_FORMS": "0",
        "enrollments-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_admin_add_group_uses_course_defaults(manager_client):
    course = CourseFactory(capacity=9)
    room = RoomFactory(capacity=15)
    response = manager_client.post(reverse("admin:scheduling_group_add"), _group_post(course, room))
    assert response.status_code == 302, response.context["adminform"].form.errors
    group = Group.objects.get()
    assert (group.capacity, group.teacher) == (9, course.teacher)


def test_admin_add_form_initial_from_course(manager_client):
    course = CourseFactory(capacity=7)
    response = manager_client.get(reverse("admin:scheduling_group_add"), {"course": course.pk})
    form = response.context["adminform"].form
    assert form.initial["capacity"] == 7 and form.initial["teacher"] == course.teacher_id


def test_admin_add_form_ignores_a_malformed_course_parameter(manager_client):
    response = manager_client.get(reverse("admin:scheduling_group_add"), {"course": "abc"})
    assert response.status_code == 200  # was a 500 (ValueError from the course look-up)
    assert "capacity" not in response.context["adminform"].form.initial


def test_admin_refuses_a_conflicting_group_with_the_service_message(manager_client):
    room = RoomFactory(name="101", capacity=20)
    existing = GroupFactory(
        name="IELTS Evening A",
        room=room,
        days="mon_wed_fri",
        start_time=T(18),
        end_time=T(19, 30),
        start_date=datetime.date(2026, 9, 1),
    )
    response = manager_client.post(
        reverse("admin:scheduling_group_add"), _group_post(CourseFactory(), room, days="odd")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["room"] == [
        services.ROOM_TAKEN.format(
            room="101", group="IELTS Evening A", schedule=existing.schedule_label, day="Mon 7 Sep 2026"
        )
    ]
    assert Group.objects.count() == 1


def test_admin_refuses_bad_times_and_capacity(manager_client):
    room = RoomFactory(name="202", capacity=8)
    response = manager_client.post(
        reverse("admin:scheduling_group_add"),
        _group_post(CourseFactory(), room, start_time="19:30", end_time="19:30", capacity="9"),
    )
    errors = response.context["adminform"].form.errors
    assert errors["end_time"] == [services.END_NOT_AFTER_START]
    assert errors["capacity"] == [services.CAPACITY_ABOVE_ROOM.format(capacity=9, room=room, room_capacity=8)]
    assert not Group.objects.exists()


def test_admin_enrol_refuses_full_group_and_duplicate(manager_client):
    group = GroupFactory(capacity=1, name="Tiny")
    lead = LeadFactory()
    url = reverse("admin:scheduling_enrollment_add")
    assert manager_client.post(url, {"group": group.pk, "lead": lead.pk, "note": ""}).status_code == 302
    again = manager_client.post(url, {"group": group.pk, "lead": lead.pk, "note": ""})
    assert again.context["adminform"].form.errors["lead"] == [services.ALREADY_ENROLLED.format(lead=lead, group=group)]
    other = LeadFactory()
    full = manager_client.post(url, {"group": group.pk, "lead": other.pk, "note": ""})
    assert full.context["adminform"].form.errors["group"] == [
        services.GROUP_FULL.format(group=group, taken=1, capacity=1)
    ]
    assert Enrollment.objects.count() == 1


def test_mark_left_action(manager_client):
    enrollment = services.enrollment_create(group=GroupFactory(), lead=LeadFactory())
    response = manager_client.post(
        reverse("admin:scheduling_enrollment_changelist"), {"action": "mark_left", "_selected_action": [enrollment.pk]}
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.LEFT


def test_salesperson_sees_only_enrollments_of_own_leads(sales_client, salesperson, other_salesperson):
    group = GroupFactory()
    mine = services.enrollment_create(group=group, lead=LeadFactory(assigned_to=salesperson))
    services.enrollment_create(group=group, lead=LeadFactory(assigned_to=other_salesperson))
    response = sales_client.get(reverse("admin:scheduling_enrollment_changelist"))
    assert list(response.context["cl"].result_list) == [mine]
    page = sales_client.get(reverse("admin:scheduling_group_change", args=[group.pk]))
    assert page.status_code == 200
    inline = next(f for f in page.context["inline_admin_formsets"])
    assert [f.original for f in inline] == [mine]


class TestTimetableViews:
    @pytest.fixture
    def week(self):
        room = RoomFactory(name="101", capacity=20)
        group = GroupFactory(
            name="IELTS Evening A",
            room=room,
            days="mon_wed_fri",
            start_time=T(18),
            end_time=T(19, 30),
            capacity=4,
            start_date=datetime.date(2026, 9, 1),
        )
        for _ in range(2):
            services.enrollment_create(group=group, lead=LeadFactory())
        return group

    def test_room_week_grid(self, manager_client, week):
        url = reverse("admin:scheduling_room_timetable")
        response = manager_client.get(url, {"room": week.room.pk, "week": "2026-12-02"})
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('data-group="IELTS Evening A"') == 3  # Mon 30 Nov, Wed 2, Fri 4 Dec
        assert 'class="tt-entry badge-orange"' in html  # 2 of 4 = 50%
        assert "Mon 30 Nov" in html and "2/4 · 50%" in html

    def test_a_mistyped_week_is_said_and_the_chosen_room_stays(self, manager_client, week):
        other = RoomFactory(name="001 first by name", capacity=8)
        url = reverse("admin:scheduling_room_timetable")
        response = manager_client.get(url, {"room": week.room.pk, "week": "31.02.2026"})
        assert response.status_code == 200
        assert response.context["subject"] == week.room != other
        html = response.content.decode()
        assert 'class="errornote"' in html and 'value="31.02.2026"' in html and 'aria-invalid="true"' in html

    def test_teacher_sees_own_timetable_by_default(self, client, week):
        client.force_login(week.teacher)
        response = client.get(reverse("admin:scheduling_room_timetable"), {"week": "2026-12-02"})
        assert response.status_code == 200
        assert response.context["subject"] == week.teacher
        assert 'data-group="IELTS Evening A"' in response.content.decode()

    def test_staff_without_permission_is_refused(self, client):
        from tests.factories import UserFactory

        client.force_login(UserFactory())
        assert client.get(reverse("admin:scheduling_room_timetable")).status_code == 403

    def test_timetable_queries_do_not_grow_with_groups(self, manager_client, week):
        url = reverse("admin:scheduling_room_timetable")
        params = {"room": week.room.pk, "week": "2026-12-02"}
        few = _changelist_queries(manager_client, f"{url}?room={week.room.pk}&week=2026-12-02")
        for hour in (8, 10, 12, 14):
            GroupFactory(
                room=week.room,
                start_time=T(hour),
                end_time=T(hour + 1),
                start_date=datetime.date(2026, 9, 1),
                teacher=TeacherFactory(),
            )
        many = _changelist_queries(manager_client, f"{url}?room={params['room']}&week=2026-12-02")
        assert many == few

    def test_free_room_finder(self, manager_client, week):
        RoomFactory(name="Lab 1", capacity=12)
        url = reverse("admin:scheduling_room_free_rooms")
        response = manager_client.get(
            url, {"days": "odd", "start_time": "18:30", "end_time": "20:00", "start_date": "2026-12-01"}
        )
        assert [r.name for r in response.context["results"]] == ["Lab 1"]
        assert "Rooms free for Odd days 18:30–20:00" in response.content.decode()
        bad = manager_client.get(url, {"days": "odd", "start_time": "20:00", "end_time": "18:00"})
        assert bad.context["results"] is None
        assert str(services.END_NOT_AFTER_START) in bad.content.decode()

    def test_links_from_changelists_and_index(self, manager_client):
        html = manager_client.get(reverse("admin:scheduling_group_changelist")).content.decode()
        assert reverse("admin:scheduling_room_timetable") in html
        assert reverse("admin:scheduling_room_free_rooms") in html
        index = manager_client.get(reverse("admin:index")).content.decode()
        assert reverse("admin:scheduling_timetable_changelist") in index
        redirect = manager_client.get(reverse("admin:scheduling_timetable_changelist"))
        assert redirect.status_code == 302 and redirect.url == reverse("admin:scheduling_room_timetable")


def test_sales_can_view_but_not_change_groups(sales_client):
    group = GroupFactory()
    assert sales_client.get(reverse("admin:scheduling_group_changelist")).status_code == 200
    assert sales_client.get(reverse("admin:scheduling_room_timetable")).status_code == 200
    assert sales_client.get(reverse("admin:scheduling_group_add")).status_code == 403
    response = sales_client.post(reverse("admin:scheduling_group_change", args=[group.pk]), {})
    assert response.status_code == 403


def test_course_and_room_lists_show_load_colours(manager_client):
    course = CourseFactory(name="IELTS")
    room = RoomFactory(name="101", capacity=20)
    group = GroupFactory(course=course, room=room, capacity=4, days="mon_wed_fri", start_date=datetime.date(2026, 1, 1))
    GroupFactory(
        course=course, capacity=4, start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 6, 1)
    )  # finished: not counted
    for _ in range(2):
        services.enrollment_create(group=group, lead=LeadFactory())
    html = manager_client.get(reverse("admin:scheduling_course_changelist")).content.decode()
    assert '<td class="field-students">2 / 4</td>' in html
    assert '<span class="badge badge-orange">50 %</span>' in html
    services.room_occupancy_refresh(days=7)
    html = manager_client.get(reverse("admin:scheduling_room_changelist")).content.decode()
    assert '<span class="badge badge-orange">50 %</span> 3 lessons' in html
    assert '<span class="badge badge-grey">no lessons</span>' in html  # the finished group's room
