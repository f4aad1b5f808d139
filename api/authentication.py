"""Who is calling: a personal API token (``Authorization: Bearer <token>``) or
the admin's session (for the docs pages and the admin's own scripts).

A wrong, expired or revoked token is a 401 with ``WWW-Authenticate: Bearer``
and a machine code telling which; a request without a token falls through to
the session (CSRF-checked, as DRF does). Answers are in the token user's own
language (User.language) when set, else in the Accept-Language of the request."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import services

REALM = "api"


class TokenRejected(exceptions.AuthenticationFailed):
    def __init__(self, detail, code):
        super().__init__(detail=detail, code=code)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise TokenRejected(_("The Authorization header must be “Bearer <token>”."), "token_malformed")
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise TokenRejected(_("The token is not valid."), "token_invalid") from None
        token = services.api_token_find(plaintext)
        if token is None:
            raise TokenRejected(_("The token is not valid."), "token_invalid")
        now = timezone.now()
        if token.revoked_at is not None:
            raise TokenRejected(_("The token has been revoked."), "token_revoked")
        if token.expires_at <= now:
            raise TokenRejected(_("The token has expired."), "token_expired")
        if not token.user.is_active:
            raise TokenRejected(_("The token's user is inactive."), "user_inactive")
        services.api_token_note_use(token=token, at=now)
        if token.user.language:
            # The person's own language wins over the client's Accept-Language
            # (LocaleMiddleware's choice), as accounts.User.language says.
            translation.activate(token.user.language)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="{REALM}"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The admin's login (CSRF enforced on writes, as in DRF)."""


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token: `Authorization: Bearer crm_<prefix>_<secret>`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
