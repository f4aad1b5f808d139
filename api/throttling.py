"""Rates per token (per signed-in user for the session), counted in the Django
cache (CACHE_URL; Redis with several web processes). Reads, writes and file
uploads have their own budgets: API_THROTTLE_READ_RATE / _WRITE_RATE / _UPLOAD_RATE."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken
from core.http import client_ip

RATE_SETTINGS = {
    "api_read": "API_THROTTLE_READ_RATE",
    "api_write": "API_THROTTLE_WRITE_RATE",
    "api_upload": "API_THROTTLE_UPLOAD_RATE",
}


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_read"

    def get_rate(self):
        return getattr(settings, RATE_SETTINGS[self.scope])

    def allow_request(self, request, view):
        scope = getattr(view, "throttle_scope", None)
        if scope is None or request.method in SAFE_METHODS:
            scope = "api_read" if request.method in SAFE_METHODS else "api_write"
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{client_ip(request)}"  # the schema, before sign-in
        return self.cache_format % {"scope": self.scope, "ident": ident}
