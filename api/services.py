"""Writes to API tokens: make one (the secret is returned once), revoke one,
note its use. Admin, ``manage.py create_api_token`` and the authentication
class call these."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from api.models import ApiToken

TOKEN_PREFIX = "crm"
# Written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _expiry_out_of_range() -> str:
    return _("The expiry must be between 1 and %(max)s days.") % {"max": settings.API_TOKEN_MAX_EXPIRY_DAYS}


def _not_for_that_user() -> str:
    return _("You may make tokens only for yourself, or (as a manager) for a user who is not a manager.")


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown once; never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_issue_for(*, by, user) -> bool:
    """Anyone for themselves; a manager for a user who is neither a manager nor a
    superuser (an integration user); a superuser for anyone."""
    if by is None or getattr(by, "is_superuser", False):
        return True
    if by.pk == user.pk:
        return True
    return roles.is_manager(by) and not user.is_superuser and not roles.is_manager(user)


def api_token_create(
    *, user, name: str, by=None, read_only: bool = False, expires_days: int | None = None, at=None
) -> IssuedToken:
    """Make a token for ``user``. ``by`` None is the operator (manage.py)."""
    at = at or timezone.now()
    days = settings.API_TOKEN_DEFAULT_EXPIRY_DAYS if expires_days is None else expires_days
    errors = {}
    if not (1 <= days <= settings.API_TOKEN_MAX_EXPIRY_DAYS):
        errors["expires_days"] = _expiry_out_of_range()
    if not (name or "").strip():
        errors["name"] = _("Give the token a name (what it is for).")
    if not user.is_active:
        errors["user"] = _("%(user)s is not active.") % {"user": user}
    if errors:
        raise ValidationError(errors)
    if not may_issue_for(by=by, user=user):
        raise PermissionDenied(_not_for_that_user())
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=prefix,
        secret_hash=hash_secret(secret),
        read_only=read_only,
        created_at=at,
        created_by=by,
        expires_at=at + datetime.timedelta(days=days),
    )
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}_{prefix}_{secret}")


def api_token_revoke(*, token: ApiToken, by=None, at=None) -> bool:
    """Revoke ``token`` (idempotent); True if this call revoked it."""
    at = at or timezone.now()
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=at, revoked_by=by)
    if done:
        token.revoked_at, token.revoked_by = at, by
    return bool(done)


def api_token_find(plaintext: str) -> ApiToken | None:
    """The token this text names, if its secret matches (whatever its state)."""
    parts = (plaintext or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(parts[2])):
        return None
    return token


def api_token_note_use(*, token: ApiToken, at=None) -> None:
    """Record the use, at most once per LAST_USED_RESOLUTION per token: a
    conditional UPDATE, so concurrent requests write it once."""
    at = at or timezone.now()
    if token.last_used_at is not None and at - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = at - LAST_USED_RESOLUTION
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk).update(
        last_used_at=at
    )
    token.last_used_at = at
