import pytest
from django.core.cache import cache

from tests.api.factories import api_client


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def manager_api(manager):
    return api_client(manager)


@pytest.fixture
def sales_api(salesperson):
    return api_client(salesperson)


@pytest.fixture
def other_sales_api(other_salesperson):
    return api_client(other_salesperson)


@pytest.fixture
def teacher_api(teacher):
    return api_client(teacher)
