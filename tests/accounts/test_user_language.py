"""A staff member's own language (User.language) wins over the browser's; the
header's switcher saves it to them; the login page follows the browser."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.services import user_language_set

pytestmark = pytest.mark.django_db


def test_a_staff_members_language_wins_over_the_browser_and_the_cookie(sales_client, salesperson):
    user_language_set(user=salesperson, language="ru")
    sales_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = sales_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="uz")
    assert response["Content-Language"] == "ru"
    assert 'lang="ru"' in response.content.decode()


def test_without_a_saved_language_the_browser_decides(sales_client, salesperson):
    assert salesperson.language == ""
    response = sales_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="uz")
    assert response["Content-Language"] == "uz"


def test_the_login_page_follows_the_browser_even_for_a_known_browser(client, salesperson):
    user_language_set(user=salesperson, language="ru")
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="uz")
    assert response["Content-Language"] == "uz"


def test_the_switcher_saves_the_choice_to_the_user_and_the_cookie(sales_client, salesperson):
    response = sales_client.post(reverse("set_language"), {"language": "ru", "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    salesperson.refresh_from_db()
    assert salesperson.language == "ru"
    # On another device (no cookie, another browser language) the choice follows them.
    sales_client.cookies.clear()
    sales_client.force_login(salesperson)
    assert sales_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "ru"


def test_the_switcher_refuses_an_unknown_language_and_a_get(sales_client, salesperson):
    sales_client.post(reverse("set_language"), {"language": "de", "next": "/admin/"})
    salesperson.refresh_from_db()
    assert salesperson.language == ""
    assert sales_client.get(reverse("set_language")).status_code == 405


def test_anonymous_switch_sets_only_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/admin/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="uz")["Content-Language"] == "ru"


def test_the_header_has_one_button_per_language_and_no_script(sales_client, salesperson):
    user_language_set(user=salesperson, language="uz")
    html = sales_client.get(reverse("admin:index")).content.decode()
    start = html.index('<form id="language-switcher"')
    form = html[start : html.index("</form>", start)]
    assert f'action="{reverse("set_language")}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    for code, _name in settings.LANGUAGES:
        assert f'name="language" value="{code}"' in form
    assert 'value="uz" lang="uz" aria-current="true" disabled>Oʻzbek tili</button>' in form
    assert ">Русский</button>" in form and ">English</button>" in form  # each named in itself
    assert "<script" not in form and "onclick" not in form


def test_the_login_page_has_the_switcher_too(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert '<form id="language-switcher"' in html
