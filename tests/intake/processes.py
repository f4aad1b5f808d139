"""Real processes for end-to-end tests: the web server and a Celery worker,
started against the PostgreSQL test database."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def base_env(**extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
        "DEBUG": "True",  # a development server; settings default to DEBUG off
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_server(env: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    """`manage.py runserver` (threaded) on a free loopback port; returns (process, base URL)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/intake/landing/", timeout=1).status_code in (404, 405):
                return process, base
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"server did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm_project",
            "worker",
            "--queues=default,long",  # every queue of CELERY_TASK_ROUTES
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class FakePlatform(BaseHTTPRequestHandler):
    """A local stand-in for the Bot API (POST /bot<token>/<method>) and the Graph
    API (GET /<version>/<leadgen_id>), as TELEGRAM_API_URL / META_GRAPH_URL allow."""

    calls: list = []
    graph_leads: dict = {}

    def _answer(self, status: int, payload: dict):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        FakePlatform.calls.append(("POST", self.path, json.loads(body or b"{}")))
        self._answer(200, {"ok": True, "result": {"message_id": len(FakePlatform.calls)}})

    def do_GET(self):
        FakePlatform.calls.append(("GET", self.path, None))
        leadgen_id = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        lead = FakePlatform.graph_leads.get(leadgen_id)
        if lead is None:
            self._answer(404, {"error": {"message": "Unsupported get request", "code": 100}})
        else:
            self._answer(200, lead)

    def log_message(self, *args):
        pass


def start_fake_platform() -> tuple[ThreadingHTTPServer, str]:
    FakePlatform.calls = []
    FakePlatform.graph_leads = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePlatform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
