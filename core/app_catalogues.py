"""Third-party apps' texts that staff see, in Uzbek and Russian (``locale_apps/``).

django-axes (the login lockouts a manager lifts in the admin) ships no Uzbek
catalogue and a Russian one older than its code, so its section, models, columns
and filters showed in English. ``locale_apps/<lang>/LC_MESSAGES/django.po``
translates every msgid of a covered app that the app's own catalogue leaves
untranslated and that our ``locale/`` and ``locale_django/`` do not already
translate (they come first in ``LOCALE_PATHS`` and would win).

The msgids are read from **the installed app's own source** (its gettext calls
with a literal string, found with ``ast``), not from a catalogue that may be as
old as the Russian one: after an upgrade a new msgid shows as *uncovered* and a
dropped one as *stale*, and ``tools/messages.py check`` (CI) fails on either.
An app whose templates translate text is refused until this module reads them.

Plain Python, no Django settings, so that ``tools/messages.py`` can use it.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SUPPLEMENT = ROOT / "locale_apps"
# Ours first (what the running site prefers, README "Languages").
OUR_CATALOGUES = (ROOT / "locale", ROOT / "locale_django")
LANGUAGES = ("uz", "ru")

# Installed apps whose texts staff see. Not here: rest_framework and django_filters
# (only the JSON API's error texts, read by integrations), drf_spectacular (the API
# docs, in English for developers), csp and the sidecar (no texts).
APPS = ("axes",)

# Django's gettext functions: name -> (msgid argument, plural argument or None, context argument or None).
FUNCTIONS = {
    "_": (0, None, None),
    "gettext": (0, None, None),
    "gettext_lazy": (0, None, None),
    "gettext_noop": (0, None, None),
    "ngettext": (0, 1, None),
    "ngettext_lazy": (0, 1, None),
    "pgettext": (1, None, 0),
    "pgettext_lazy": (1, None, 0),
    "npgettext": (1, 2, 0),
    "npgettext_lazy": (1, 2, 0),
}
TEMPLATE_TAGS = re.compile(r"{%\s*(trans|translate|blocktrans|blocktranslate)\b")
NONSTANDARD_APOSTROPHES = {"uz": re.compile(r"['‘’`]")}

Key = tuple[str | None, str]  # (msgctxt, msgid)


class TemplatesNotRead(Exception):
    """The app's templates translate text, which this check reads only from
    Python code: rather than pass an app it half read, it refuses it."""


@dataclass
class Message:
    msgctxt: str | None
    msgid: str
    msgid_plural: str = ""
    python_format: bool = False
    where: list[str] = field(default_factory=list)  # "app/file.py:line"

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid)


@dataclass
class Report:
    language: str
    messages: dict[Key, Message]  # every msgid of the covered apps
    gaps: dict[Key, Message]  # those nobody but the supplement translates
    uncovered: list[Message]  # gaps the supplement lacks or leaves untranslated/fuzzy
    stale: list[Key]  # supplement entries no covered app has (any more)
    misspelt: list[Key]  # supplement translations with an apostrophe the language does not use
    placeholders: list[Key]  # supplement translations that lose or add a %(name)s


def package_dir(app: str) -> Path:
    spec = importlib.util.find_spec(app)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"{app} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "a" "b" is one Constant; "a" + "b" is not
        left, right = _literal(node.left), _literal(node.right)
        return left + right if left is not None and right is not None else None
    return None


def source_messages(app: str, *, directory: Path | None = None) -> dict[Key, Message]:
    """The msgids an app's Python code translates (gettext calls with a literal;
    an f-string cannot be translated and is skipped, as xgettext skips it).
    Migrations are left out: they describe past states of the models."""
    base = directory or package_dir(app)
    found: dict[Key, Message] = {}
    for path in sorted(base.rglob("*.py")):
        relative = path.relative_to(base.parent)
        if "migrations" in relative.parts or "tests" in relative.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in FUNCTIONS:
                continue
            msgid_at, plural_at, context_at = FUNCTIONS[name]
            args = node.args
            if len(args) <= max(i for i in (msgid_at, plural_at, context_at) if i is not None):
                continue
            msgid = _literal(args[msgid_at])
            plural = _literal(args[plural_at]) if plural_at is not None else ""
            context = _literal(args[context_at]) if context_at is not None else None
            if not msgid or plural is None or (context_at is not None and context is None):
                continue
            message = found.setdefault(
                (context, msgid), Message(context, msgid, plural, python_format="%" in msgid + plural)
            )
            message.where.append(f"{relative}:{node.lineno}")
    for template in sorted(base.rglob("*.html")) + sorted(base.rglob("*.txt")):
        if TEMPLATE_TAGS.search(template.read_text(encoding="utf-8", errors="replace")):
            raise TemplatesNotRead(
                f"{template} translates text and the check reads only Python code: list this app's "
                "template msgids in locale_apps/ by hand, or teach source_messages to read templates."
            )
    return found


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _done(entry: polib.POEntry | None) -> bool:
    if entry is None or entry.obsolete or entry.fuzzy:
        return False
    forms = _translations(entry)
    return bool(forms) and all(forms)


def _translated(path: Path) -> set[Key]:
    if not path.exists():
        return set()
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if _done(e)}


def supplement_path(language: str, root: Path | None = None) -> Path:
    return (root or SUPPLEMENT) / language / "LC_MESSAGES" / "django.po"


_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def report(
    language: str,
    *,
    apps: tuple[str, ...] = APPS,
    root: Path | None = None,
    ours: tuple[Path, ...] = OUR_CATALOGUES,
    directories: dict[str, Path] | None = None,
) -> Report:
    messages: dict[Key, Message] = {}
    gaps: dict[Key, Message] = {}
    ours_translated = set().union(*(_translated(p / language / "LC_MESSAGES" / "django.po") for p in ours))
    for app in apps:
        base = (directories or {}).get(app) or package_dir(app)
        own = _translated(base / "locale" / language / "LC_MESSAGES" / "django.po")
        for key, message in source_messages(app, directory=base).items():
            messages.setdefault(key, message)
            if key not in own and key not in ours_translated:
                gaps.setdefault(key, message)
    path = supplement_path(language, root)
    entries = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path)) if not e.obsolete} if path.exists() else {}
    bad = NONSTANDARD_APOSTROPHES.get(language)
    misspelt, wrong_slots = [], []
    for key, entry in entries.items():
        forms = [form for form in _translations(entry) if form]
        if bad and any(bad.search(form) for form in forms):
            misspelt.append(key)
        source = _placeholders(entry.msgid_plural or entry.msgid)
        if any(_placeholders(form) != source for form in forms):
            wrong_slots.append(key)
    return Report(
        language=language,
        messages=messages,
        gaps=gaps,
        uncovered=[message for key, message in gaps.items() if not _done(entries.get(key))],
        stale=[key for key in entries if key not in messages],
        misspelt=misspelt,
        placeholders=wrong_slots,
    )


def problems(language: str, **kwargs) -> list[str]:
    """What `tools/messages.py check` reports, one line each."""
    result = report(language, **kwargs)
    where = f"locale_apps/{language}/"
    lines = [
        f"{language}: {message.msgid!r} ({message.where[0]}) is not translated in {where}"
        for message in result.uncovered
    ]
    lines += [
        f"{language}: {msgid!r} in {where} is no longer in {', '.join(APPS)}: drop it" for _, msgid in result.stale
    ]
    lines += [
        f"{language}: {msgid!r} in {where} is spelt with an apostrophe other than ʻ/ʼ" for _, msgid in result.misspelt
    ]
    lines += [f"{language}: {msgid!r} in {where} changes the placeholders" for _, msgid in result.placeholders]
    return lines


def update(language: str, root: Path | None = None) -> int:
    """Add every uncovered msgid to the supplement, empty, for a translator; drop stale ones."""
    result = report(language, root=root)
    path = supplement_path(language, root)
    po = polib.pofile(str(path)) if path.exists() else polib.POFile()
    if not path.exists():
        plural = (
            "nplurals=1; plural=0;"
            if language == "uz"
            else (
                "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : "
                "n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? 2 : 3);"
            )
        )
        po.metadata = {
            "Project-Id-Version": "crm third-party apps supplement",
            "PO-Revision-Date": "2026-12-01 14:00+0500",
            "Last-Translator": "CRM team",
            "Language-Team": {"uz": "Uzbek (Latin)", "ru": "Russian"}.get(language, language),
            "Language": language,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": plural,
        }
    present = {(e.msgctxt, e.msgid) for e in po}
    added = 0
    for message in result.uncovered:
        if message.key in present:
            continue
        entry = polib.POEntry(msgctxt=message.msgctxt, msgid=message.msgid, msgstr="", occurrences=[])
        entry.comment = ", ".join(sorted({where.split(":")[0] for where in message.where}))
        if message.python_format:
            entry.flags.append("python-format")
        if message.msgid_plural:
            entry.msgid_plural = message.msgid_plural
            entry.msgstr_plural = dict.fromkeys(range(1 if language == "uz" else 4), "")
        po.append(entry)
        added += 1
    for entry in list(po):
        if (entry.msgctxt, entry.msgid) in set(result.stale):
            po.remove(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    po.wrapwidth = 79
    po.save(str(path))
    return added
