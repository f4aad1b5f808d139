"""Formats shared by every language of the back office.

https://docs.djangoproject.com/en/5.2/topics/i18n/formatting/ — Django reads
these names from ``crm_project.formats.<lang>.formats`` before its own module.

- Dates are dd.mm.yyyy and times 24-hour, on display and on input, whatever the
  language: staff type "07.12.2026" and "07.12.2026 14:30". ISO dates
  ("2026-12-07", what ``<input type="date">`` sends) are accepted too. US-style
  mm/dd/yyyy is deliberately not accepted: 07/12/2026 would be July.
- The first input format is also what widgets render and what the admin's
  calendar and clock shortcuts write, so it is the one a person reads.
- Weeks start on Monday (the admin calendar).
- Thousands are separated by U+00A0 NO-BREAK SPACE ("1 250 000 UZS"): it never
  breaks a figure over two lines and every font on staff phones has it (U+202F,
  the narrow one, is missing from older Android fonts and shows as a box).
  Localized number inputs accept plain spaces too (Django's
  ``sanitize_separators`` also strips the NFKD form of the separator).
"""

DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"

DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '07.12.2026'
    "%d.%m.%y",  # '07.12.26'
    "%Y-%m-%d",  # '2026-12-07'
]
TIME_INPUT_FORMATS = [
    "%H:%M",  # '14:30'
    "%H:%M:%S",  # '14:30:59'
    "%H:%M:%S.%f",  # '14:30:59.000200'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M",  # '07.12.2026 14:30'
    "%d.%m.%Y %H:%M:%S",  # '07.12.2026 14:30:59'
    "%d.%m.%Y %H:%M:%S.%f",  # '07.12.2026 14:30:59.000200'
    "%d.%m.%Y",  # '07.12.2026' (midnight)
    "%d.%m.%y %H:%M",  # '07.12.26 14:30'
    "%d.%m.%y",  # '07.12.26'
    "%Y-%m-%d %H:%M:%S",  # '2026-12-07 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2026-12-07 14:30:59.000200'
    "%Y-%m-%d %H:%M",  # '2026-12-07 14:30'
    "%Y-%m-%d",  # '2026-12-07'
]

FIRST_DAY_OF_WEEK = 1  # Monday

THOUSAND_SEPARATOR = "\xa0"  # no-break space
NUMBER_GROUPING = 3
