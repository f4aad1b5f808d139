"""One error shape for every failure:

    {"code": "<stable machine code>", "message": "<in the caller's language>", "fields": {"<field>": ["…"]}}

``code`` is for programs and never changes meaning; ``message`` is for people
(Accept-Language / the admin's language choice); ``fields`` lists, per request
field, what is wrong with it (``non_field_errors`` for the rest). A service's
``django.core.exceptions.ValidationError`` is a 400 with its field keys, as the
admin shows it on the form. Nothing a client sends may end in a 500.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import InputError, error_text

NON_FIELD = "non_field_errors"

# DRF's own codes, renamed where ours are clearer; every other code passes through.
CODES = {
    "not_authenticated": "not_authenticated",
    "authentication_failed": "authentication_failed",
    "permission_denied": "permission_denied",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "not_acceptable": "not_acceptable",
    "unsupported_media_type": "unsupported_media_type",
    "throttled": "throttled",
    "parse_error": "malformed_request",
}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _fields(detail) -> dict:
    """DRF's nested detail as {field: [messages]}; nested objects as "a.b"."""
    if not isinstance(detail, dict):
        return {NON_FIELD: _flatten(detail)}
    result: dict[str, list[str]] = {}
    for key, value in detail.items():
        if isinstance(value, dict):
            for sub, messages in _fields(value).items():
                result[f"{key}.{sub}"] = messages
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                for sub, messages in _fields(item).items():
                    result[f"{key}.{index}.{sub}"] = messages
        else:
            result[str(key)] = _flatten(value)
    return result


def service_error_fields(exc: DjangoValidationError, field_names: dict[str, str] | None = None) -> dict:
    """A service's ValidationError as {field: [messages]}, its field keys renamed
    to the request's where the API names them differently (``field_names``)."""
    field_names = field_names or {}
    if hasattr(exc, "error_dict"):
        fields = {}
        for key, errors in exc.message_dict.items():
            name = NON_FIELD if key == NON_FIELD_ERRORS else field_names.get(key, key)
            fields.setdefault(name, []).extend(errors)
        return fields
    return {NON_FIELD: list(exc.messages)}


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _validation_message(fields: dict) -> str:
    messages = [m for values in fields.values() for m in values]
    if len(messages) == 1:
        return messages[0]
    return _("The request has %(count)s problems: %(first)s") % {"count": len(messages), "first": messages[0]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        view = context.get("view")
        fields = service_error_fields(exc, getattr(view, "service_field_names", None))
        return Response(_body("invalid", _validation_message(fields), fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InputError):  # an unusable file or option, in words ops can act on
        fields = {NON_FIELD: [error_text(exc)]}
        return Response(_body("invalid", _validation_message(fields), fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug of ours: Django's 500 and the error log
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        response.data = _body("invalid", _validation_message(fields), fields)
        return response
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    message = _flatten(exc.detail)[0] if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = _body(CODES.get(code, code), message)
    return response
