"""Every admin page in Uzbek and in Russian, as each role, shows none of our own
English texts (issue 12, item 8).

One world with a row of every model; each role (manager, salesperson, teacher),
with their own User.language set to uz or ru, opens every changelist, add page
and change page they may see, plus the custom pages (timetable, free rooms,
dashboard, imports, the lead's and the trial's form pages). The page's visible
text (text nodes, and the title/placeholder/value/aria-label a person reads) is
compared with the msgids of our catalogue (locale/): a text that *is* one of
them, or contains one of three words or more, fails the test. Msgids whose
translation is the same word (brand names, codes: Telegram, CSV, UTM source)
are not English there, and user data (names, phones) is never a msgid.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from html.parser import HTMLParser

import polib
import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from accounts.services import user_language_set
from leads.services import lead_assign
from reminders.models import LeadReminder
from scheduling.services import enrollment_create, room_occupancy_refresh
from tests.analytics.factories import (
    GroupAnalyticsFactory,
    GroupRecommendationFactory,
    LeadMetricsFactory,
    MarketingAnalyticsFactory,
    MarketingSpendFactory,
    RollupRunFactory,
    RoomDayUsageFactory,
    SalesKPIFactory,
)
from tests.api.factories import token_for
from tests.factories import ManagerFactory, SalespersonFactory, TeacherFactory
from tests.import_service.factories import ImportLogFactory, ImportRowFactory
from tests.intake.factories import IntakeEventFactory
from tests.leads.factories import LeadFactory
from tests.reminders.factories import LeadReminderFactory
from tests.scheduling.factories import CourseFactory, RoomFactory
from tests.trials.factories import book, group_meeting_on

# Marked "crawl": .ci/run crawls once, in the SQLite pass (the pages are the same on PostgreSQL).
pytestmark = [pytest.mark.django_db, pytest.mark.crawl]

NOW = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)  # Monday 14:30 in Tashkent
ROLES = ["manager", "salesperson", "teacher"]
LANGUAGES = ["uz", "ru"]
READ_ATTRIBUTES = ("title", "placeholder", "aria-label")


class VisibleText(HTMLParser):
    """Text a person sees: text nodes outside <script>/<style>, button and
    submit labels, titles and placeholders."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        attrs = dict(attrs)
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts]


def _key(text: str) -> str:
    return text.lower().rstrip(":.")


def english_msgids(language: str) -> tuple[set[str], list[str]]:
    """(msgids a whole text may not be, longer msgids no text may contain): our
    catalogue's English without placeholders, less the words the language keeps
    as they are (Telegram, CSV, email) and those that are also a word of the
    language (Django's Uzbek says “Login” for the username)."""
    ours = polib.pofile(str(settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"))
    django = settings.BASE_DIR / "locale_django" / language / "LC_MESSAGES" / "django.po"
    native = set()
    for catalogue in [ours] + ([polib.pofile(str(django))] if django.exists() else []):
        for entry in catalogue:
            native |= {_key(t) for t in [entry.msgstr, *entry.msgstr_plural.values()] if t}
    whole, phrases = set(), []
    for entry in ours:
        for text in [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else []):
            if re.search(r"%[(\w]|\{\w*\}|<", text) or not re.search(r"[a-z]", text) or _key(text) in native:
                continue
            whole.add(_key(text))
            if len(text.split()) >= 3:
                phrases.append(text)
    return whole, phrases


def english_in(html: str, language: str) -> list[str]:
    whole, phrases = english_msgids(language)
    found = []
    for text in visible_texts(html):
        if _key(text) in whole or any(phrase in text for phrase in phrases):
            found.append(text)
    return found


@pytest.fixture
def world(db):
    """A row of every model, as a working centre has them."""
    with time_machine.travel(NOW, tick=False):
        manager = ManagerFactory(username="crawl_manager")
        salesperson = SalespersonFactory(username="crawl_sales")
        teacher = TeacherFactory(username="crawl_teacher")
        course = CourseFactory(name="IELTS", teacher=teacher)
        room = RoomFactory(name="A-101", capacity=16)
        today = datetime.date(2026, 12, 7)
        group = group_meeting_on(
            today + datetime.timedelta(days=1), course=course, room=room, teacher=teacher, name="IELTS Tue"
        )
        lead = LeadFactory(full_name="Gʻulom Karimov", phone="+998901112233")
        lead_assign(lead=lead, salesperson=salesperson, by=manager)
        student = LeadFactory(full_name="Nodira Saidova", phone="+998901112244")
        lead_assign(lead=student, salesperson=salesperson, by=manager)
        enrollment_create(group=group, lead=student, by=manager)
        trial = book(lead=lead, group=group, date=today + datetime.timedelta(days=1), by=salesperson)
        fresh = LeadFactory(full_name="Aziza Y.", phone="+998901112255")  # no trial yet: the "book" button
        LeadReminderFactory(salesperson=salesperson, lead=fresh)
        room_occupancy_refresh(today=today, days=14)
        IntakeEventFactory()
        log = ImportLogFactory(
            created_by=manager, headers=["Ism", "Tel. raqam"], columns={"Ism": "full_name", "Tel. raqam": "phone"}
        )
        # Stored reasons are written in the language of the run (the centre's): data, not our texts.
        ImportRowFactory(log=log, reason="—", values=["Jasur", ""])
        for factory in (
            SalesKPIFactory,
            LeadMetricsFactory,
            MarketingAnalyticsFactory,
            MarketingSpendFactory,
            GroupAnalyticsFactory,
            RoomDayUsageFactory,
            RollupRunFactory,
        ):
            factory()
        GroupRecommendationFactory(course=course)
        token_for(salesperson)
    return {
        "manager": manager,
        "salesperson": salesperson,
        "teacher": teacher,
        "lead": lead,
        "fresh_lead": fresh,
        "trial": trial,
    }


def pages_for(user, world) -> list[str]:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("axes", "auth"):
            continue  # third-party and Django's own: not our catalogue
        info = model._meta.app_label, model._meta.model_name
        if not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None and model_admin.has_view_or_change_permission(request, obj):
            # An admin entry that is a page (the dashboard) has no change page: its changelist is crawled.
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    lead, trial = world["lead"], world["trial"]
    custom = [
        ("admin:scheduling_room_timetable", []),
        ("admin:scheduling_room_free_rooms", []),
        ("admin:analytics_dashboard_changelist", []),
        ("admin:import_service_importlog_upload", []),
        ("admin:analytics_marketingspend_import", []),
        ("admin:leads_lead_change", [world["fresh_lead"].pk]),
        ("admin:leads_lead_follow_up", [lead.pk]),
        ("admin:leads_lead_book_trial", [lead.pk]),
        ("admin:trials_trial_result", [trial.pk]),
        ("admin:trials_trial_reschedule", [trial.pk]),
        ("admin:trials_trial_cancel", [trial.pk]),
    ]
    for name, args in custom:
        try:
            urls.append(reverse(name, args=args))
        except NoReverseMatch:  # a page renamed: the crawl says so below
            urls.append(f"missing:{name}")
    urls.append(reverse("admin:scheduling_room_free_rooms") + "?days=odd&start_time=18:30&end_time=20:00")
    return urls


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_no_english_of_ours_on_any_admin_page(client, world, role, language):
    user = world[role]
    user_language_set(user=user, language=language)
    client.force_login(user)
    problems, seen = [], 0
    with time_machine.travel(NOW, tick=False):
        for url in pages_for(user, world):
            assert not url.startswith("missing:"), url
            response = client.get(url)
            if response.status_code in (302, 403):
                continue  # not this role's page (the permission tests cover who sees what)
            assert response.status_code == 200, (url, response.status_code)
            assert response["Content-Language"] == language, url
            seen += 1
            problems += [f"{url}: {text!r}" for text in english_in(response.content.decode(), language)]
    assert seen >= {"manager": 40, "salesperson": 10, "teacher": 5}[role]
    assert problems == [], "\n".join(problems)


def test_the_crawl_finds_english_when_there_is_some():
    """The check itself: an untranslated column title and button are caught."""
    html = (
        '<th>next contact</th><input type="submit" value="Book trial"><td>Gʻulom</td><p>Say why the lead is lost.</p>'
    )
    assert english_in(html, "uz") == ["next contact", "Book trial", "Say why the lead is lost."]
    assert english_in("<th>keyingi bogʻlanish</th><td>Telegram</td><td>CSV fayl</td>", "uz") == []


def test_leads_reminder_rows_exist_for_the_crawl(world):
    assert LeadReminder.objects.exists()
