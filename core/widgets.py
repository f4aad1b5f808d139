"""A calendar day as staff type it: dd.mm.yyyy, in every language and browser.

An HTML5 ``<input type="date">`` shows the *browser's* format (mm/dd/yyyy in an
en-US Chromium, whatever the page's language), so our own date inputs are text
inputs in the house format (``crm_project/formats/``): they render
``07.12.2026``, say ``dd.mm.yyyy`` in the reader's language as a placeholder,
and accept what ``DATE_INPUT_FORMATS`` accepts (``07.12.2026``, ``07.12.26``,
ISO ``2026-12-07`` for links and bookmarks). Anything else is a form error in
the reader's language, never a 500. Django's own admin date widgets already
render the first input format, so admin forms read the same.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

# The placeholder: day, month, year as the reader abbreviates them.
DAY_PLACEHOLDER = _("dd.mm.yyyy")
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


def parse_day(value: str):
    """A typed day, or None for an empty one; forms.ValidationError (INVALID_DAY) otherwise."""
    return DayField(required=False).clean(value)
