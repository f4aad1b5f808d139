import io

import pytest

from import_service import demo
from import_service.models import ImportLog, ImportStatus
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_demo_imports_are_realistic_and_idempotent(manager):
    LeadFactory(phone="+998935559999", full_name="Known From Telegram")
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    real = ImportLog.objects.get(dry_run=False)
    assert (real.status, real.created, real.duplicates, real.errors) == (ImportStatus.COMPLETED, 15, 2, 2)
    assert real.created_by == manager
    assert ImportLog.objects.filter(dry_run=True).count() == 1
