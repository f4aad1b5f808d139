"""One badge helper for every coloured label in admin.

Colours are CSS classes defined once in core/static/core/admin.css, so a
status means the same colour on every page.
"""

from django.utils.html import format_html

# Named colours understood by admin.css.
GREEN, ORANGE, RED, BLUE, GREY, PURPLE, TEAL, YELLOW = (
    "green",
    "orange",
    "red",
    "blue",
    "grey",
    "purple",
    "teal",
    "yellow",
)


def badge(label, colour: str):
    return format_html('<span class="badge badge-{}">{}</span>', colour, label)


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


class BadgeMedia:
    """Mix into a ModelAdmin (before admin.ModelAdmin) to load the badge CSS."""

    class Media:
        css = {"all": ["core/admin.css"]}
