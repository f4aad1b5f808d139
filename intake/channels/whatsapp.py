"""WhatsApp Cloud API webhooks (``messages`` field).

Each inbound message is one event (its ``wamid`` is the id); status updates
(sent/delivered/read of our own messages) are acknowledged and not stored.
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
"""

from django.utils import timezone

from intake.channels.base import (
    BadRequest,
    Ignore,
    Incoming,
    Inquiry,
    as_dict,
    as_list,
    from_epoch,
    is_id,
    load_json_object,
    snippet,
    text_of,
)
from leads.models import LeadSource

NO_ENTRIES = "A WhatsApp webhook needs an entry list."
NO_MESSAGE_ID = "A WhatsApp message needs an id and a sender (from)."
# Not an inquiry: a reaction to one of our messages, a "number changed" notice.
IGNORED_TYPES = frozenset({"reaction", "system", "ephemeral"})


def parse(body: bytes) -> list[Incoming]:
    data = load_json_object(body)
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise BadRequest(NO_ENTRIES)
    incoming = []
    for entry in entries:
        for change in as_list(as_dict(entry).get("changes")):
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            value = as_dict(change.get("value"))
            contacts = {str(c.get("wa_id")): c for c in as_list(value.get("contacts")) if isinstance(c, dict)}
            for message in as_list(value.get("messages")):
                if not isinstance(message, dict) or not is_id(message.get("id")) or not is_id(message.get("from")):
                    raise BadRequest(NO_MESSAGE_ID)
                incoming.append(
                    Incoming(
                        external_id=str(message["id"])[:128],
                        payload={
                            "message": message,
                            "contact": contacts.get(str(message["from"])),
                            "metadata": as_dict(value.get("metadata")),
                        },
                    )
                )
    return incoming


def handle(event) -> Inquiry | Ignore:
    message = event.payload["message"]
    kind = message.get("type") or "unknown"
    if kind in IGNORED_TYPES:
        return Ignore(f"{kind} message")
    contact = event.payload.get("contact") or {}
    wa_id = str(contact.get("wa_id") or message["from"])
    name = text_of((contact.get("profile") or {}).get("name"), 200)
    text = _text(message)
    return Inquiry(
        phone=f"+{wa_id.lstrip('+')}",
        source=LeadSource.WHATSAPP,
        at=from_epoch(message.get("timestamp")) or event.received_at or timezone.now(),
        details={k: v for k, v in {"full_name": name, "whatsapp_id": wa_id[:32], "comment": text}.items() if v},
        note=f"WhatsApp: {snippet(text, 200)}",
    )


def _text(message: dict) -> str:
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind == "button":
        return str((message.get("button") or {}).get("text") or "")
    if kind == "interactive":
        reply = message.get("interactive") or {}
        chosen = reply.get("button_reply") or reply.get("list_reply") or {}
        return str(chosen.get("title") or "")
    caption = (message.get(kind) or {}).get("caption") if isinstance(message.get(kind), dict) else ""
    return f"[{kind}] {caption}".strip() if kind else ""
