"""What a locked-out login sees, and how a manager lifts the lock (django-axes)."""

import logging

from axes.utils import reset
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render

logger = logging.getLogger(__name__)


# django-axes keeps usernames in a 255-character column; Django's login form does
# not limit their length before authenticating.
MAX_USERNAME = 150


def lockout_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username tried, as axes stores and counts it:
    at most the length a username can have, without NUL characters (PostgreSQL
    refuses them), so no login attempt can fail with a database error."""
    if credentials:
        username = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get("username")
    if username is None:
        return None
    return str(username).replace("\x00", "")[:MAX_USERNAME]


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin-styled page in the staff's three languages, 429."""
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in paused · Kirish vaqtincha toʻxtatildi · Вход временно закрыт",
        "is_nav_sidebar_enabled": False,
        "minutes": lockout_minutes(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    # Rendered now: axes returns it from its middleware, after the template-response phase.
    return render(request, "admin/login_locked_out.html", context, status=429)


def staff_login_unlock(*, users, by) -> int:
    """Lift the login lock of these staff members (their username's failed
    attempts, from any address). Returns how many were locked."""
    unlocked = 0
    for user in users:
        if reset(username=user.get_username()):
            unlocked += 1
            logger.info("Login of %s unlocked by %s", user.get_username(), by.get_username() if by else "system")
    return unlocked
