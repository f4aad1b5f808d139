"""The course-site form: form-encoded or JSON, one post = one inquiry.

Idempotency: a client-supplied ``Idempotency-Key`` header or ``submission_id``
field; otherwise a key derived from the site key, the local date, the normalised
phone and the submitted fields, so an exact double-submit the same day is one
event while a later or different inquiry from the same phone is a repeat.
"""

import hashlib
import json
from urllib.parse import parse_qsl, urlsplit

from django import forms
from django.utils import timezone

from intake.channels.base import BadRequest, Incoming, Inquiry, load_json_object, snippet
from leads.models import LeadSource, language_from
from leads.phones import InvalidPhone, normalize_phone

INVALID_FIELDS = "Some fields are missing or invalid."
UNSUPPORTED_TYPE = "Send application/json, application/x-www-form-urlencoded or multipart/form-data."
BAD_FORM_ENCODING = "The form body is not valid UTF-8 form encoding."


class LandingForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=64)
    email = forms.EmailField(required=False)
    course = forms.CharField(max_length=200, required=False)
    comment = forms.CharField(max_length=2000, required=False)
    utm_source = forms.CharField(max_length=100, required=False)
    utm_medium = forms.CharField(max_length=100, required=False)
    utm_campaign = forms.CharField(max_length=200, required=False)
    utm_content = forms.CharField(max_length=200, required=False)
    utm_term = forms.CharField(max_length=200, required=False)
    page = forms.URLField(max_length=500, required=False, assume_scheme="https")
    # The visitor's language: the form's own field (what the page was shown in), e.g. "ru".
    language = forms.CharField(max_length=16, required=False)
    submission_id = forms.CharField(max_length=200, required=False)

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        try:
            self.cleaned_data["phone_e164"] = normalize_phone(raw)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from exc
        return raw.strip()


def read_fields(body: bytes, content_type: str, post=None) -> dict:
    """The submitted fields as a flat dict of strings, from JSON or a form body.
    ``post`` is Django's parsed request.POST (used for multipart)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/json":
        data = load_json_object(body)
        return {
            str(k): "" if v is None else str(v) if not isinstance(v, (dict, list)) else json.dumps(v)
            for k, v in data.items()
        }
    if kind == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequest(BAD_FORM_ENCODING) from exc
    if kind == "multipart/form-data" and post is not None:
        return {key: post.get(key) for key in post}
    raise BadRequest(UNSUPPORTED_TYPE)


def parse(fields: dict, *, site_key: str, idempotency_key: str = "") -> list[Incoming]:
    data = dict(fields)
    if "page" not in data and "page_url" in data:
        data["page"] = data["page_url"]
    form = LandingForm(data)
    if not form.is_valid():
        raise BadRequest(INVALID_FIELDS, {name: list(errors) for name, errors in form.errors.items()})
    cleaned = {k: v for k, v in form.cleaned_data.items() if k not in ("submission_id", "phone_e164")}
    if not cleaned.get("language"):
        cleaned.pop("language", None)  # keeps the derived idempotency key of forms without it unchanged
    # The header is not validated by the form: drop what no database column can hold.
    client_key = (idempotency_key.replace("\x00", "") or form.cleaned_data.get("submission_id") or "").strip()
    site = hashlib.sha256(site_key.encode()).hexdigest()[:12]
    if client_key:
        material = ["client", site, client_key]
    else:
        material = [
            "derived",
            site,
            timezone.localdate().isoformat(),
            form.cleaned_data["phone_e164"],
            json.dumps(cleaned, sort_keys=True, ensure_ascii=False),
        ]
    external_id = hashlib.sha256("\x1f".join(material).encode()).hexdigest()
    payload = {**cleaned, "site": site}
    if client_key:
        payload["submission_id"] = client_key[:200]
    return [Incoming(external_id=external_id, payload=payload)]


def page_language(data: dict) -> str | None:
    """The language the visitor used: the form's ``language`` field, else the
    page's (``?lang=ru`` or a first path segment such as ``/ru/courses``)."""
    language = language_from(data.get("language"))
    if language:
        return language
    page = urlsplit(data.get("page") or "")
    for key, value in parse_qsl(page.query):
        if key in ("lang", "language", "hl"):
            return language_from(value)
    segment = page.path.strip("/").split("/")[0]
    return language_from(segment) if len(segment) in (2, 5) else None


def handle(event) -> Inquiry:
    data = event.payload
    details = {
        "full_name": data.get("name", ""),
        "email": data.get("email", ""),
        "course_interest": data.get("course", ""),
        "comment": data.get("comment", ""),
        **{
            name: data.get(name, "") for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
        },
        "language": page_language(data) or "",
    }
    page = data.get("page") or ""
    note = "Landing form" + (f" on {page}" if page else "")
    if data.get("comment"):
        note += f": {snippet(data['comment'], 100)}"
    return Inquiry(
        phone=data["phone"],
        source=LeadSource.LANDING,
        at=event.received_at or timezone.now(),
        details={k: v for k, v in details.items() if v},
        note=note,
    )
