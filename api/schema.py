"""The OpenAPI contract (drf-spectacular): the error shape on every
operation, and an example for every request and response body.

Operations are described by their views (``extend_schema(summary=…,
description=…)`` or the docstring); ``postprocess_errors_and_examples`` adds
the error responses every operation can give and fills in examples built from
the component schemas where a view gives none of its own, so Swagger UI and
Redoc show a body for each. tests/api/test_schema.py holds all of it.
"""

from __future__ import annotations

import copy

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a stable machine code, a message in the caller's language, and per-field problems.",
    "properties": {
        "code": {"type": "string", "description": "Stable machine code, e.g. `invalid`, `not_found`, `token_expired`."},
        "message": {"type": "string", "description": "For people, in the language of the request."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Per request field (or `non_field_errors`), what is wrong with it.",
        },
    },
    "required": ["code", "message", "fields"],
}

ERRORS = {
    "400": ("The request is invalid (see `fields`) or a business rule refused it.", "invalid", "Enter a valid date."),
    "401": ("No credentials, or a wrong, expired or revoked token.", "token_expired", "The token has expired."),
    "403": (
        "Signed in, but the role (or a read-only token) does not allow this.",
        "permission_denied",
        "You do not have permission to perform this action.",
    ),
    "404": ("No such object, or not one the caller may see.", "not_found", "Not found."),
    "429": (
        "Too many requests for this token; retry after `Retry-After` seconds.",
        "throttled",
        "Request was throttled. Expected available in 12 seconds.",
    ),
}
# Which errors each kind of operation can give.
ALWAYS = ("401", "403", "429")


class AutoSchema(SpectacularAutoSchema):
    """Operation ids and tags from the URL (``leads_change_status``), one tag per resource."""

    def get_tags(self):
        tags = getattr(self.view, "schema_tags", None)
        return list(tags) if tags else super().get_tags()


# --- examples ---------------------------------------------------------------------

FORMAT_EXAMPLES = {
    "date-time": "2026-12-01T10:30:00+05:00",
    "date": "2026-12-01",
    "time": "16:00:00",
    "email": "aziza@example.uz",
    "uri": "https://crm.example.uz/api/v1/leads/?cursor=cD0yMDI2",
    "decimal": "650000.00",
    "uuid": "3f2a4b1c-7d8e-4f90-a1b2-c3d4e5f60718",
    "binary": "(file)",
    "duration": "00:12:00",
}
NAME_EXAMPLES = {
    "phone": "+998901234567",
    "full_name": "Aziza Karimova",
    "name": "IELTS Evening A",
    "email": "aziza@example.uz",
    "course_interest": "IELTS",
    "reason": "Chose another centre",
    "lost_reason": "Chose another centre",
    "note": "Call after 18:00",
    "notes": "Bring a notebook",
    "message": "Not found.",
    "code": "not_found",
}


def _resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        return components.get(ref.rsplit("/", 1)[-1], {})
    return schema


def example_for(schema: dict, components: dict, *, name: str = "", depth: int = 0):
    schema = _resolve(schema, components)
    if depth > 6:
        return None
    if "example" in schema:
        return schema["example"]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            options = [s for s in schema[combined] if _resolve(s, components).get("type") != "null"] or schema[combined]
            return example_for(options[0], components, name=name, depth=depth + 1)
    if "enum" in schema:
        values = [v for v in schema["enum"] if v not in (None, "")]
        return values[0] if values else None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        return {
            prop: example_for(sub, components, name=prop, depth=depth + 1)
            for prop, sub in schema.get("properties", {}).items()
            if not sub.get("writeOnly") or depth == 0
        }
    if kind == "array":
        return [example_for(schema.get("items", {}), components, name=name, depth=depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1)) if name not in ("count",) else 1
    if kind == "number":
        return 12.5
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt in FORMAT_EXAMPLES:
        return FORMAT_EXAMPLES[fmt]
    if schema.get("pattern") == r"^-?\d{0,12}(?:\.\d{0,2})?$" or name in ("price", "cost", "cost_total", "cpl", "cpa"):
        return "650000.00"
    for key, value in NAME_EXAMPLES.items():
        if name == key or name.endswith(f"_{key}"):
            return value
    return "text"


def _add_example(content: dict, components: dict) -> None:
    for media in content.values():
        if "example" in media or "examples" in media or "schema" not in media:
            continue
        media["example"] = example_for(media["schema"], components)


def postprocess_errors_and_examples(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = copy.deepcopy(ERROR_SCHEMA)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            wanted = list(ALWAYS)
            if method != "get" or operation.get("parameters"):
                wanted.append("400")
            paged = {p.get("name") for p in operation.get("parameters", [])} & {"page", "cursor"}
            if "{" in path or paged:
                wanted.append("404")  # no such object, or a page / cursor that does not exist
            for code in wanted:
                if code in responses:
                    continue
                description, machine, message = ERRORS[code]
                fields = {"date": [message]} if code == "400" else {}
                responses[code] = {
                    "description": description,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"},
                            "example": {"code": machine, "message": message, "fields": fields},
                        }
                    },
                }
            if "requestBody" in operation:
                _add_example(operation["requestBody"].get("content", {}), components)
            for response in responses.values():
                _add_example(response.get("content", {}), components)
    return result


class LocalTimeFieldSchema(OpenApiSerializerFieldExtension):
    """Times of day are local wall-clock times without an offset ("16:00:00"):
    OpenAPI's ``format: time`` (RFC 3339 full-time) demands one, so they are
    described by a pattern instead."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "example": "16:00:00",
            "description": "Local time (Asia/Tashkent), HH:MM[:SS].",
        }
