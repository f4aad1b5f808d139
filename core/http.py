"""Facts about the client of a request, shared by every app."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP, set by our
    nginx) when present, else REMOTE_ADDR; "unknown" when there is neither.
    Never a header a client can set unless the proxy overwrites it: see README
    "Running in production"."""
    value = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR") or "unknown"
    return value.split(",")[0].strip()[:64]


def client_ip_address(request) -> str | None:
    """``client_ip`` when it is a real IPv4/IPv6 address, else None: for columns
    that hold addresses (django-axes' attempts; PostgreSQL's inet refuses text,
    and a request made in code, e.g. a test's force_login, has no address)."""
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None
