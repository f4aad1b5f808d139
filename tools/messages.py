"""Our translation catalogues (locale/uz, locale/ru): check them, list what is left, fill them.

    .venv/bin/python tools/messages.py check            # CI (make check-messages): makemessages finds
                                                        # nothing new and nothing is untranslated or fuzzy,
                                                        # and locale_apps/ covers django-axes's own msgids
    .venv/bin/python tools/messages.py update           # makemessages for uz and ru (our domain only)
    .venv/bin/python tools/messages.py todo [--json]    # the untranslated and fuzzy entries, per language
    .venv/bin/python tools/messages.py apply FILE.json  # write translations from FILE.json
    .venv/bin/python tools/messages.py prefill          # copy Django's own translations of identical msgids
    .venv/bin/python tools/messages.py apps [--update]  # third-party apps' texts (django-axes) against their
                                                        # source: what locale_apps/ lacks; --update adds it empty

After a merge brings new strings: `update`, then `todo --json > todo.json`, translate
(following locale/GLOSSARY.md) into a file shaped like

    {"Lead saved.": {"uz": "Lid saqlandi.", "ru": "Лид сохранён."},
     "%(count)d lead": {"uz": ["%(count)d ta lid"],
                        "ru": ["%(count)d лид", "%(count)d лида", "%(count)d лидов", "%(count)d лида"]}}

(plural entries: a list, one string per plural form of the language: Uzbek has one,
Russian four as Django's own catalogue counts them), `apply` it, then `check`.
A msgid with a context is keyed "context\\x04msgid", as gettext stores it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from core import app_catalogues  # noqa: E402  (plain Python, no Django settings)

LANGUAGES = ("uz", "ru")
LOCALE = ROOT / "locale"
IGNORE = [
    ".venv",
    "var",
    "staticfiles",
    "node_modules",
    "tests",
    "bench",
    "tools",
    "mutants",
    "locale_django",
    "locale_apps",
]
DJANGO_SUPPLEMENT = ROOT / "locale_django"


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def is_done(entry: polib.POEntry) -> bool:
    if entry.fuzzy or entry.obsolete:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def makemessages() -> None:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "True")}
    # File names without line numbers: the catalogue does not change when code moves.
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--add-location=file", "-v", "0"]
    command += [arg for language in LANGUAGES for arg in ("-l", language)]
    command += [f"--ignore={pattern}" for pattern in IGNORE]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def _messages(text: str) -> dict[str, tuple]:
    """What a catalogue says (msgids, plural msgids, flags, translations), not how it is
    laid out: the POT-Creation-Date, references and line wrapping are left out."""
    return {
        key(e): (e.msgid_plural, sorted(e.flags), e.msgstr, sorted(e.msgstr_plural.items()))
        for e in polib.pofile(text)
        if not e.obsolete
    }


def todo(language: str) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(po_path(language))) if not is_done(e)]


def cmd_check(_args) -> int:
    problems = []
    before = {language: po_path(language).read_text(encoding="utf-8") for language in LANGUAGES}
    backup = Path(tempfile.mkdtemp(prefix="crm-messages-"))
    shutil.copytree(LOCALE, backup / "locale")
    try:
        makemessages()
        for language in LANGUAGES:
            old, new = _messages(before[language]), _messages(po_path(language).read_text(encoding="utf-8"))
            if old != new:
                added, gone = sorted(set(new) - set(old)), sorted(set(old) - set(new))
                changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
                problems.append(
                    f"{language}: makemessages changes the catalogue ({len(added)} new, {len(gone)} gone, "
                    f"{len(changed)} changed msgids"
                    f"{': ' + ', '.join(repr(m) for m in (added or changed)[:5]) if added or changed else ''}); "
                    "run tools/messages.py update and translate"
                )
    finally:
        shutil.rmtree(LOCALE)
        shutil.copytree(backup / "locale", LOCALE)
        shutil.rmtree(backup)
    for language in LANGUAGES:
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po_path(language))],
            capture_output=True,
            text=True,
        )
        stats = (result.stderr or result.stdout).strip()
        print(f"{language}: {stats}")
        if result.returncode != 0:
            problems.append(f"{language}: msgfmt --check failed")
        if "untranslated" in stats or "fuzzy" in stats:
            problems.append(f"{language}: {stats}")
    for language in LANGUAGES:
        found = app_catalogues.problems(language)
        print(f"{language}: third-party apps ({', '.join(app_catalogues.APPS)}): {len(found)} problem(s)")
        problems += found + [f"{language}: run tools/messages.py apps --update and translate"][: bool(found)]
    for problem in problems:
        print(f"check-messages: {problem}", file=sys.stderr)
    return 1 if problems else 0


def cmd_apps(args) -> int:
    """The third-party apps' texts against their installed source (core/app_catalogues.py)."""
    problems = []
    for language in LANGUAGES:
        if args.update:
            print(f"{language}: {app_catalogues.update(language)} msgid(s) added to locale_apps/ untranslated")
        result = app_catalogues.report(language)
        print(
            f"{language}: {len(result.messages)} msgids in {', '.join(app_catalogues.APPS)}, "
            f"{len(result.gaps)} translated only by locale_apps/, {len(result.uncovered)} not yet"
        )
        problems += app_catalogues.problems(language)
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


def cmd_update(_args) -> int:
    makemessages()
    for language in LANGUAGES:
        print(f"{language}: {len(todo(language))} to translate")
    return 0


def cmd_todo(args) -> int:
    if args.json:
        out = {}
        for language in LANGUAGES:
            for entry in todo(language):
                item = out.setdefault(key(entry), {"msgid_plural": entry.msgid_plural} if entry.msgid_plural else {})
                item[language] = [""] * len(entry.msgstr_plural) if entry.msgid_plural else ""
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for language in LANGUAGES:
        entries = todo(language)
        print(f"== {language}: {len(entries)} untranslated or fuzzy")
        for entry in entries:
            where = entry.occurrences[0][0] if entry.occurrences else ""
            print(f"  {where}: {entry.msgid!r}" + (f" / {entry.msgid_plural!r}" if entry.msgid_plural else ""))
    return 0


def _write(catalogue: polib.POFile, language: str) -> None:
    catalogue.metadata["Language"] = language
    catalogue.metadata["Project-Id-Version"] = "Education centre CRM"
    catalogue.metadata["Language-Team"] = {"uz": "Uzbek (Latin)", "ru": "Russian"}[language]
    catalogue.metadata["Last-Translator"] = "CRM team"
    catalogue.metadata["PO-Revision-Date"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M+0000")
    catalogue.metadata_is_fuzzy = False
    catalogue.wrapwidth = 79
    catalogue.save(str(po_path(language)))


def nplurals(catalogue: polib.POFile) -> int:
    return int(re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata["Plural-Forms"]).group(1))


def _set(entry: polib.POEntry, value, count: int) -> bool:
    if entry.msgid_plural:
        forms = value if isinstance(value, list) else [value]
        if not all(forms):
            return False
        entry.msgstr_plural = {i: forms[min(i, len(forms) - 1)] for i in range(count)}
    else:
        if not value:
            return False
        entry.msgstr = value
    if entry.fuzzy:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return True


def cmd_apply(args) -> int:
    data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    for language in LANGUAGES:
        catalogue = polib.pofile(str(po_path(language)))
        done = 0
        for entry in catalogue:
            item = data.get(key(entry))
            if item and language in item and (args.force or not is_done(entry)):
                done += _set(entry, item[language], nplurals(catalogue))
        _write(catalogue, language)
        print(f"{language}: {done} written, {len([e for e in catalogue if not is_done(e)])} left")
    makemessages()  # msgmerge's layout, so the next makemessages changes nothing
    return 0


def _django_catalogues(language: str) -> list[Path]:
    """Django's and Django REST framework's own catalogues, the supplement first."""
    import django
    import rest_framework

    found = []
    for package in (django, rest_framework):
        found += sorted(Path(package.__file__).parent.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))
    supplement = DJANGO_SUPPLEMENT / language / "LC_MESSAGES" / "django.po"
    # The supplement wins over Django's own (it is what the admin shows).
    return ([supplement] if supplement.exists() else []) + found


def cmd_prefill(_args) -> int:
    for language in LANGUAGES:
        known: dict[str, polib.POEntry] = {}
        for path in _django_catalogues(language):
            for entry in polib.pofile(str(path)):
                if is_done(entry):
                    known.setdefault(key(entry), entry)
        catalogue = polib.pofile(str(po_path(language)))
        done = 0
        for entry in catalogue:
            source = known.get(key(entry))
            if source is None or is_done(entry) or bool(source.msgid_plural) != bool(entry.msgid_plural):
                continue
            value = (
                [source.msgstr_plural[i] for i in sorted(source.msgstr_plural)] if entry.msgid_plural else source.msgstr
            )
            done += _set(entry, value, nplurals(catalogue))
        _write(catalogue, language)
        print(f"{language}: {done} taken from Django's catalogues")
    makemessages()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check").set_defaults(func=cmd_check)
    sub.add_parser("update").set_defaults(func=cmd_update)
    todo_parser = sub.add_parser("todo")
    todo_parser.add_argument("--json", action="store_true")
    todo_parser.set_defaults(func=cmd_todo)
    apply_parser = sub.add_parser("apply")
    apply_parser.add_argument("file")
    apply_parser.add_argument("--force", action="store_true", help="overwrite existing translations too")
    apply_parser.set_defaults(func=cmd_apply)
    sub.add_parser("prefill").set_defaults(func=cmd_prefill)
    apps_parser = sub.add_parser("apps")
    apps_parser.add_argument("--update", action="store_true", help="add the msgids locale_apps/ lacks, untranslated")
    apps_parser.set_defaults(func=cmd_apps)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
