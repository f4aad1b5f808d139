"""Telegram Bot API webhook updates (https://core.telegram.org/bots/api#update).

/start answers with a keyboard button that requests the user's contact; a
shared contact that is the sender's own (contact.user_id == from.id) becomes an
inquiry with the chat id kept, so later messages can go back to that chat.
"""

from django.utils import timezone

from intake.channels.base import BadRequest, Ignore, Incoming, Inquiry, from_epoch, load_json_object, text_of
from leads.models import LeadSource, centre_language, language_from
from reminders.models import MessageKind
from reminders.templates import message_render

# Replies are message templates (reminders.templates, edited in admin), in the
# sender's Telegram language (from.language_code: uz, ru, en; others get the
# centre's default), which also becomes the new lead's language.

NO_UPDATE_ID = "A Telegram update needs an integer update_id."
IGNORED_NOT_PRIVATE = "not a private chat"
IGNORED_OTHER = "no /start and no contact"
IGNORED_OTHERS_CONTACT = "contact is not the sender's own"
IGNORED_NO_MESSAGE = "update without a message"


def sender_language(sender: dict) -> str:
    return language_from(sender.get("language_code")) or centre_language()


def reply_text(kind: str, language: str) -> str:
    return message_render(kind=kind, language=language)


def contact_keyboard(language: str) -> dict:
    return {
        "keyboard": [[{"text": reply_text(MessageKind.TELEGRAM_SHARE_BUTTON, language), "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


REMOVE_KEYBOARD = {"remove_keyboard": True}


def parse(body: bytes) -> list[Incoming]:
    update = load_json_object(body)
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise BadRequest(NO_UPDATE_ID)
    return [Incoming(external_id=str(update_id), payload=update)]


def handle(event) -> Inquiry | Ignore:
    message = event.payload.get("message")
    if not isinstance(message, dict):
        return Ignore(IGNORED_NO_MESSAGE)
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if chat.get("type") != "private" or "id" not in chat:
        return Ignore(IGNORED_NOT_PRIVATE)
    chat_id = chat["id"]
    language = sender_language(sender)
    contact = message.get("contact")
    if isinstance(contact, dict):
        if contact.get("user_id") is None or contact.get("user_id") != sender.get("id"):
            own = reply_text(MessageKind.TELEGRAM_OWN_CONTACT, language)
            return Ignore(IGNORED_OTHERS_CONTACT, reply=_reply(chat_id, own, contact_keyboard(language)))
        name = " ".join(
            p for p in (text_of(contact.get("first_name"), 100), text_of(contact.get("last_name"), 100)) if p
        )
        return Inquiry(
            phone=text_of(contact.get("phone_number"), 64),
            source=LeadSource.TELEGRAM,
            at=from_epoch(message.get("date")) or event.received_at or timezone.now(),
            details={"full_name": name[:200], "telegram_chat_id": str(chat_id), "language": language},
            note=_note(sender, chat_id),
            reply=_reply(chat_id, reply_text(MessageKind.TELEGRAM_THANK_YOU, language), REMOVE_KEYBOARD),
        )
    text = (message.get("text") or "").strip()
    if text.split("@")[0].split(" ")[0] == "/start":
        welcome = reply_text(MessageKind.TELEGRAM_WELCOME, language)
        return Ignore("/start", reply=_reply(chat_id, welcome, contact_keyboard(language)))
    return Ignore(IGNORED_OTHER)


def _reply(chat_id, text: str, reply_markup: dict | None) -> dict:
    return {"chat_id": chat_id, "text": text, "reply_markup": reply_markup}


def _note(sender: dict, chat_id) -> str:
    username = sender.get("username")
    return f"Telegram chat {chat_id}" + (f" (@{username})" if username else "")
