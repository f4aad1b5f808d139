"""What Django's own catalogues leave untranslated in a language, and whether our
supplement (``locale_django/``, see its README) makes up for it.

Django ships, for every component, an English catalogue
(``<component>/locale/en/LC_MESSAGES/<domain>.po``) that holds every msgid of the
installed version: it is the template. A msgid *needs the supplement* in a
language when that language's catalogue of the same component

- does not have it (the catalogue is older than the code, or there is none),
- has it untranslated or fuzzy (neither is compiled, so English shows), or
- translates it with an apostrophe our orthography does not use (Uzbek: Django's
  translators write ``o'``/``o‘``; we write ``oʻ`` with U+02BB and the tutuq
  belgisi with U+02BC, ``locale/GLOSSARY.md``), which would mix two spellings on
  one page.

``manage.py django_translation_gaps`` prints the report and ``--update`` adds
what a Django upgrade brought to the supplement, untranslated, for a translator;
``tests/core/test_django_uz_supplement.py`` fails while anything is uncovered.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import django
import polib
from django.conf import settings

DJANGO_DIR = Path(django.__file__).resolve().parent


@dataclass(frozen=True)
class Catalogue:
    label: str
    path: str  # the component's locale folder, relative to the django package
    domain: str


# The catalogues the admin and auth can show. Not here: admindocs, humanize,
# flatpages, redirects, sites, postgres, gis (not installed); messages and
# staticfiles (no strings).
CATALOGUES = (
    Catalogue("core", "conf/locale", "django"),
    Catalogue("admin", "contrib/admin/locale", "django"),
    Catalogue("admin", "contrib/admin/locale", "djangojs"),
    Catalogue("auth", "contrib/auth/locale", "django"),
    Catalogue("contenttypes", "contrib/contenttypes/locale", "django"),
    Catalogue("sessions", "contrib/sessions/locale", "django"),
)
DOMAINS = ("django", "djangojs")

MISSING = "missing"  # not in the language's catalogue (or only as an obsolete entry)
UNTRANSLATED = "untranslated"
FUZZY = "fuzzy"
APOSTROPHES = "apostrophes"

# Apostrophes a translation must not contain, per language.
NONSTANDARD_APOSTROPHES = {"uz": re.compile(r"['‘’`]")}

SUPPLEMENT_HEADER = {
    "uz": {
        "Project-Id-Version": "crm Django supplement",
        "PO-Revision-Date": "2026-12-01 12:00+0500",
        "Last-Translator": "CRM team",
        "Language-Team": "Uzbek (Latin)",
        "Language": "uz",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
}

Key = tuple[str, str | None, str]  # (domain, msgctxt, msgid)


@dataclass
class Gap:
    domain: str
    msgctxt: str | None
    msgid: str
    msgid_plural: str
    flags: list[str]
    catalogues: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    django_msgstr: str = ""  # Django's present translation (first plural form), if any

    @property
    def key(self) -> Key:
        return (self.domain, self.msgctxt, self.msgid)


@dataclass
class Report:
    language: str
    gaps: dict[Key, Gap]
    # gaps the supplement lacks, or has untranslated or fuzzy
    uncovered: list[Gap]
    # supplement entries Django no longer has at all (safe to drop)
    stale: list[Key]
    # supplement entries for msgids Django now translates itself (ours still wins)
    overrides: list[Key]


def supplement_dir() -> Path:
    return Path(settings.BASE_DIR) / "locale_django"


def supplement_path(language: str, domain: str, root: Path | None = None) -> Path:
    return (root or supplement_dir()) / language / "LC_MESSAGES" / f"{domain}.po"


def entry_translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def is_translated(entry: polib.POEntry | None) -> bool:
    """Would msgfmt compile it? (present, not obsolete, not fuzzy, no empty form)"""
    if entry is None or entry.obsolete or "fuzzy" in entry.flags:
        return False
    forms = entry_translations(entry)
    return bool(forms) and all(forms)


def _entries(path: Path) -> dict[tuple[str | None, str], polib.POEntry]:
    if not path.exists():
        return {}
    return {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(path)) if not entry.obsolete}


def django_gaps(language: str, *, django_dir: Path = DJANGO_DIR) -> dict[Key, Gap]:
    """Every msgid of the covered catalogues that needs the supplement in `language`."""
    bad_apostrophe = NONSTANDARD_APOSTROPHES.get(language)
    gaps: dict[Key, Gap] = {}
    for catalogue in CATALOGUES:
        base = django_dir / catalogue.path
        template = _entries(base / "en" / "LC_MESSAGES" / f"{catalogue.domain}.po")
        translated = _entries(base / language / "LC_MESSAGES" / f"{catalogue.domain}.po")
        for (msgctxt, msgid), source in template.items():
            entry = translated.get((msgctxt, msgid))
            if entry is None:
                reason = MISSING
            elif "fuzzy" in entry.flags:
                reason = FUZZY
            elif not is_translated(entry):
                reason = UNTRANSLATED
            elif bad_apostrophe and any(bad_apostrophe.search(form) for form in entry_translations(entry)):
                reason = APOSTROPHES
            else:
                continue
            gap = gaps.setdefault(
                (catalogue.domain, msgctxt, msgid),
                Gap(
                    domain=catalogue.domain,
                    msgctxt=msgctxt,
                    msgid=msgid,
                    msgid_plural=source.msgid_plural,
                    flags=[flag for flag in source.flags if flag != "fuzzy"],
                    django_msgstr=entry_translations(entry)[0] if entry is not None else "",
                ),
            )
            gap.catalogues.append(catalogue.label)
            if reason not in gap.reasons:
                gap.reasons.append(reason)
    return gaps


def django_msgids(*, django_dir: Path = DJANGO_DIR) -> set[Key]:
    """Every msgid of the covered catalogues, translated anywhere or not."""
    keys: set[Key] = set()
    for catalogue in CATALOGUES:
        template = django_dir / catalogue.path / "en" / "LC_MESSAGES" / f"{catalogue.domain}.po"
        keys.update((catalogue.domain, ctxt, msgid) for ctxt, msgid in _entries(template))
    return keys


def report(language: str, *, django_dir: Path = DJANGO_DIR, root: Path | None = None) -> Report:
    gaps = django_gaps(language, django_dir=django_dir)
    known = django_msgids(django_dir=django_dir)
    uncovered, stale, overrides = [], [], []
    ours: dict[Key, polib.POEntry] = {}
    for domain in DOMAINS:
        for (ctxt, msgid), entry in _entries(supplement_path(language, domain, root)).items():
            ours[(domain, ctxt, msgid)] = entry
    for key, gap in gaps.items():
        if not is_translated(ours.get(key)):
            uncovered.append(gap)
    for key in ours:
        if key not in known:
            stale.append(key)
        elif key not in gaps:
            overrides.append(key)
    return Report(language=language, gaps=gaps, uncovered=uncovered, stale=stale, overrides=overrides)


def update_supplement(language: str, *, django_dir: Path = DJANGO_DIR, root: Path | None = None) -> dict[str, int]:
    """Add every uncovered msgid to the supplement (empty, for a translator) and
    mark entries Django no longer has obsolete. Translations are never touched."""
    result = report(language, django_dir=django_dir, root=root)
    counts = {"added": 0, "obsoleted": 0}
    for domain in DOMAINS:
        path = supplement_path(language, domain, root)
        new = [gap for gap in result.uncovered if gap.domain == domain]
        stale = {(ctxt, msgid) for dom, ctxt, msgid in result.stale if dom == domain}
        if not path.exists() and not new:
            continue
        po = polib.pofile(str(path)) if path.exists() else _new_catalogue(language)
        present = {(entry.msgctxt, entry.msgid): entry for entry in po}
        for gap in new:
            if (gap.msgctxt, gap.msgid) in present:
                continue  # there, but untranslated or fuzzy: the translator's to finish
            po.append(_entry_for(gap))
            counts["added"] += 1
        for entry in po:
            if not entry.obsolete and (entry.msgctxt, entry.msgid) in stale:
                entry.obsolete = True
                counts["obsoleted"] += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
    return counts


def _new_catalogue(language: str) -> polib.POFile:
    po = polib.POFile()
    po.metadata = dict(SUPPLEMENT_HEADER.get(language, {"Language": language}))
    po.header = (
        f"Django's own messages that its {language} catalogues leave untranslated.\n"
        "Regenerate the list with `manage.py django_translation_gaps --language "
        f"{language} --update` (locale_django/README.md)."
    )
    return po


def _entry_for(gap: Gap) -> polib.POEntry:
    comment = f"django: {', '.join(gap.catalogues)} ({', '.join(gap.reasons)})"
    if gap.django_msgstr:
        comment += f"\nDjango has: {gap.django_msgstr}"
    entry = polib.POEntry(msgctxt=gap.msgctxt, msgid=gap.msgid, msgstr="", comment=comment, flags=list(gap.flags))
    if gap.msgid_plural:
        entry.msgid_plural = gap.msgid_plural
        entry.msgstr_plural = {0: ""}
    return entry


_PERCENT = re.compile(r"%(?:\((\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"\{(\w*)(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str, flags: Iterable[str]) -> list[str]:
    """The interpolation slots of a message, sorted (named by name, positional by kind)."""
    found = []
    if "python-format" in flags:
        found += [f"%({name}){kind}" if name else f"%{kind}" for name, kind in _PERCENT.findall(text)]
    if "python-brace-format" in flags:
        found += ["{" + name + "}" for name in _BRACE.findall(text)]
    return sorted(found)


def placeholder_mismatches(entry: polib.POEntry) -> list[str]:
    """Translated forms whose placeholders differ from the source's. In a plural
    entry every form must carry the plural source's placeholders, except that the
    first of several forms may carry the singular's (a one-form language such as
    Uzbek uses its only form for every number, so it needs the plural's)."""
    problems = []
    forms = entry_translations(entry)
    for index, form in enumerate(forms):
        if not form:
            continue
        got = placeholders(form, entry.flags)
        if not entry.msgid_plural:
            ok = got == placeholders(entry.msgid, entry.flags)
        else:
            ok = got == placeholders(entry.msgid_plural, entry.flags) or (
                index == 0 and len(forms) > 1 and got == placeholders(entry.msgid, entry.flags)
            )
        if not ok:
            problems.append(form)
    return problems
