"""A calendar day and a time as staff type them: dd.mm.yyyy and 24-hour hh:mm,
in every language and browser.

An HTML5 ``<input type="date">`` (and ``time``, ``datetime-local``) shows the
*browser's* format (mm/dd/yyyy and 06:30 PM in an en-US Chromium, whatever the
page's language), so our own date and time inputs are text
inputs in the house format (``crm_project/formats/``): they render
``07.12.2026``, say ``dd.mm.yyyy`` in the reader's language as a placeholder,
and accept what ``DATE_INPUT_FORMATS`` accepts (``07.12.2026``, ``07.12.26``,
ISO ``2026-12-07`` for links and bookmarks). Anything else is a form error in
the reader's language, never a 500. Django's own admin date widgets already
render the first input format, so admin forms read the same.
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# The placeholders: day, month, year, hours, minutes as the reader abbreviates them.
DAY_PLACEHOLDER = _("dd.mm.yyyy")
HOUR_PLACEHOLDER = _("hh:mm")
INVALID_DAY = _("Type the date as dd.mm.yyyy, for example 07.12.2026.")


class DayInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        # format=None: the active language's first DATE_INPUT_FORMATS entry, "%d.%m.%Y".
        defaults = {"placeholder": DAY_PLACEHOLDER, "size": 10, "maxlength": 10, "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format=None)


class DayField(forms.DateField):
    widget = DayInput
    default_error_messages = {"invalid": INVALID_DAY}


class HourInput(forms.TimeInput):
    """24-hour "14:30" (TIME_INPUT_FORMATS)."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"placeholder": HOUR_PLACEHOLDER, "size": 5, "maxlength": 8, "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%H:%M")


class DayTimeInput(forms.DateTimeInput):
    """ "07.12.2026 14:30" (the first DATETIME_INPUT_FORMATS entry)."""

    input_type = "text"

    def __init__(self, attrs=None):
        placeholder = format_lazy("{} {}", DAY_PLACEHOLDER, HOUR_PLACEHOLDER)
        defaults = {"placeholder": placeholder, "size": 16, "maxlength": 19, "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format=None)


def parse_day(value: str):
    """A typed day, or None for an empty one; forms.ValidationError (INVALID_DAY) otherwise."""
    return DayField(required=False).clean(value)
