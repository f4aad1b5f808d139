"""Staff notifications are prepared in the recipient's language (User.language,
else the centre's default): every source's texts are built under
translation.override, so what its gettext calls return is theirs."""

import datetime

import pytest
import time_machine
from django.utils import translation

from reminders import sources
from reminders.dispatch import reminders_dispatch_due
from reminders.models import Channel
from reminders.sources import Message, ReminderSource, build_delivery
from tests.factories import SalespersonFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


class LanguageProbe(ReminderSource):
    """A source (registered like any app's) that says which language it was asked in."""

    kinds = ("language_probe",)

    def __init__(self, users):
        self.users, self.seen = users, {}

    def due_deliveries(self, *, now):
        for user in self.users:
            yield build_delivery(
                kind="language_probe",
                object_id=user.pk,
                occurrence="1",
                channel=Channel.EMAIL,
                address=user.email,
                due_at=now,
                lead_id=None,
                recipient_user=user,
            )

    def prepare(self, *, delivery, now):
        self.seen[delivery.recipient_user_id] = translation.get_language()
        return Message(subject="probe", text="probe")


@pytest.fixture
def probe(settings):
    settings.LANGUAGE_CODE = "uz"  # the centre's default
    users = [
        SalespersonFactory(email="ru@centre.example", language="ru"),
        SalespersonFactory(email="en@centre.example", language="en"),
        SalespersonFactory(email="none@centre.example", language=""),
    ]
    source = LanguageProbe(users)
    sources.register_source(source)
    yield source, users
    sources._sources.remove(source)


def test_each_staff_member_is_written_to_in_their_language(probe):
    source, (ru, en, unset) = probe
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        assert reminders_dispatch_due().sent == 3
        assert translation.get_language() == "en"  # restored afterwards
    assert source.seen == {ru.pk: "ru", en.pk: "en", unset.pk: "uz"}
