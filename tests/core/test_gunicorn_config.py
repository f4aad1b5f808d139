"""crm_project/gunicorn.py: sized from the cores unless the environment says
otherwise, and accepted by gunicorn itself."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "crm_project" / "gunicorn.py"


def load(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND", "GUNICORN_MAX_REQUESTS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_come_from_the_cores(monkeypatch):
    config = load(monkeypatch)
    assert config["workers"] == 2 * os.cpu_count() + 1
    assert (config["threads"], config["worker_class"]) == (2, "gthread")
    assert config["bind"] == "127.0.0.1:8000"
    assert (config["timeout"], config["max_requests"], config["max_requests_jitter"]) == (120, 1000, 100)
    assert config["accesslog"] == "-" and config["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_the_environment_overrides(monkeypatch):
    config = load(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="1", GUNICORN_BIND="unix:/run/crm.sock")
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 1, "sync")
    assert config["bind"] == "unix:/run/crm.sock"


def test_gunicorn_accepts_the_config_and_loads_the_app():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", str(CONFIG), "--check-config"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "crm_project.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
