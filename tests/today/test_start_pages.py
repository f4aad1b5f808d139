"""The admin index is the day of whoever logs in (today.selectors, today.views)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Lead, LeadSource, LeadStatus
from reminders.models import LeadReminder, LeadReminderKind, LeadReminderStatus
from tests.analytics.factories import LeadMetricsFactory
from tests.factories import SalespersonFactory, SuperuserFactory, TeacherFactory, UserFactory
from tests.leads.factories import LeadFactory
from tests.reminders.factories import LeadReminderFactory
from tests.trials.factories import book, group_meeting_on
from today import selectors
from today.views import _lesson_state, telegram_href, whatsapp_href
from trials import services as trial_services

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
NOW = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=TZ)  # a Wednesday
TODAY = NOW.date()
INDEX = reverse("admin:index")


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def followup(salesperson, *, due, name="Lead", kind=LeadReminderKind.FOLLOW_UP, **lead):
    lead = LeadFactory(full_name=name, assigned_to=None, **lead)
    return LeadReminderFactory(lead=lead, salesperson=salesperson, due_at=due, next_notify_at=due, kind=kind)


def trial_today(salesperson, *, start=datetime.time(9, 0), end=datetime.time(10, 30), name="Trial lead", group=None):
    """A trial in today's lesson, booked yesterday (so a lesson that has already started can be booked)."""
    group = group or group_meeting_on(TODAY, start=start, end=end, capacity=40)
    lead = LeadFactory(full_name=name, assigned_to=salesperson)
    return book(lead=lead, group=group, date=TODAY, by=salesperson, at=NOW - datetime.timedelta(days=1))


def new_lead(salesperson, *, name="New lead", age=datetime.timedelta(hours=3)):
    """A new lead assigned days ago whose first-contact deadline is not today: no open reminder."""
    lead = LeadFactory(full_name=name, assigned_to=None, created_at=NOW - age)
    Lead.objects.filter(pk=lead.pk).update(assigned_to=salesperson)
    return lead


def html_of(client):
    response = client.get(INDEX)
    assert response.status_code == 200
    return response.content.decode()


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(INDEX).status_code == 200
    return len(ctx.captured_queries)


# --- which page ------------------------------------------------------------------------


def test_each_role_gets_its_own_start_page(salesperson, manager, teacher):
    assert selectors.start_page_role(salesperson) == selectors.SALESPERSON
    assert selectors.start_page_role(manager) == selectors.MANAGER
    assert selectors.start_page_role(teacher) == selectors.TEACHER
    assert selectors.start_page_role(SuperuserFactory()) == selectors.MANAGER


# --- the salesperson's day ------------------------------------------------------------


def test_salesperson_sections_hold_own_work_in_the_order_it_is_done(salesperson, other_salesperson):
    old = followup(salesperson, due=NOW - datetime.timedelta(days=2), name="Oldest overdue")
    recent = followup(salesperson, due=NOW - datetime.timedelta(minutes=5), name="Recent overdue")
    later = followup(salesperson, due=NOW + datetime.timedelta(hours=5), name="Later today")
    soon = followup(salesperson, due=NOW + datetime.timedelta(minutes=30), name="Soon today")
    followup(salesperson, due=NOW + datetime.timedelta(days=1), name="Tomorrow")
    followup(other_salesperson, due=NOW - datetime.timedelta(days=3), name="Not mine")
    trial = trial_today(salesperson)
    waiting = new_lead(salesperson, name="Waiting", age=datetime.timedelta(days=1))
    fresher = new_lead(salesperson, name="Fresher")

    day = selectors.salesperson_day(user=salesperson)

    assert [r.pk for r in day.overdue.rows] == [old.pk, recent.pk]
    assert [r.pk for r in day.due_today.rows] == [soon.pk, later.pk]
    assert [t.pk for t in day.trials.rows] == [trial.pk]
    # Leads with a deadline today are listed once, above; "Tomorrow" is new and due
    # only tomorrow, so it is here; the trial lead is no longer new.
    names = [lead.full_name for lead in day.new_leads.rows]
    assert names == [waiting.full_name, fresher.full_name, "Tomorrow"]
    assert (day.overdue.total, day.due_today.total, day.trials.total, day.new_leads.total) == (2, 2, 1, 3)


def test_a_new_lead_due_for_its_first_call_today_is_listed_once_among_the_follow_ups(salesperson):
    lead = LeadFactory(full_name="First call", assigned_to=salesperson)  # first-contact deadline in 15 min
    day = selectors.salesperson_day(user=salesperson)
    assert [r.lead_id for r in day.due_today.rows] == [lead.pk]
    assert day.due_today.rows[0].kind == LeadReminderKind.FIRST_CONTACT
    assert day.new_leads.total == 0


def test_a_section_counts_all_its_rows_though_it_shows_the_first_few(salesperson):
    for n in range(3):
        followup(salesperson, due=NOW - datetime.timedelta(hours=n + 1), name=f"Late {n}")
    capped = selectors._rows(LeadReminder.objects.order_by("due_at"), limit=2)
    assert (len(capped.rows), capped.total, capped.more) == (2, 3, 1)
    assert [r.lead.full_name for r in capped.rows] == ["Late 2", "Late 1"]
    assert selectors._rows(LeadReminder.objects.none()) == selectors.Rows(rows=[], total=0)


def test_more_than_a_section_shows_links_to_the_full_list(sales_client, salesperson, monkeypatch):
    monkeypatch.setattr(selectors, "ROW_LIMIT", 2)
    for n in range(3):
        followup(salesperson, due=NOW - datetime.timedelta(hours=n + 1), name=f"Late {n}")
    html = html_of(sales_client)
    section = html[html.index('id="section-overdue"') : html.index('id="section-trials"')]
    assert section.count('class="work-item"') == 2
    assert "and 1 more" in section and "?followup=overdue" in section


def test_salesperson_page_rows_have_the_phone_chats_words_and_one_click_actions(sales_client, salesperson):
    late = followup(
        salesperson,
        due=NOW - datetime.timedelta(days=2, hours=3),
        name="",
        phone="+998901112233",
        telegram_chat_id="123456789",
        whatsapp_id="998901112233",
    )
    followup(salesperson, due=NOW + datetime.timedelta(hours=1, minutes=20), name="Soon")
    html = html_of(sales_client)

    assert "<h1>Your day</h1>" in html
    assert "Unnamed" in html
    assert 'href="tel:+998901112233"' in html and "+998 90 111 22 33" in html
    assert 'href="tg://user?id=123456789"' in html
    assert 'href="https://wa.me/998901112233"' in html
    assert "2 d 3 h overdue" in html and "in 1 h 20 min" in html
    assert reverse("admin:leads_lead_record_contact", args=[late.lead_id]) in html
    assert reverse("admin:leads_lead_change", args=[late.lead_id]) in html
    # Counts at the top, in the sections' order, and the usual app list below.
    counts = html.index('class="start-counts"')
    assert html.index("Overdue follow-ups", counts) < html.index("Trials today", counts)
    assert html.index("Trials today", counts) < html.index("Follow-ups due today", counts)
    assert html.index("Follow-ups due today", counts) < html.index("New leads not yet contacted", counts)
    assert 'id="all-sections"' in html and 'href="/admin/leads/lead/"' in html


def test_trial_shows_attendance_due_once_the_lesson_has_started(sales_client, salesperson):
    trial_today(salesperson, start=datetime.time(9, 0), name="Started")
    trial_today(salesperson, start=datetime.time(16, 0), end=datetime.time(17, 30), name="Later")
    html = html_of(sales_client)
    section = html[html.index('id="section-trials"') : html.index('id="section-due_today"')]
    assert section.count("attendance due") == 1
    assert "started 1 h ago" in section
    assert "in 6 h" in section
    assert section.index("Started") < section.index("Later")


def test_a_marked_trial_shows_its_outcome_and_a_cancelled_one_is_gone(sales_client, salesperson):
    attended = trial_today(salesperson, name="Came")
    trial_services.trial_mark_attended(trial=attended, by=salesperson)
    cancelled = trial_today(salesperson, name="Cancelled one")
    trial_services.trial_cancel(trial=cancelled, by=salesperson, reason="ill")
    html = html_of(sales_client)
    section = html[html.index('id="section-trials"') : html.index('id="section-due_today"')]
    assert "Came" in section and ">Attended<" in section and "attendance due" not in section
    assert "Cancelled one" not in section


def test_salesperson_empty_day_says_something_useful(sales_client):
    html = html_of(sales_client)
    assert "Nothing overdue" in html
    assert "No trial lessons today" in html
    assert "No new leads waiting" in html


def test_record_contact_from_the_start_page_comes_back_to_it(sales_client, salesperson):
    reminder = followup(salesperson, due=NOW - datetime.timedelta(hours=1), name="Call me")
    url = reverse("admin:leads_lead_record_contact", args=[reminder.lead_id])
    response = sales_client.post(url, {"next": INDEX})
    assert (response.status_code, response.url) == (302, INDEX)
    reminder.refresh_from_db()
    assert reminder.status == LeadReminderStatus.COMPLETED
    # Somewhere else is not "back": the lead's page, as before.
    other = followup(salesperson, due=NOW - datetime.timedelta(hours=1), name="Other")
    url = reverse("admin:leads_lead_record_contact", args=[other.lead_id])
    response = sales_client.post(url, {"next": "https://evil.example/"})
    assert response.url == reverse("admin:leads_lead_change", args=[other.lead_id])


# --- the manager's morning ------------------------------------------------------------


def test_manager_page_unassigned_overdue_per_salesperson_trials_per_group_and_yesterday(manager_client, salesperson):
    LeadFactory(full_name="Nobody's", source=LeadSource.TELEGRAM)
    lost = LeadFactory(full_name="Lost unassigned")
    Lead.objects.filter(pk=lost.pk).update(status=LeadStatus.LOST)
    followup(salesperson, due=NOW - datetime.timedelta(days=1, hours=2), name="Late")
    idle = SalespersonFactory(first_name="Idle", last_name="Person")
    trial = trial_today(salesperson, name="Trial kid")
    LeadMetricsFactory(date=TODAY - datetime.timedelta(days=1), total_leads=17, enrolled=3)

    html = html_of(manager_client)

    assert "<h1>This morning</h1>" in html
    unassigned = html[html.index('id="section-unassigned"') : html.index('id="section-behind"')]
    assert "Nobody&#x27;s" in unassigned and "Lost unassigned" not in unassigned
    assert "Assign 1 lead round-robin" in unassigned
    behind = html[html.index('id="section-behind"') : html.index('id="section-trials"')]
    assert str(salesperson) in behind and "1 d 2 h overdue" in behind and str(idle) in behind
    assert behind.index(str(salesperson)) < behind.index(str(idle))  # the most behind first
    trials = html[html.index('id="section-trials"') : html.index('id="section-yesterday"')]
    assert trial.group.name in trials and "Trial kid" in trials
    yesterday = html[html.index('id="section-yesterday"') :]
    assert "<dd>17</dd>" in yesterday and reverse("admin:analytics_dashboard_changelist") in yesterday


def test_manager_empty_morning_says_something_useful(manager_client):
    html = html_of(manager_client)
    assert "Every open lead has a salesperson." in html
    assert "There are no active salespeople" in html
    assert "No trial lessons booked for today." in html
    assert "figures are not computed yet" in html


def test_superuser_gets_the_managers_page(client):
    client.force_login(SuperuserFactory())
    assert "<h1>This morning</h1>" in html_of(client)


def test_round_robin_from_the_start_page_shares_the_unassigned_leads(manager_client, salesperson, other_salesperson):
    leads = [LeadFactory() for _ in range(4)]
    response = manager_client.post(reverse("admin:today_assign_unassigned"), follow=True)
    assert response.redirect_chain[-1][0] == INDEX
    assert "4 leads assigned round-robin" in response.content.decode()
    owners = [Lead.objects.get(pk=lead.pk).assigned_to_id for lead in leads]
    assert sorted(owners.count(p.pk) for p in (salesperson, other_salesperson)) == [2, 2]


def test_round_robin_asks_first_saying_who_gets_how_many(manager_client, salesperson, other_salesperson):
    for _ in range(3):
        LeadFactory()
    response = manager_client.get(reverse("admin:today_assign_unassigned"))
    html = response.content.decode()
    assert "3 open leads without a salesperson" in html
    assert f'<th scope="row">{salesperson}</th><td class="num">2</td>' in html
    assert f'<th scope="row">{other_salesperson}</th><td class="num">1</td>' in html
    assert "Yes, assign 3 leads" in html
    assert Lead.objects.filter(assigned_to__isnull=True).count() == 3  # nothing assigned by looking


def test_round_robin_without_salespeople_says_so(manager_client):
    LeadFactory()
    html = manager_client.get(reverse("admin:today_assign_unassigned")).content.decode()
    assert "There are no active salespeople to assign leads to." in html
    assert "Yes, assign" not in html


def test_round_robin_is_for_managers_only(client, salesperson):
    LeadFactory()
    url = reverse("admin:today_assign_unassigned")
    client.force_login(salesperson)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Lead.objects.filter(assigned_to__isnull=True).count() == 1


# --- the teacher's week ---------------------------------------------------------------


def test_teacher_sees_own_lessons_today_and_later_this_week_with_trial_students(client, salesperson):
    teacher = TeacherFactory()
    mine = group_meeting_on(TODAY, start=datetime.time(16, 0), end=datetime.time(17, 30), teacher=teacher)
    friday = TODAY + datetime.timedelta(days=2)
    later = group_meeting_on(friday, teacher=teacher, name="Friday group")
    group_meeting_on(TODAY, name="Someone else's group")
    book(lead=LeadFactory(full_name="Trial today", assigned_to=salesperson), group=mine, date=TODAY, by=salesperson)
    book(lead=LeadFactory(full_name="Trial friday", assigned_to=salesperson), group=later, date=friday, by=salesperson)

    week = selectors.teacher_week(user=teacher)
    assert [(x.group, [t.lead.full_name for t in x.trials]) for x in week.today] == [(mine, ["Trial today"])]
    assert [(x.group, x.date) for x in week.later] == [(later, friday)]

    client.force_login(teacher)
    html = html_of(client)
    assert "<h1>Your lessons</h1>" in html
    assert "in 6 h" in html  # today's 16:00 lesson, seen at 10:00
    assert "Trial today" in html and "Trial friday" in html and "Someone else" not in html
    assert "+998" not in html[html.index('id="start-page"') : html.index('id="all-sections"')]


# --- a fixed number of queries whatever the data --------------------------------------


def _salesperson_data(salesperson, n):
    for i in range(n):
        followup(salesperson, due=NOW - datetime.timedelta(hours=i + 1), name=f"Late {i}")
        followup(salesperson, due=NOW + datetime.timedelta(hours=i + 1, minutes=1), name=f"Soon {i}")
        new_lead(salesperson, name=f"New {i}")
    group = group_meeting_on(TODAY, capacity=40)
    for i in range(n):
        trial_today(salesperson, name=f"Trial {i}", group=group)


def test_salesperson_page_query_count_does_not_grow_with_the_data(sales_client, salesperson):
    _salesperson_data(salesperson, 1)
    small = count_queries(sales_client)
    _salesperson_data(salesperson, 6)
    assert count_queries(sales_client) == small


def test_manager_page_query_count_does_not_grow_with_the_data(manager_client, salesperson):
    def data(n):
        for i in range(n):
            LeadFactory()
            seller = SalespersonFactory()
            followup(seller, due=NOW - datetime.timedelta(hours=i + 1))
            trial_today(seller, name=f"Trial {i}")
        LeadMetricsFactory(date=TODAY - datetime.timedelta(days=1 + n))

    data(1)
    LeadMetricsFactory(date=TODAY - datetime.timedelta(days=1))
    small = count_queries(manager_client)
    data(6)
    assert count_queries(manager_client) == small


def test_teacher_page_query_count_does_not_grow_with_the_data(client, salesperson):
    teacher = TeacherFactory()
    client.force_login(teacher)

    def data(n):
        for _ in range(n):
            group = group_meeting_on(TODAY, start=datetime.time(16, 0), end=datetime.time(17, 30), teacher=teacher)
            for _ in range(2):
                lead = LeadFactory(assigned_to=salesperson)
                book(lead=lead, group=group, date=TODAY, by=salesperson)

    data(1)
    small = count_queries(client)
    data(5)
    assert count_queries(client) == small


def test_staff_with_no_role_get_the_app_list_only(client):
    client.force_login(UserFactory(is_staff=True))
    html = html_of(client)
    assert 'id="start-page"' not in html
    assert 'id="all-sections"' in html


def test_chat_links_only_where_we_know_a_persons_chat():
    assert telegram_href(Lead(telegram_chat_id="123456789")) == "tg://user?id=123456789"
    assert telegram_href(Lead(telegram_chat_id="-100123")) == ""  # a group chat, not the person
    assert telegram_href(Lead()) == ""
    assert whatsapp_href(Lead(whatsapp_id="998901234567")) == "https://wa.me/998901234567"
    assert whatsapp_href(Lead()) == ""


def test_todays_lessons_say_whether_they_are_over_under_way_or_how_soon():
    def lesson(start_h, end_h):
        start = NOW.replace(hour=start_h, minute=0)
        return selectors.Lesson(group=None, date=TODAY, starts_at=start, ends_at=start.replace(hour=end_h))

    assert ">over<" in _lesson_state(lesson(8, 9), NOW)
    assert ">under way<" in _lesson_state(lesson(9, 11), NOW)
    assert ">in 2 h<" in _lesson_state(lesson(12, 13), NOW)
