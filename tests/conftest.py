import pytest

from accounts import roles
from accounts.permissions import restore_role_grants
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
