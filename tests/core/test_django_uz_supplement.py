"""The Uzbek supplement to Django's own catalogues (locale_django/uz/) and the
gap finder behind `manage.py django_translation_gaps`."""

import json
import re
import textwrap
from io import StringIO

import polib
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from core import django_catalogues as catalogues

# Django's admin and auth as an Uzbek user meets them first.
SEEN_FIRST = {
    "Log in": "Kirish",
    "Log out": "Chiqish",
    "Home": "Bosh sahifa",
    "Save": "Saqlash",
    "Save and add another": "Saqlash va yana qo\u02bbshish",
    "Save and continue editing": "Saqlash va tahrirlashda davom etish",
    "Delete": "O\u02bbchirish",
    "Filter": "Filtr",
    "Search": "Qidirish",
    "Action": "Amal",
    "Go": "Bajarish",
    "Recent actions": "So\u02bbnggi amallar",
    "Change password": "Parolni o\u02bbzgartirish",
    "This field is required.": "Bu maydonni to\u02bbldirish shart.",
}


def supplement(domain: str) -> polib.POFile:
    return polib.pofile(str(catalogues.supplement_path("uz", domain)))


def all_entries():
    return [entry for domain in catalogues.DOMAINS for entry in supplement(domain) if not entry.obsolete]


# --- the supplement itself ------------------------------------------------------------


def test_supplement_translates_every_msgid_django_leaves_untranslated_in_uzbek():
    result = catalogues.report("uz")
    assert len(result.gaps) > 300  # the installed Django's uz catalogues really are this incomplete
    assert [gap.msgid for gap in result.uncovered] == []


def test_supplement_holds_no_msgid_django_no_longer_has():
    assert catalogues.report("uz").stale == []


def test_supplement_has_one_plural_form_as_uzbek_does():
    for domain in catalogues.DOMAINS:
        po = supplement(domain)
        assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
        assert po.metadata["Language"] == "uz"
        for entry in po:
            if entry.msgid_plural:
                assert list(entry.msgstr_plural) == [0], entry.msgid


def test_supplement_keeps_every_placeholder():
    problems = {entry.msgid: catalogues.placeholder_mismatches(entry) for entry in all_entries()}
    assert {msgid: forms for msgid, forms in problems.items() if forms} == {}


def test_supplement_spells_o_and_g_with_u02bb_and_the_tutuq_with_u02bc():
    for entry in all_entries():
        for form in catalogues.entry_translations(entry):
            assert not re.search(r"['‘’`]", form), (entry.msgid, form)
    joined = " ".join(form for entry in all_entries() for form in catalogues.entry_translations(entry))
    assert "o\u02bb" in joined and "g\u02bb" in joined and "\u02bc" in joined


def test_supplement_is_what_the_running_admin_speaks_in_uzbek():
    with translation.override("uz"):
        assert {msgid: translation.gettext(msgid) for msgid in SEEN_FIRST} == SEEN_FIRST
        assert translation.pgettext("alt. month", "December") == "dekabr"
        assert translation.ngettext("%(counter)s result", "%(counter)s results", 3) % {"counter": 3} == "3 ta natija"


def test_supplement_wins_over_a_wrong_django_translation():
    # Django's uz catalogue has "Aniq" ("exact") for the file widget's "Clear".
    django_uz = polib.pofile(str(catalogues.DJANGO_DIR / "conf/locale/uz/LC_MESSAGES/django.po"))
    assert django_uz.find("Clear").msgstr == "Aniq"
    with translation.override("uz"):
        assert translation.gettext("Clear") == "Tozalash"


@pytest.mark.django_db
def test_admin_javascript_catalogue_speaks_uzbek(admin_client):
    body = admin_client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="uz").content.decode()
    assert "%(cnt)s tadan %(sel)s tasi tanlandi" in body
    assert '"Yesterday": "Kecha"' in body
    assert "Yakshanba" in body


def test_django_russian_catalogues_need_no_supplement():
    result = catalogues.report("ru")
    assert result.gaps == {}


# --- the gap finder, on a small Django tree of its own -----------------------------------


def write_po(path, body: str, plural: str = "nplurals=2; plural=(n != 1);"):
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: {plural}\\n"\n\n'
    path.write_text(header + textwrap.dedent(body), encoding="utf-8")


@pytest.fixture
def fake_django(tmp_path):
    """A django package tree with one admin catalogue: five msgids, Uzbek translating one well."""
    admin = tmp_path / "django" / "contrib" / "admin" / "locale"
    write_po(
        admin / "en" / "LC_MESSAGES" / "django.po",
        """\
        msgid "Log in"
        msgstr ""

        msgid "Home"
        msgstr ""

        msgid "Yes"
        msgstr ""

        msgid "Delete"
        msgstr ""

        #, python-format
        msgid "%(count)s item"
        msgid_plural "%(count)s items"
        msgstr[0] ""
        msgstr[1] ""
        """,
    )
    write_po(
        admin / "uz" / "LC_MESSAGES" / "django.po",
        """\
        msgid "Home"
        msgstr ""

        #, fuzzy
        msgid "Log in"
        msgstr "Kirmoq"

        msgid "Yes"
        msgstr "Ha"

        msgid "Delete"
        msgstr "O'chirish"
        """,
        plural="nplurals=1; plural=0;",
    )
    return tmp_path / "django"


def test_gap_finder_names_missing_untranslated_fuzzy_and_misspelt_msgids(fake_django):
    gaps = catalogues.django_gaps("uz", django_dir=fake_django)
    reasons = {msgid: gap.reasons for (_, _, msgid), gap in gaps.items()}
    assert reasons == {
        "Log in": [catalogues.FUZZY],
        "Home": [catalogues.UNTRANSLATED],
        "Delete": [catalogues.APOSTROPHES],
        "%(count)s item": [catalogues.MISSING],
    }
    assert gaps[("django", None, "Delete")].django_msgstr == "O'chirish"


def test_update_adds_new_msgids_untranslated_and_keeps_existing_translations(fake_django, tmp_path):
    root = tmp_path / "supplement"
    write_po(
        catalogues.supplement_path("uz", "django", root),
        """\
        msgid "Home"
        msgstr "Bosh sahifa"

        msgid "Gone from Django"
        msgstr "Eski"
        """,
        plural="nplurals=1; plural=0;",
    )
    counts = catalogues.update_supplement("uz", django_dir=fake_django, root=root)
    assert counts == {"added": 3, "obsoleted": 1}
    po = polib.pofile(str(catalogues.supplement_path("uz", "django", root)))
    assert po.find("Home").msgstr == "Bosh sahifa"
    assert po.find("Gone from Django", include_obsolete_entries=True).obsolete
    plural = po.find("%(count)s item")
    assert plural.msgstr_plural == {0: ""} and "python-format" in plural.flags
    assert "Django has: O'chirish" in po.find("Delete").comment
    result = catalogues.report("uz", django_dir=fake_django, root=root)
    assert sorted(gap.msgid for gap in result.uncovered) == ["%(count)s item", "Delete", "Log in"]


def test_a_translation_losing_a_placeholder_is_caught():
    entry = polib.POEntry(
        msgid="%(count)s item",
        msgid_plural="%(count)s items",
        msgstr_plural={0: "bitta narsa"},
        flags=["python-format"],
    )
    assert catalogues.placeholder_mismatches(entry) == ["bitta narsa"]
    entry.msgstr_plural = {0: "%(count)s ta narsa"}
    assert catalogues.placeholder_mismatches(entry) == []
    brace = polib.POEntry(msgid="Changed {fields}.", msgstr="{field} o'zgardi.", flags=["python-brace-format"])
    assert catalogues.placeholder_mismatches(brace) == ["{field} o'zgardi."]


# --- the command ----------------------------------------------------------------------


def test_command_check_passes_for_our_supplement():
    out = StringIO()
    call_command("django_translation_gaps", "--check", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["language"] == "uz"
    assert summary["uncovered"] == 0
    assert summary["django_gaps"] > 300


def test_command_check_fails_and_lists_what_is_missing(settings, tmp_path):
    settings.BASE_DIR = tmp_path  # no supplement there
    out = StringIO()
    with pytest.raises(CommandError, match="not translated in locale_django/uz/"):
        call_command("django_translation_gaps", "--check", stdout=out)
    assert "'Save and add another'" in out.getvalue()


def test_login_page_in_uzbek_has_no_english_of_django(client, settings):
    settings.LANGUAGE_CODE = "uz"
    page = client.get(reverse("admin:login")).content.decode()
    for english in ("Log in", "Username", "Password", "Forgotten your"):
        assert english not in page
    assert "Parol" in page
