"""Call-tracking post-call webhooks, CallRail-style JSON.

Any inbound call is an inquiry: a caller we do not know becomes a lead (a
missed call too), a known caller counts a repeat inquiry. Outbound calls are ours.
"""

from django.utils import timezone

from intake.channels.base import BadRequest, Ignore, Incoming, Inquiry, is_id, load_json_object, parse_iso, text_of
from leads.models import LeadSource

NO_CALL_ID = "A call needs an id (resource_id or id)."
NO_CALLER = "A call needs the caller's number (customer_number or customer_phone_number)."
IGNORED_OUTBOUND = "outbound call"


def parse(body: bytes) -> list[Incoming]:
    call = load_json_object(body)
    call_id = call.get("resource_id") or call.get("id")
    if not is_id(call_id):
        raise BadRequest(NO_CALL_ID, {"resource_id": [NO_CALL_ID]})
    if not _caller(call):
        raise BadRequest(NO_CALLER, {"customer_number": [NO_CALLER]})
    return [Incoming(external_id=str(call_id)[:128], payload=call)]


def _caller(call: dict) -> str:
    return text_of(call.get("customer_number") or call.get("customer_phone_number"), 64)


def handle(event) -> Inquiry | Ignore:
    call = event.payload
    if str(call.get("direction") or "inbound").lower() != "inbound":
        return Ignore(IGNORED_OUTBOUND)
    answered = bool(call.get("answered"))
    duration = _int(call.get("duration"))
    source = text_of(call.get("source_name") or call.get("source"), 100)
    tracking = text_of(call.get("tracking_phone_number"), 32)
    if answered:
        minutes, seconds = divmod(duration, 60)
        what = f"Answered call, {minutes}m {seconds:02d}s"
    else:
        what = "Missed call"
    note = what + (f" to {tracking}" if tracking else "") + (f" ({source})" if source else "")
    details = {
        "full_name": text_of(call.get("customer_name"), 200),
        "utm_source": source,
        "utm_campaign": text_of(call.get("campaign"), 200),
    }
    return Inquiry(
        phone=_caller(call),
        source=LeadSource.CALL_TRACKING,
        at=parse_iso(call.get("start_time")) or event.received_at or timezone.now(),
        details={k: v for k, v in details.items() if v},
        note=note,
    )


def _int(value) -> int:
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return 0
