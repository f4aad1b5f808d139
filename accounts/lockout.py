"""What a locked-out login sees, and how a manager lifts the lock (django-axes)."""

import logging

from axes.utils import reset
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render

logger = logging.getLogger(__name__)


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin-styled page in the staff's three languages, 429."""
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in paused · Kirish vaqtincha to'xtatildi · Вход временно закрыт",
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
