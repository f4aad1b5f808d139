"""Meta Lead Ads webhooks (Instagram and Facebook lead forms).

A ``leadgen`` change carries only ids; the answers are fetched from the Graph
API (``GET /{leadgen_id}``) while processing, outside the request. Leads keep
source instagram; the platform (ig/fb) is kept on the event and the inquiry note.
https://developers.facebook.com/docs/marketing-api/guides/lead-ads/retrieving
"""

import hashlib
import hmac

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from intake.channels.base import (
    BadRequest,
    Ignore,
    Incoming,
    Inquiry,
    TransientError,
    Unprocessable,
    as_dict,
    as_list,
    from_epoch,
    is_id,
    load_json_object,
    parse_iso,
    text_of,
)
from leads.models import LeadSource

GRAPH_TIMEOUT_SECONDS = 10
GRAPH_FIELDS = "id,created_time,ad_id,adset_id,campaign_id,form_id,platform,is_organic,field_data"
PLATFORM_NAMES = {"ig": "Instagram", "fb": "Facebook"}

NO_ENTRIES = "A Meta webhook needs an entry list."
NO_LEADGEN_ID = "A leadgen change needs a leadgen_id."
NO_PAGE_TOKEN = "META_PAGE_ACCESS_TOKEN is not set, so lead details cannot be fetched."
NO_PHONE = "The lead form answers hold no phone number."

# Custom question keys that hold the course asked about (matched as substrings).
COURSE_KEYS = ("course", "kurs", "курс", "yo'nalish", "направление")


def parse(body: bytes) -> list[Incoming]:
    data = load_json_object(body)
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise BadRequest(NO_ENTRIES)
    incoming = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise BadRequest(NO_ENTRIES)
        for change in as_list(entry.get("changes")):
            if not isinstance(change, dict) or change.get("field") != "leadgen":
                continue
            value = as_dict(change.get("value"))
            leadgen_id = value.get("leadgen_id")
            if not is_id(leadgen_id):
                raise BadRequest(NO_LEADGEN_ID)
            incoming.append(
                Incoming(
                    external_id=str(leadgen_id)[:128],
                    payload={
                        "object": data.get("object", ""),
                        "entry_id": entry.get("id"),
                        "entry_time": entry.get("time"),
                        "value": value,
                    },
                    platform="ig" if data.get("object") == "instagram" else "",
                )
            )
    return incoming


def needs_fetch(event) -> bool:
    return event.fetched is None


def prepare(event) -> dict:
    """Fetch the lead's answers from the Graph API. Raises TransientError
    (network, 5xx, rate limits) or Unprocessable (the lead is gone, no access)."""
    token = settings.META_PAGE_ACCESS_TOKEN
    if not token:
        raise TransientError(NO_PAGE_TOKEN)
    leadgen_id = event.payload["value"]["leadgen_id"]
    params = {"access_token": token, "fields": GRAPH_FIELDS}
    if settings.META_APP_SECRET:
        params["appsecret_proof"] = hmac.new(
            settings.META_APP_SECRET.encode(), token.encode(), hashlib.sha256
        ).hexdigest()
    url = f"{settings.META_GRAPH_URL.rstrip('/')}/{leadgen_id}"
    try:
        response = requests.get(url, params=params, timeout=GRAPH_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise TransientError(f"Graph API unreachable: {exc.__class__.__name__}") from None
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code == 200 and isinstance(data, dict) and "field_data" in data:
        return data
    error = (data.get("error") or {}) if isinstance(data, dict) else {}
    message = f"Graph API GET /{leadgen_id}: HTTP {response.status_code}: {error.get('message') or response.reason}"
    # 5xx, throttling (429, or Graph's rate-limit codes 4/17/32/613) and expired
    # tokens (190) can pass; other 4xx mean this lead will never be readable.
    if response.status_code >= 500 or response.status_code == 429 or error.get("code") in (4, 17, 32, 190, 613):
        raise TransientError(message)
    raise Unprocessable(message)


def platform_of(event) -> str:
    fetched = event.fetched or {}
    platform = str(fetched.get("platform") or event.platform or "").lower()
    return platform if platform in PLATFORM_NAMES else ""


def handle(event) -> Inquiry | Ignore:
    lead = event.fetched or {}
    value = event.payload.get("value") or {}
    answers = _answers(lead.get("field_data") or [])
    phone = answers.pop("phone_number", "") or answers.pop("phone", "")
    if not phone:
        raise Unprocessable(NO_PHONE)
    first_last = " ".join(p for p in (answers.pop("first_name", ""), answers.pop("last_name", "")) if p)
    name = answers.pop("full_name", "") or first_last
    email = answers.pop("email", "")
    course = ""
    for key in list(answers):
        if any(word in key.lower() for word in COURSE_KEYS):
            course = answers.pop(key)
            break
    if email and not _valid_email(email):
        # A typo in an optional answer must not cost the lead: keep it as text.
        answers["email"], email = email, ""
    extra = "; ".join(f"{key}: {answer}" for key, answer in answers.items())
    platform = platform_of(event)
    form_id = text_of(lead.get("form_id") or value.get("form_id"), 64)
    ad_id = text_of(lead.get("ad_id") or value.get("ad_id"), 64)
    details = {
        "full_name": name[:200],
        "email": email,
        "course_interest": course[:200],
        "comment": extra,
        "ad_id": ad_id,
        "form_id": form_id,
        "campaign_id": text_of(lead.get("campaign_id"), 64),
    }
    note = (
        f"Meta lead ad ({PLATFORM_NAMES.get(platform, 'platform unknown')}), form {form_id or '?'}, ad {ad_id or '?'}"
    )
    return Inquiry(
        phone=phone,
        source=LeadSource.INSTAGRAM,
        at=parse_iso(lead.get("created_time"))
        or from_epoch(value.get("created_time"))
        or event.received_at
        or timezone.now(),
        details={k: v for k, v in details.items() if v},
        note=note,
    )


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= 254


def _answers(field_data) -> dict:
    answers = {}
    for item in field_data:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        values = [str(v).strip() for v in item.get("values") or [] if str(v).strip()]
        if values:
            answers[str(item["name"])] = ", ".join(values)
    return answers
