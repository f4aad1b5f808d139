"""Uzbek (Latin): Django's module (month names, decimal comma) under the house formats."""

# A format module is read name by name, so the star imports are the interface.
from django.conf.locale.uz.formats import *  # noqa: F403

from crm_project.formats.common import *  # noqa: F403

YEAR_MONTH_FORMAT = r"F Y-\y\i\l"  # 'Dekabr 2026-yil'
MONTH_DAY_FORMAT = "j-E"  # '7-dekabr'
