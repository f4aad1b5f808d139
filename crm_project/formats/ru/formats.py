"""Russian: Django's module (month names in the genitive, decimal comma) under the house formats."""

# A format module is read name by name, so the star imports are the interface.
from django.conf.locale.ru.formats import *  # noqa: F403

from crm_project.formats.common import *  # noqa: F403

YEAR_MONTH_FORMAT = "F Y г."  # 'Декабрь 2026 г.'
MONTH_DAY_FORMAT = "j E"  # '7 декабря'
