"""Messages to leads in the lead's language: MessageTemplate rows, their rules
and their rendering.

A template is plain text with ``{name}``-style placeholders; each kind offers
its own (PLACEHOLDERS) and nothing else is accepted — no attribute or index
access, no format specs — so a text typed in the admin can never reach into
our objects. Rendering picks the template in the lead's language, else the
centre's default (LANGUAGE_CODE), else English; when a manager deleted a row,
the built-in text of that language (DEFAULTS, the same the data migration
created) stands in, so a message is never lost for want of a template.
"""

from __future__ import annotations

import re
import string

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reminders.models import MessageKind, MessageTemplate

K = MessageKind
TRIAL_PLACEHOLDERS = ("name", "course", "date", "time", "place")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    K.TRIAL_PRE_LEAD_SMS: TRIAL_PLACEHOLDERS,
    K.TRIAL_PRE_LEAD_TELEGRAM: TRIAL_PLACEHOLDERS,
    K.TELEGRAM_WELCOME: (),
    K.TELEGRAM_SHARE_BUTTON: (),
    K.TELEGRAM_THANK_YOU: (),
    K.TELEGRAM_OWN_CONTACT: (),
    K.SMS_TEST: (),
}
SMS_KINDS = frozenset({K.TRIAL_PRE_LEAD_SMS, K.SMS_TEST})

UNKNOWN_PLACEHOLDER = _("Unknown placeholder {%(name)s}. This message can use: %(allowed)s.")
NO_PLACEHOLDERS = _("Unknown placeholder {%(name)s}. This message takes no placeholders.")
BAD_PLACEHOLDER = _("Write placeholders as {name}, without dots, brackets or formats: {%(field)s} is not one.")
UNBALANCED = _("A brace is not closed or not opened; write a literal brace twice ({{ or }}).")
EMPTY = _("The text is empty.")

# Built-in texts, one per kind and language: natural Uzbek Latin (oʻ, gʻ with
# U+02BB), natural Russian, English. The data migration 0005 created the same rows.
DEFAULTS: dict[str, dict[str, str]] = {
    K.TRIAL_PRE_LEAD_SMS: {
        "uz": "Assalomu alaykum! {date} kuni soat {time} da {course} boʻyicha sinov darsingiz boʻladi. "
        "Manzil: {place}. Kutib qolamiz!",
        "ru": "Здравствуйте! Ждём вас на пробном уроке «{course}» {date} в {time}. Адрес: {place}.",
        "en": "Hello! Your trial {course} lesson is on {date} at {time}, {place}. See you there!",
    },
    K.TRIAL_PRE_LEAD_TELEGRAM: {
        "uz": "Assalomu alaykum, {name}! {date} kuni soat {time} da {course} boʻyicha sinov darsingizni "
        "kutamiz. Xona: {place}. Rejangiz oʻzgarsa, shu yerga yozing.",
        "ru": "Здравствуйте, {name}! Ждём вас на пробном уроке «{course}» {date} в {time}, кабинет {place}. "
        "Если планы изменятся, просто напишите сюда.",
        "en": "Hello, {name}! We look forward to seeing you at your trial {course} lesson on {date} at {time}, "
        "room {place}. If your plans change, just reply here.",
    },
    K.TELEGRAM_WELCOME: {
        "uz": "Assalomu alaykum! Kurslarimiz boʻyicha maslahat olish uchun quyidagi tugma orqali "
        "telefon raqamingizni yuboring.",
        "ru": "Здравствуйте! Чтобы получить консультацию по курсам, отправьте свой номер кнопкой ниже.",
        "en": "Hello! To get advice on our courses, send your phone number with the button below.",
    },
    K.TELEGRAM_SHARE_BUTTON: {"uz": "📱 Raqamni yuborish", "ru": "📱 Отправить номер", "en": "📱 Send my number"},
    K.TELEGRAM_THANK_YOU: {
        "uz": "Rahmat! Menejerimiz tez orada siz bilan bogʻlanadi.",
        "ru": "Спасибо! Наш менеджер скоро свяжется с вами.",
        "en": "Thank you! Our manager will contact you soon.",
    },
    K.TELEGRAM_OWN_CONTACT: {
        "uz": "Iltimos, oʻzingizning raqamingizni quyidagi tugma orqali yuboring.",
        "ru": "Пожалуйста, отправьте свой собственный номер кнопкой ниже.",
        "en": "Please send your own number with the button below.",
    },
    K.SMS_TEST: {
        "uz": "Bu sinov xabari: SMS xabarnomalar ishlayapti.",
        "ru": "Это тестовое сообщение: SMS-уведомления работают.",
        "en": "This is a test message: SMS notifications work.",
    },
}

_FORMATTER = string.Formatter()
_PLACEHOLDER_NAME = re.compile(r"^[a-z_]+$")
# "Hello, {name}!" with no name: drop the comma left before the punctuation.
_DANGLING_COMMA = re.compile(r"\s*,\s*(?=[!?.])")


def template_errors(*, kind: str, text: str) -> list[str]:
    """What is wrong with ``text`` as the template of ``kind`` (empty: nothing)."""
    if not text.strip():
        return [str(EMPTY)]
    allowed = PLACEHOLDERS.get(kind, ())
    try:
        fields = [(field, spec, conv) for _lit, field, spec, conv in _FORMATTER.parse(text) if field is not None]
    except ValueError:
        return [str(UNBALANCED)]
    errors = []
    for field, spec, conv in fields:
        if not _PLACEHOLDER_NAME.match(field) or spec or conv:
            errors.append(str(BAD_PLACEHOLDER % {"field": field}))
        elif field not in allowed:
            errors.append(
                str(
                    UNKNOWN_PLACEHOLDER % {"name": field, "allowed": ", ".join(f"{{{p}}}" for p in allowed)}
                    if allowed
                    else NO_PLACEHOLDERS % {"name": field}
                )
            )
    return errors


def language_chain(language: str | None) -> list[str]:
    """The languages to try, in order: the lead's, the centre's, English."""
    chain = []
    for code in (language, settings.LANGUAGE_CODE, "en"):
        if code and code not in chain:
            chain.append(code)
    return chain


def template_rows(*, kinds) -> dict[str, dict[str, str]]:
    """The saved templates of ``kinds`` as {kind: {language: text}}, in one
    query: a batch of messages renders from them (``message_render(rows=...)``)."""
    rows: dict[str, dict[str, str]] = {kind: {} for kind in kinds}
    for kind, language, text in MessageTemplate.objects.filter(kind__in=kinds).values_list("kind", "language", "text"):
        rows[kind][language] = text
    return rows


def template_text(*, kind: str, language: str | None, rows: dict[str, str] | None = None) -> tuple[str, str]:
    """(text, language) of the template to use for ``kind`` in ``language``. One
    query, none when ``rows`` (this kind's saved texts by language, from
    ``template_rows``) is given."""
    if rows is None:
        rows = dict(MessageTemplate.objects.filter(kind=kind).values_list("language", "text"))
    defaults = DEFAULTS.get(kind, {})
    for code in language_chain(language):
        if code in rows:
            return rows[code], code
        if code in defaults:
            return defaults[code], code
    raise LookupError(f"No template for message “{kind}”.")


def render(text: str, context: dict[str, str]) -> str:
    """``text`` with its placeholders filled; an unknown one (a template saved
    before the rules) is left as typed rather than failing the message."""
    values = {key: str(value or "") for key, value in context.items()}
    out = []
    try:
        for literal, field, _spec, _conv in _FORMATTER.parse(text):
            out.append(literal)
            if field is not None:
                out.append(values.get(field, "{" + field + "}"))
    except ValueError:  # an unbalanced brace: send the text as typed
        return text
    rendered = "".join(out)
    if "name" in context and not values["name"]:
        rendered = _DANGLING_COMMA.sub("", rendered)
    return rendered


def message_render(
    *, kind: str, language: str | None, context: dict[str, str] | None = None, rows: dict[str, str] | None = None
) -> str:
    """The text of ``kind`` for someone speaking ``language``, filled with
    ``context``; ``rows`` as for ``template_text``."""
    text, _code = template_text(kind=kind, language=language, rows=rows)
    return render(text, context or {})
