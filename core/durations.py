"""Durations as people read them: "2 d 3 h", "1 h 20 min", "5 min" — in the
admin, in notifications and on the start pages, never "466 h" or "43668 min".

Two units at most, the larger first, rounded down: precision that matters for
a call to make, not a stopwatch.
"""

import datetime

from django.utils.translation import gettext as _

MINUTE, HOUR, DAY = 60, 3600, 86400


def duration_words(delta: datetime.timedelta) -> str:
    """``delta`` (its absolute value) in words: "2 d 3 h", "1 h 20 min", "less than a minute"."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // MINUTE
    if days:
        parts = [_("%(days)d d") % {"days": days}] + ([_("%(hours)d h") % {"hours": hours}] if hours else [])
    elif hours:
        parts = [_("%(hours)d h") % {"hours": hours}] + (
            [_("%(minutes)d min") % {"minutes": minutes}] if minutes else []
        )
    elif minutes:
        parts = [_("%(minutes)d min") % {"minutes": minutes}]
    else:
        return _("less than a minute")
    return " ".join(parts)


def relative_words(moment: datetime.datetime, now: datetime.datetime) -> str:
    """How late or how soon: "2 d 3 h overdue", "in 1 h 20 min"."""
    words = duration_words(moment - now)
    if moment < now:
        return _("%(duration)s overdue") % {"duration": words}
    return _("in %(duration)s") % {"duration": words}
