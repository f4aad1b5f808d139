"""English: the house formats (day first, 24-hour, no-break-space thousands), decimal point."""

# A format module is read name by name, so the star imports are the interface.
from django.conf.locale.en.formats import *  # noqa: F403

from crm_project.formats.common import *  # noqa: F403

YEAR_MONTH_FORMAT = "F Y"  # 'December 2026'
MONTH_DAY_FORMAT = "j F"  # '7 December'
DECIMAL_SEPARATOR = "."
