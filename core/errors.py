"""Errors a person can act on, and one way of wording them.

An app whose input can be unusable (a file, a sheet, a command option) raises a
subclass of ``InputError`` with a message that says why and what to do; rules on
data raise Django's ``ValidationError``. Management commands
(``core.management.base.CRMCommand``) turn both into a ``CommandError`` with
``error_text``; stored failure reasons use the same wording.
"""

from django.core.exceptions import ValidationError


class InputError(Exception):
    """The input cannot be used; the message says why and what to do."""


def error_text(exc: BaseException) -> str:
    """A readable text for ``exc``: a ValidationError's messages, one per line
    (a single one as it is), or any other error's own message."""
    if isinstance(exc, ValidationError):
        return "\n".join(exc.messages)
    return str(exc)
