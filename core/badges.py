"""One palette and one badge helper for every coloured label and chart.

A colour has a name (what code says: ``GREEN``), a hex value (what SVG charts
fill with, ``HEX``) and a CSS class in core/static/core/admin.css (``.badge-green``,
the same hex; a test holds them together), so a status means the same colour
on every page and chart. templates/admin/base_site.html loads that stylesheet
on every admin page. Which colour a status or source gets lives beside its
model, in that app's ``badges`` module.
"""

import datetime

from django.utils import timezone, translation
from django.utils.html import format_html

from core.durations import relative_words

# Named colours understood by admin.css.
GREEN, ORANGE, RED, BLUE, GREY, PURPLE, TEAL, YELLOW, SILVER, CHARCOAL = (
    "green",
    "orange",
    "red",
    "blue",
    "grey",
    "purple",
    "teal",
    "yellow",
    "silver",
    "charcoal",
)
HEX = {
    GREEN: "#2e7d32",
    ORANGE: "#ef6c00",
    RED: "#c62828",
    BLUE: "#1565c0",
    GREY: "#757575",
    PURPLE: "#6a1b9a",
    TEAL: "#00796b",
    YELLOW: "#f9a825",
    SILVER: "#9e9e9e",
    CHARCOAL: "#424242",
}
# Series colours for charts without a meaning of their own, in order.
SERIES = [BLUE, TEAL, PURPLE, ORANGE, GREEN, RED, YELLOW, GREY]


def badge(label, colour: str):
    return format_html('<span class="badge badge-{}">{}</span>', colour, label)


_CHOICE_BADGES: dict[tuple, str] = {}


def choice_badge(choices, value, colours: dict):
    """``badge(choices(value).label, colours[value])``, made once per value and
    language: a list of 50 rows draws the same few status and source badges
    over and over, and each costs an enum look-up, a translation and an escape."""
    key = (choices, value, translation.get_language())
    cached = _CHOICE_BADGES.get(key)
    if cached is None:
        member = choices(value)
        cached = _CHOICE_BADGES[key] = badge(member.label, colours[member])
    return cached


def occupancy_badge(percent, *, full: bool = False):
    """Seats taken as a percentage, coloured by load (a full group is red)."""
    if percent is None:
        return badge("—", GREY)
    text = f"{percent:.1f} %" if not isinstance(percent, int) else f"{percent} %"
    return badge(text, load_colour(100 if full else percent))


SOON = datetime.timedelta(hours=1)


def deadline_badge(due_at, now=None):
    """A contact deadline: red once passed ("2 d 3 h overdue"), orange within the
    hour, teal later; the local time, with the date unless it is today."""
    if due_at is None:
        return "—"
    now = now or timezone.now()
    local = timezone.localtime(due_at)
    label = f"{local:%d.%m %H:%M}" if local.date() != timezone.localdate(now) else f"{local:%H:%M}"
    if due_at < now:
        return badge(relative_words(due_at, now), RED)
    return badge(label, ORANGE if due_at - now <= SOON else TEAL)


def percent_colour(value, *, green_from: float, orange_from: float) -> str:
    """Traffic-light colour for a percentage where higher is better."""
    if value is None:
        return GREY
    if value >= green_from:
        return GREEN
    if value >= orange_from:
        return ORANGE
    return RED


def load_colour(percent) -> str:
    """Occupancy colour where fuller is 'hotter': green < 50 <= orange < 80 <= red."""
    if percent is None:
        return GREY
    if percent >= 80:
        return RED
    if percent >= 50:
        return ORANGE
    return GREEN
