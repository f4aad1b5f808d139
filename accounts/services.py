"""Writes on staff accounts."""

from django.conf import settings

from accounts.models import User


def user_language_set(*, user: User, language: str) -> User:
    """Save the back-office language a staff member chose for themselves; it wins
    over their browser's from their next request on (accounts.middleware)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
