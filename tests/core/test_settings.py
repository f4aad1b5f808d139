"""Production configuration: refuses the example key, and check --deploy is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    full_env.update(env, DJANGO_SETTINGS_MODULE="crm_project.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def production_env(**overrides):
    env = {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": "sqlite:////tmp/crm-deploy-check.sqlite3",
    }
    env.update(overrides)
    return env


def test_check_deploy_is_clean_with_documented_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_refuses_to_start_on_example_secret_key_when_debug_is_off():
    from crm_project.settings import EXAMPLE_SECRET_KEY

    result = run_manage("check", **production_env(SECRET_KEY=EXAMPLE_SECRET_KEY))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_example_env_documents_every_variable_settings_read():
    import re

    settings_text = (ROOT / "crm_project" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_text))
    # The web server's and the beat schedule's own variables, and Procfile.prod's.
    for module in ("gunicorn.py", "celery.py"):
        text = (ROOT / "crm_project" / module).read_text()
        read |= set(re.findall(r'(?:environ\.get|_int|_seconds)\(\s*"([A-Z_]+)"', text))
    read |= set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "Procfile.prod").read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert {"WEB_CONCURRENCY", "REMINDER_DISPATCH_EVERY_SECONDS", "CELERY_QUEUES"} <= read
    assert read - documented == set()


def test_time_zone_and_celery_timezone_match(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Asia/Tashkent"
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
