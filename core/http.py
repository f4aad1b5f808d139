"""Facts about the client of a request, shared by every app."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP, set by our
    nginx) when present, else REMOTE_ADDR. Never a header a client can set
    unless the proxy overwrites it: see README "Running in production"."""
    value = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR") or "unknown"
    return value.split(",")[0].strip()[:64]
