"""A large admin upload runs in a real Celery worker (subprocess) on Redis and
the PostgreSQL test database, reading the file stored under MEDIA_ROOT."""

import os
import socket
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from import_service.models import ImportLog, ImportStatus
from import_service.services import uploads
from leads.models import Lead
from tests.celery_helpers import use_broker
from tests.intake.processes import base_env, start_worker, stop

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 8
TIMEOUT = 60


@pytest.fixture
def broker():
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2).close()
    except OSError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}; in CI this test must run.")
        pytest.skip(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    # This process sends to the real broker instead of running the task inline.
    old = use_broker(task_always_eager=False, broker_url=url)
    yield url
    use_broker(**old)


def test_confirmed_large_upload_is_imported_by_the_worker(broker, manager, settings, tmp_path):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.IMPORT_BACKGROUND_ROW_THRESHOLD = 100
    worker = start_worker(
        base_env(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER="False", MEDIA_ROOT=str(media)),
        tmp_path / "worker.log",
    )
    try:
        rows = "".join(f"Talaba {n},+998 91 {n:07d},IELTS\n" for n in range(3000100, 3000400))
        upload = SimpleUploadedFile("big-list.csv", ("Ism,Telefon,Kurs\n" + rows).encode())
        preview = uploads.import_upload_preview(upload=upload, by=manager)
        assert (preview.total, preview.created) == (300, 300)
        run = uploads.import_confirm(dry_run_log=preview, by=manager)
        assert run.status == ImportStatus.QUEUED
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.is_finished:
                break
            time.sleep(0.5)
        log_text = (tmp_path / "worker.log").read_text()
        assert run.status == ImportStatus.COMPLETED, f"{run.status} {run.failure_reason}\n{log_text[-3000:]}"
        assert (run.total, run.created, run.duplicates, run.errors, run.processed_rows) == (300, 300, 0, 0, 300)
        assert Lead.objects.count() == 300
        assert "import_service.tasks.import_run_task" in log_text
        assert ImportLog.objects.filter(dry_run=False).count() == 1
    finally:
        stop(worker)


def test_a_large_upload_is_previewed_by_the_worker(broker, manager, settings, tmp_path):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD = 100
    worker = start_worker(
        base_env(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER="False", MEDIA_ROOT=str(media)),
        tmp_path / "worker.log",
    )
    try:
        rows = "".join(f"Talaba {n},+998 91 {n:07d},IELTS\n" for n in range(3000500, 3000800))
        upload = SimpleUploadedFile("big-list.csv", ("Ism,Telefon,Kurs\n" + rows).encode())
        preview = uploads.import_upload_preview(upload=upload, by=manager)
        assert (preview.status, preview.estimated_rows) == (ImportStatus.QUEUED, 300)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            preview.refresh_from_db()
            if preview.is_finished:
                break
            time.sleep(0.5)
        log_text = (tmp_path / "worker.log").read_text()
        assert preview.status == ImportStatus.COMPLETED, f"{preview.failure_reason}\n{log_text[-3000:]}"
        assert (preview.total, preview.created, preview.processed_rows) == (300, 300, 300)
        assert "import_service.tasks.import_preview_task" in log_text
        assert not Lead.objects.exists()
    finally:
        stop(worker)
