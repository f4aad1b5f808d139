"""Import a timetable (groups) from CSV, through the same services as admin.

Columns: course, name, days, start_time, end_time, room, start_date, and
optionally capacity, teacher (username), end_date. A group whose name exists is
updated, so a file can be imported again. Every row is validated by
services.group_create / group_update (room and teacher conflicts included,
also against rows earlier in the same file); if any row is refused, nothing
is written and every refusal is reported with its line number.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from scheduling import services
from scheduling.models import Course, Group, Room
from scheduling.patterns import DayPattern

REQUIRED_COLUMNS = ("course", "name", "days", "start_time", "end_time", "room", "start_date")
OPTIONAL_COLUMNS = ("capacity", "teacher", "end_date")
MISSING_COLUMNS = _("Missing column(s): {columns}. Expected: {expected}.")
UNKNOWN_COURSE = _("Unknown course “{value}”.")
UNKNOWN_ROOM = _("Unknown room “{value}”.")
UNKNOWN_TEACHER = _("Unknown teacher “{value}” (give the username).")
BAD_TIME = _("“{value}” is not a time (HH:MM).")
BAD_DATE = _("“{value}” is not a date (YYYY-MM-DD).")
BAD_NUMBER = _("“{value}” is not a whole number.")
REQUIRED = _("{column} is required.")


class _RollBack(Exception):
    pass


@dataclass
class GroupImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _day_pattern(value: str) -> str:
    """Accept the code ("mon_wed_fri") or the label ("Mon/Wed/Fri"), any case."""
    wanted = value.strip().lower()
    for pattern in DayPattern:
        if wanted in (pattern.value, pattern.label.lower()):
            return pattern.value
    return value.strip()  # group_validate reports the unknown pattern


def _parse_row(row: dict, caches: dict) -> dict:
    problems = []

    def text(column):
        return (row.get(column) or "").strip()

    for column in REQUIRED_COLUMNS:
        if not text(column):
            problems.append(REQUIRED.format(column=column))
    if problems:
        raise ValidationError(problems)

    def time_of(column):
        try:
            return datetime.time.fromisoformat(text(column))
        except ValueError:
            problems.append(BAD_TIME.format(value=text(column)))

    def date_of(column):
        if not text(column):
            return None
        try:
            return datetime.date.fromisoformat(text(column))
        except ValueError:
            problems.append(BAD_DATE.format(value=text(column)))

    course = caches["course"].get(text("course").lower())
    if course is None:
        problems.append(UNKNOWN_COURSE.format(value=text("course")))
    room = caches["room"].get(text("room").lower())
    if room is None:
        problems.append(UNKNOWN_ROOM.format(value=text("room")))
    teacher = None
    if text("teacher"):
        teacher = caches["teacher"].get(text("teacher").lower())
        if teacher is None:
            problems.append(UNKNOWN_TEACHER.format(value=text("teacher")))
    capacity = None
    if text("capacity"):
        try:
            capacity = int(text("capacity"))
        except ValueError:
            problems.append(BAD_NUMBER.format(value=text("capacity")))
    values = {
        "course": course,
        "name": text("name"),
        "days": _day_pattern(text("days")),
        "start_time": time_of("start_time"),
        "end_time": time_of("end_time"),
        "room": room,
        "start_date": date_of("start_date"),
        "end_date": date_of("end_date"),
        "capacity": capacity,
        "teacher": teacher,
    }
    if problems:
        raise ValidationError(problems)
    return values


def groups_import(*, rows: Iterable[dict], dry_run: bool = False, first_line: int = 2) -> GroupImportResult:
    """Create or update groups from dict rows; all or nothing."""
    result = GroupImportResult(dry_run=dry_run)
    caches = {
        "course": {c.name.lower(): c for c in Course.objects.all()},
        "room": {r.name.lower(): r for r in Room.objects.all()},
        "teacher": {u.get_username().lower(): u for u in get_user_model().objects.filter(is_active=True)},
    }
    try:
        with transaction.atomic():
            for line, row in enumerate(rows, start=first_line):
                try:
                    values = _parse_row(row, caches)
                    existing = Group.objects.filter(name=values["name"]).first()
                    with transaction.atomic():
                        if existing is None:
                            services.group_create(**values)
                            result.created += 1
                        else:
                            changes = {k: v for k, v in values.items() if v is not None or k == "end_date"}
                            services.group_update(group=existing, **changes)
                            result.updated += 1
                except ValidationError as exc:
                    for message in exc.messages:
                        result.errors.append((line, message))
            if result.errors or dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return result


def read_csv(data: bytes | str) -> tuple[list[dict], list[str]]:
    """Rows and the list of missing required columns."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    return list(reader), missing
