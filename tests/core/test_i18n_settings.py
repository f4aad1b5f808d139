"""Languages: which ones, the centre's default, and how a request picks one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def settings_value(expression: str, **env) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CRM_DEFAULT_LANGUAGE"))}
    full_env.update(env, DJANGO_SETTINGS_MODULE="crm_project.settings")
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True)


def test_languages_are_uzbek_russian_english_and_uzbek_is_named_with_turned_comma():
    assert [code for code, _ in settings.LANGUAGES] == ["uz", "ru", "en"]
    name = dict(settings.LANGUAGES)["uz"]
    assert name == "O\u02bbzbekcha"


def test_default_language_is_uzbek_unless_the_environment_names_another():
    assert settings_value("settings.LANGUAGE_CODE").stdout.strip() == "uz"
    assert settings_value("settings.LANGUAGE_CODE", CRM_DEFAULT_LANGUAGE="ru").stdout.strip() == "ru"


def test_unknown_default_language_refuses_to_start():
    result = settings_value("settings.LANGUAGE_CODE", CRM_DEFAULT_LANGUAGE="de")
    assert result.returncode != 0
    assert "CRM_DEFAULT_LANGUAGE" in result.stderr


def test_our_catalogue_comes_before_the_django_and_the_apps_supplements():
    expected = [settings.BASE_DIR / name for name in ("locale", "locale_django", "locale_apps")]
    paths = settings.LOCALE_PATHS
    assert paths == expected


def test_locale_middleware_reads_the_session_and_runs_before_common():
    middleware = settings.MIDDLEWARE
    locale = middleware.index("django.middleware.locale.LocaleMiddleware")
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("uz", "uz"),
        ("uz-UZ,uz;q=0.9", "uz"),
        ("uz-Latn-UZ", "uz"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        ("en-GB", "en"),
        ("de-DE,de;q=0.9", "uz"),  # none of ours: the centre's default
    ],
)
def test_browser_language_picks_the_page_language(client, settings, accept_language, expected):
    settings.LANGUAGE_CODE = "uz"
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    assert response["Content-Language"] == expected
    assert f'lang="{expected}"' in response.content.decode()


def test_without_accept_language_the_login_page_is_in_the_default_language(client, settings):
    settings.LANGUAGE_CODE = "uz"
    page = client.get(reverse("admin:login")).content.decode()
    assert 'value="Kirish"' in page
    assert "Log in" not in page


def test_language_cookie_wins_over_the_browser(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="uz")
    assert response["Content-Language"] == "ru"
    assert "Войти" in response.content.decode()


def test_language_cookie_is_not_readable_by_scripts_and_secure_in_production():
    assert settings.LANGUAGE_COOKIE_HTTPONLY is True
    assert settings.LANGUAGE_COOKIE_SAMESITE == "Lax"
    production = settings_value(
        "settings.LANGUAGE_COOKIE_SECURE",
        DEBUG="False",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="crm.example.com",
    )
    assert production.stdout.strip() == "True", production.stderr
