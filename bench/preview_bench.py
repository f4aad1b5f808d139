"""Admin preview benchmark: the "Import leads" upload request of a 100,000-row CSV,
previewed in the request (as before) and in the worker (now), and the worker's time.

    .venv/bin/python bench/preview_bench.py [--rows N] [--postgres postgres://postgres@127.0.0.1:5432]

Generates the messy CSV of ``bench/import_bench.py``, then, on SQLite and (with
--postgres) on PostgreSQL, each in a fresh database and its own process, posts it
to the admin upload page through Django's test client (multipart encoding and
parsing included) as a manager:

* inline: IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD above the file's rows, so the
  request computes the whole dry run (what every upload did before);
* background: the default threshold; the request stores the file, checks it and
  queues the preview (the broker call is replaced by a no-op, so the figure is
  the request's own), then the task runs in the same process as the worker would.

With --xlsx the same rows go up as an .xlsx workbook (a workbook above
IMPORT_PREVIEW_BACKGROUND_KB is not opened in the request at all).

Printed: each one's wall clock and CPU time and the ratio of the upload
requests (inline ÷ background).
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_bench  # the generator, databases and process helpers of the import benchmark


def child_upload(workdir: Path, mode: str) -> dict:
    from unittest import mock

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from import_service.models import ImportLog, ImportStatus
    from import_service.tasks import import_preview_task
    from tests.factories import ManagerFactory

    manager = ManagerFactory()
    client = Client()
    client.force_login(manager)
    if mode == "inline":
        settings.IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD = 10**9
        settings.IMPORT_PREVIEW_BACKGROUND_KB = 10**9
    assert client.get(reverse("admin:import_service_importlog_upload"), secure=True).status_code == 200  # warm-up
    name = (workdir / "upload-name").read_text()
    data = (workdir / name).read_bytes()
    form = {"source": "", "sheet": "", "assign": "", "column_map": ""}
    with mock.patch("core.tasks.enqueue") as enqueue:
        started = import_bench.clock()
        response = client.post(
            reverse("admin:import_service_importlog_upload"),
            {"file": SimpleUploadedFile(name, data), **form},
            secure=True,
        )
        upload = import_bench.since(started)
    assert response.status_code == 302, response.status_code
    log = ImportLog.objects.get()
    result = {"upload": upload, "status": log.status, "estimated_rows": log.estimated_rows}
    if mode == "background":
        assert log.status == ImportStatus.QUEUED and enqueue.call_count == 1
        started = import_bench.clock()
        import_preview_task(log.pk)  # the task body, as the worker runs it
        result["worker"] = import_bench.since(started)
        log.refresh_from_db()
        result["estimated_by_worker"] = log.estimated_rows
    page = client.get(response.url, secure=True)
    assert page.status_code == 200 and log.status == ImportStatus.COMPLETED, (log.status, log.failure_reason)
    return {**result, "rows": log.total, "peak_mb": import_bench.peak_rss_mb()}


def run_child(mode: str, workdir: Path, database_url: str) -> None:
    import json

    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Production settings otherwise; pages are rendered without collectstatic's manifest.
    os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    import_bench.setup_django(workdir, database_url)
    result = import_bench.child_migrate(workdir) if mode == "migrate" else child_upload(workdir, mode)
    from django.db import connection

    result["vendor"] = connection.vendor
    connection.close()
    print("RESULT " + json.dumps(result))


def spawn(mode: str, workdir: Path, database_url: str) -> dict:
    import json
    import subprocess

    command = [sys.executable, __file__, "--child", mode, "--workdir", str(workdir), "--database-url", database_url]
    done = subprocess.run(command, capture_output=True, text=True, cwd=import_bench.ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"{mode} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1][len("RESULT ") :])


def bench_vendor(label: str, workdir: Path, new_database) -> None:
    spawn("migrate", workdir, new_database("template"))
    inline = spawn("inline", workdir, new_database("inline"))
    background = spawn("background", workdir, new_database("background"))
    estimate = background["estimated_rows"]
    estimated, by_worker = ("unknown" if n is None else f"{n:,}" for n in (estimate, background["estimated_by_worker"]))
    print(f"\n{label}: {inline['rows']:,} rows (estimated at upload: {estimated}, by the worker: {by_worker})")
    for measure, name in (("seconds", "wall clock"), ("cpu", "CPU time")):
        up_inline, up_background = inline["upload"][measure], background["upload"][measure]
        print(f"  [{name}]")
        print(f"    upload request, preview inline (before): {up_inline:7.2f} s")
        print(f"    upload request, preview queued (now):    {up_background:7.2f} s")
        print(f"    the worker's preview:                    {background['worker'][measure]:7.2f} s")
        print(f"    upload request before ÷ now:             {up_inline / up_background:7.1f}×")
    print(f"  peak RSS inline {inline['peak_mb']:.0f} MB, background {background['peak_mb']:.0f} MB")


def write_xlsx(source: Path, target: Path) -> None:
    """The CSV's rows as a workbook (openpyxl's write-only mode, as exporters stream them)."""
    import csv

    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    workbook.save(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="SERVER_URL", help="also run on PostgreSQL databases made on this server")
    parser.add_argument("--xlsx", action="store_true", help="upload the rows as an .xlsx workbook instead of the CSV")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.workdir, args.database_url)
        return 0

    import shutil

    workdir = Path(tempfile.mkdtemp(prefix="preview-bench-"))
    import_bench.generate(workdir / "leads.csv", args.rows)
    (workdir / "upload-name").write_text("leads.xlsx" if args.xlsx else "leads.csv")
    if args.xlsx:
        write_xlsx(workdir / "leads.csv", workdir / "leads.xlsx")

    def sqlite_database(name):
        path = workdir / f"{name}.sqlite3"
        if name != "template":
            shutil.copyfile(workdir / "template.sqlite3", path)
        return f"sqlite:///{path}"

    bench_vendor("SQLite", workdir, sqlite_database)
    made = []
    if args.postgres:
        prefix = f"preview_bench_{os.getpid()}"

        def pg_database(name):
            made.append(f"{prefix}_{name}")
            template = None if name == "template" else f"{prefix}_template"
            return import_bench.create_pg_database(args.postgres, made[-1], template)

        bench_vendor("PostgreSQL", workdir, pg_database)
    for name in made:
        import_bench.drop_pg_database(args.postgres, name)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
