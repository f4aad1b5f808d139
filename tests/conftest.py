import contextlib
import shutil
from pathlib import Path

import pytest
import responses
from django.conf import settings

from accounts import roles
from accounts.permissions import restore_role_grants
from tests.eskiz_fake import ESKIZ, eskiz_shape
from tests.factories import ManagerFactory, SalespersonFactory, TeacherFactory


@pytest.fixture(autouse=True)
def _role_groups(request):
    """Transactional tests (transaction=True, live_server) end by emptying every
    table, including the role groups the data migrations created; put them back
    for whichever database test runs next."""
    if "_django_db_helper" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("_django_db_helper")
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=roles.SALES).exists():
        restore_role_grants()


@pytest.fixture(autouse=True)
def _settings_language():
    """LocaleMiddleware activates a request's language in the thread and leaves it
    there; the next test in the thread must start in the settings' language
    (English in tests), whatever the previous test's requests asked for."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def salesperson(db):
    return SalespersonFactory()


@pytest.fixture
def other_salesperson(db):
    return SalespersonFactory()


@pytest.fixture
def teacher(db):
    return TeacherFactory()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def sales_client(client, salesperson):
    client.force_login(salesperson)
    return client


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL's locking; skip them on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The .mo files are build products (`make setup` compiles them, the repository
    holds only .po sources). Compile the stale ones here too, so that pytest run
    directly on a fresh checkout tests the real catalogues, not English fallbacks."""
    from django.conf import settings
    from django.core.management import call_command

    sources = [po for root in settings.LOCALE_PATHS for po in Path(root).glob("*/LC_MESSAGES/*.po")]
    stale = [
        po
        for po in sources
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    if shutil.which("msgfmt") is None:
        pytest.exit(
            f"{len(stale)} translation catalogue(s) are not compiled and msgfmt is missing: "
            "install GNU gettext (apt-get install gettext), then run `make messages`.",
            returncode=2,
        )
    with contextlib.chdir(settings.BASE_DIR):
        call_command("compilemessages", verbosity=0, ignore_patterns=[".venv", "var", "staticfiles", "node_modules"])


@pytest.fixture
def eskiz(settings):
    """Eskiz configured and faked at the HTTP layer (tests/eskiz_fake.py): login,
    refresh and sends answer with the recorded shapes; tests add or replace
    responses on the mock."""
    from django.core.cache import cache

    settings.ESKIZ_API_URL = ESKIZ
    settings.ESKIZ_EMAIL = "centre@example.uz"
    settings.ESKIZ_PASSWORD = "secret-password"
    settings.ESKIZ_FROM = "4546"
    settings.ESKIZ_CALLBACK_SECRET = "callback-secret"
    settings.ESKIZ_CALLBACK_URL = "https://crm.example.com/sms/eskiz/callback-secret/"
    cache.delete("eskiz:token")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, f"{ESKIZ}/api/auth/login", json=eskiz_shape("login"))
        mock.add(responses.PATCH, f"{ESKIZ}/api/auth/refresh", json=eskiz_shape("refresh"))
        mock.add(responses.POST, f"{ESKIZ}/api/message/sms/send", json=eskiz_shape("send"))
        mock.add(responses.POST, f"{ESKIZ}/api/message/sms/send-batch", json=eskiz_shape("send_batch"))
        yield mock
    cache.delete("eskiz:token")
