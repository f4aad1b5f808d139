import re
from pathlib import Path

from core import badges

CSS = Path(badges.__file__).parent / "static" / "core" / "admin.css"


def test_every_colour_has_a_css_class_with_the_same_hex():
    classes = dict(re.findall(r"\.badge-([a-z]+) \{ background: (#[0-9a-f]{6});", CSS.read_text()))
    assert classes == badges.HEX


def test_occupancy_badge_is_red_when_full_and_says_the_percentage():
    assert badges.occupancy_badge(40) == '<span class="badge badge-green">40 %</span>'
    assert badges.occupancy_badge(40, full=True) == '<span class="badge badge-red">40 %</span>'
    assert badges.occupancy_badge(None) == '<span class="badge badge-grey">—</span>'


def test_a_choice_badge_is_made_once_per_language_and_speaks_each():
    from django.utils import translation

    from leads.badges import status_badge
    from leads.models import LeadStatus

    seen = {}
    for language in ("en", "ru", "uz", "en"):
        with translation.override(language):
            made = status_badge("lost")
            assert made == badges.badge(LeadStatus.LOST.label, badges.RED)
            seen.setdefault(language, made)
    assert len(set(seen.values())) == 3  # "Lost", and its Russian and Uzbek words
