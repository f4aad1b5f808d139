"""Third-party apps' texts in Uzbek and Russian (locale_apps/, core/app_catalogues.py):
checked against the installed app's own source, and what the admin really shows."""

import textwrap

import polib
import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.services import user_language_set
from core import app_catalogues as catalogues
from tests.core.test_admin_languages_crawl import visible_texts
from tests.factories import ManagerFactory, SuperuserFactory

LANGUAGES = ["uz", "ru"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_axes_text_its_own_catalogue_leaves_in_english_is_translated(language):
    result = catalogues.report(language)
    assert len(result.messages) > 25  # read from the installed django-axes
    assert len(result.gaps) >= {"uz": 25, "ru": 5}[language]  # axes has no uz, an old ru
    assert [message.msgid for message in result.uncovered] == []
    assert catalogues.problems(language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_supplement_holds_no_msgid_axes_no_longer_has(language):
    assert catalogues.report(language).stale == []


def test_update_adds_every_uncovered_msgid_empty_for_a_translator(tmp_path):
    added = catalogues.update("uz", root=tmp_path)
    gaps = catalogues.report("uz").gaps
    assert added == len(gaps)
    po = polib.pofile(str(catalogues.supplement_path("uz", tmp_path)))
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert {(e.msgctxt, e.msgid) for e in po} == set(gaps)
    assert all(e.msgstr == "" for e in po)
    assert po.find("access logs").comment == "axes/models.py"
    assert catalogues.update("uz", root=tmp_path) == 0  # nothing new the second time


# --- the checker, on a small app of its own ------------------------------------------------


@pytest.fixture
def fake_app(tmp_path):
    app = tmp_path / "fakeapp"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        textwrap.dedent(
            """\
            from django.utils.translation import gettext_lazy as _, ngettext, pgettext_lazy
            from django.utils import translation

            NAME = _("access log")
            PLURAL = ngettext("%(count)d try", "%(count)d tries", 2)
            SHORT = pgettext_lazy("column", "Path")
            LONG = translation.gettext("Two " "parts")
            DYNAMIC = _(f"Cleaned up {NAME}")
            """
        )
    )
    (app / "migrations" / "0001_initial.py").write_text('from django.utils.translation import gettext as _\n_("Old")\n')
    (app / "locale" / "uz" / "LC_MESSAGES").mkdir(parents=True)
    (app / "locale" / "uz" / "LC_MESSAGES" / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Two parts"\nmsgstr "Ikki qism"\n',
        encoding="utf-8",
    )
    return app


def test_source_msgids_are_the_gettext_calls_with_a_literal_outside_migrations(fake_app):
    found = catalogues.source_messages("fakeapp", directory=fake_app)
    assert set(found) == {(None, "%(count)d try"), (None, "Two parts"), (None, "access log"), ("column", "Path")}
    assert found[(None, "%(count)d try")].msgid_plural == "%(count)d tries"
    assert found[(None, "access log")].where == ["fakeapp/models.py:4"]


def test_new_and_dropped_msgids_of_the_app_are_reported(fake_app, tmp_path):
    root = tmp_path / "supplement"
    kwargs = {"apps": ("fakeapp",), "root": root, "ours": (), "directories": {"fakeapp": fake_app}}
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="access log", msgstr="kirish yozuvi"))
    po.append(polib.POEntry(msgid="Gone from the app", msgstr="Eski"))
    po.append(polib.POEntry(msgctxt="column", msgid="Path", msgstr="Yo'l"))
    path = catalogues.supplement_path("uz", root)
    path.parent.mkdir(parents=True)
    po.save(str(path))
    result = catalogues.report("uz", **kwargs)
    # "Two parts" is translated by the app itself; the plural is new and untranslated.
    assert [message.msgid for message in result.uncovered] == ["%(count)d try"]
    assert result.stale == [(None, "Gone from the app")]
    assert result.misspelt == [("column", "Path")]
    assert len(catalogues.problems("uz", **kwargs)) == 3


def test_a_translation_that_drops_a_placeholder_is_reported(fake_app, tmp_path):
    root = tmp_path / "supplement"
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(
        polib.POEntry(
            msgid="%(count)d try",
            msgid_plural="%(count)d tries",
            msgstr_plural={0: "bir necha"},
            flags=["python-format"],
        )
    )
    path = catalogues.supplement_path("uz", root)
    path.parent.mkdir(parents=True)
    po.save(str(path))
    result = catalogues.report("uz", apps=("fakeapp",), root=root, ours=(), directories={"fakeapp": fake_app})
    assert result.placeholders == [(None, "%(count)d try")]


def test_an_app_whose_templates_translate_text_is_refused_rather_than_half_read(fake_app):
    (fake_app / "templates").mkdir()
    (fake_app / "templates" / "page.html").write_text("{% translate 'Hello' %}")
    with pytest.raises(catalogues.TemplatesNotRead, match="page.html"):
        catalogues.source_messages("fakeapp", directory=fake_app)


# --- what staff see --------------------------------------------------------------------


def axes_english(language: str) -> set[str]:
    """axes's msgids, less those the language writes the same (HTTP Accept)."""
    own = catalogues.package_dir("axes") / "locale" / language / "LC_MESSAGES" / "django.po"
    paths = [catalogues.supplement_path(language)] + ([own] if own.exists() else [])
    same = {e.msgid for path in paths for e in polib.pofile(str(path)) if e.msgstr == e.msgid}
    return {msgid.lower() for _, msgid in catalogues.report(language).messages if msgid not in same} | {"axes"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["manager", "superuser"])
def test_lockout_pages_speak_the_staff_members_language(client, role, language):
    user = (ManagerFactory if role == "manager" else SuperuserFactory)(username=f"{role}_{language}")
    user_language_set(user=user, language=language)
    AccessAttempt.objects.create(
        username="dilnoza", ip_address="10.0.0.7", user_agent="Chrome", http_accept="*/*", path_info="/admin/login/",
        get_data="", post_data="", failures_since_start=3,
    )  # fmt: skip
    client.force_login(user)
    english = axes_english(language)
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["axes"])]
    urls += [reverse(f"admin:axes_{model}_changelist") for model in ("accessattempt", "accesslog", "accessfailurelog")]
    urls.append(reverse("admin:axes_accessattempt_change", args=[AccessAttempt.objects.get().pk]))
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found += [
            (url, text) for text in visible_texts(response.content.decode()) if text.lower().rstrip(":") in english
        ]
    assert found == []
    index = " ".join(visible_texts(client.get(reverse("admin:index")).content.decode()))
    assert {"uz": "Kirish bloklari", "ru": "Блокировки входа"}[language] in index
    status = " ".join(visible_texts(client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()))
    assert {"uz": "7 ta urinish qoldi", "ru": "7 — осталось попыток"}[language] in status
