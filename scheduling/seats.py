"""Seats in a lesson held by someone other than the group's active students:
scheduling's extension point for the apps above it.

A lesson's free places are its capacity minus the group's active students
minus every *seat holder* booked for that date. Trial lessons (the trials app,
which sits above scheduling) are such holders; trials registers them in
``TrialsConfig.ready()``, so scheduling never imports trials. With no holder
registered, only students take seats.

A holder is a queryset of rows that each take one seat in their ``group``'s
lesson on the date in ``date_field``. scheduling.selectors does all the
counting (per lesson, per group from a day on, per group and date over a
window), so every page counts seats the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class SeatHolder:
    name: str  # what the seats are, for people: "trial lessons"
    rows: Callable[[], QuerySet]  # rows with a ``group`` FK, each taking one seat
    date_field: str  # the date of the lesson on those rows


_holders: list[SeatHolder] = []


def register_seat_holder(holder: SeatHolder) -> None:
    """Count ``holder``'s rows as taken seats (idempotent by name)."""
    if any(existing.name == holder.name for existing in _holders):
        return
    _holders.append(holder)


def seat_holders() -> tuple[SeatHolder, ...]:
    return tuple(_holders)
