"""A run's input, opened and checked before anything is written: a .csv/.xlsx
file or a Google Sheet with its column mapping (``--map`` overrides applied, a
phone column required), and who gets the new leads (``--assign``).

Every problem is an ``import_service.readers.ImportFileError`` (the file) or a
``ValidationError`` (an option), with a message ops can act on.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import roles
from import_service import columns, readers
from leads.services import NOT_A_SALESPERSON, salesperson_rotation

ROUND_ROBIN = "round-robin"
UNKNOWN_SALESPERSON = _("No active salesperson with the username “{username}”.")


def import_open_file(
    *, path, name: str | None = None, sheet: str | None = None, mapping: list[str] | None = None
) -> tuple[readers.Table, dict[int, str]]:
    """Open and check a .csv/.xlsx file; returns the table and its column mapping.
    Raises ImportFileError or ValidationError (bad --map, no phone column)."""
    overrides = columns.parse_overrides(mapping or [])
    table = readers.open_file(path, name=name, sheet=sheet, overrides=overrides)
    return table, _checked_mapping(table, overrides)


def import_open_google_sheet(
    *, url_or_key: str, worksheet: str | None = None, mapping: list[str] | None = None
) -> tuple[readers.Table, dict[int, str]]:
    overrides = columns.parse_overrides(mapping or [])
    table = readers.open_google_sheet(url_or_key, worksheet=worksheet, overrides=overrides)
    return table, _checked_mapping(table, overrides)


def _checked_mapping(table: readers.Table, overrides: dict[str, str]) -> dict[int, str]:
    mapping = columns.build_mapping(table.headers, overrides)
    try:
        columns.check_mapping(table.headers, mapping, overrides)
    except ValidationError:
        table.close()
        raise
    return mapping


def import_assigner(*, assign: str | None) -> Callable[[], object] | None:
    """``round-robin``, a salesperson's username, or nothing: a callable giving the
    salesperson of each new lead. Raises ValidationError for nobody to assign to."""
    if not assign:
        return None
    if assign == ROUND_ROBIN:
        rotation = salesperson_rotation()  # raises ValidationError when nobody is in Sales
        return lambda: next(rotation)
    user = get_user_model().objects.filter(username=assign, is_active=True).first()
    if user is None:
        raise ValidationError(UNKNOWN_SALESPERSON.format(username=assign))
    if not roles.is_salesperson(user):
        raise ValidationError(NOT_A_SALESPERSON.format(user=user))
    return lambda: user
