"""Production configuration: refuses the example key, and check --deploy is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    # Not DEBUG either: crm_project/test_settings.py turned it on for this process.
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DEBUG"))}
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
    # The one note allowed: the SMS channel is off until Eskiz is set up (an Info).
    assert "no issues" in result.stdout or result.stdout.count("?: (") == result.stdout.count("reminders.I001")
    assert "WARNINGS" not in result.stdout and "ERRORS" not in result.stdout


def test_refuses_to_start_on_example_secret_key_when_debug_is_off():
    from crm_project.settings import EXAMPLE_SECRET_KEY

    result = run_manage("check", **production_env(SECRET_KEY=EXAMPLE_SECRET_KEY))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def dotenv_sets_debug() -> bool:
    dotenv = ROOT / ".env"
    return dotenv.exists() and any(line.strip().startswith("DEBUG") for line in dotenv.read_text().splitlines())


def test_debug_is_off_unless_the_environment_turns_it_on():
    if dotenv_sets_debug():
        pytest.skip("a local .env sets DEBUG")
    show = ("shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)")
    unset = run_manage(*show, SECRET_KEY=secrets.token_urlsafe(60), DATABASE_URL="sqlite:////tmp/crm-debug.sqlite3")
    assert unset.returncode == 0, unset.stderr
    assert "DEBUG False" in unset.stdout
    on = run_manage(*show, DEBUG="True", DATABASE_URL="sqlite:////tmp/crm-debug.sqlite3")
    assert "DEBUG True" in on.stdout


def test_without_debug_in_the_environment_the_example_key_is_refused():
    if dotenv_sets_debug():
        pytest.skip("a local .env sets DEBUG")
    result = run_manage("check", DATABASE_URL="sqlite:////tmp/crm-debug.sqlite3")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_make_run_and_the_procfile_turn_debug_on_explicitly():
    makefile = (ROOT / "Makefile").read_text()
    assert "messages migrate seed run: export DEBUG ?= True" in makefile
    procfile = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert procfile and all(": DEBUG=${DEBUG:-True} " in line for line in procfile)


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
