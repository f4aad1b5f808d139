from unittest import mock

import pytest
import time_machine
from django.core.cache import cache

from intake.conf import Rate, parse_rate
from intake.security import (
    body_too_large,
    client_ip,
    hmac_signature_valid,
    kept_headers,
    landing_key_for,
    origin_allowed,
    throttle_allows,
)
from tests.intake.conftest import LANDING_KEY, sha256_signature


@pytest.mark.parametrize(
    "text, rate",
    [
        ("30/m", Rate(30, 60)),
        ("100/10s", Rate(100, 10)),
        ("1000/h", Rate(1000, 3600)),
        ("5000/day", Rate(5000, 86400)),
        (" 7 / min ", Rate(7, 60)),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "30", "m/30", "30/fortnight", "-1/m"])
def test_parse_rate_refuses_nonsense(text):
    with pytest.raises(ValueError):
        parse_rate(text)


def test_hmac_signature():
    body = b'{"a": 1}'
    good = sha256_signature(body, "s3cret")
    assert hmac_signature_valid(body, good, "s3cret")
    assert hmac_signature_valid(body, good.upper().replace("SHA256", "sha256"), "s3cret")
    assert not hmac_signature_valid(body + b" ", good, "s3cret")
    assert not hmac_signature_valid(body, good, "other")
    assert not hmac_signature_valid(body, good, "")
    assert not hmac_signature_valid(body, None, "s3cret")
    assert not hmac_signature_valid(body, good.replace("sha256=", "sha1="), "s3cret")


def test_landing_key_lookup():
    assert landing_key_for(LANDING_KEY) == LANDING_KEY
    assert landing_key_for("another-site-key") == "another-site-key"
    assert landing_key_for("") is None and landing_key_for(None) is None and landing_key_for("nope") is None


# --- the landing throttle: a fixed window counted in the cache ------------------------

T0 = 1_800_000_000  # a multiple of 60: a one-minute window starts here
WINDOW_KEY = f"intake:throttle:landing:10.0.0.1:{T0 // 60}"


@pytest.fixture
def per_minute(settings):
    def rate(text):
        settings.INTAKE_LANDING_RATE = text
        cache.clear()

    rate("3/m")
    yield rate
    cache.clear()


def allows(ident="10.0.0.1", scope="landing"):
    return throttle_allows(scope=scope, ident=ident)


def test_throttle_allows_the_rate_per_window_and_says_when_it_resets(per_minute):
    with time_machine.travel(T0 + 0.5, tick=False):
        assert [allows() for _ in range(4)] == [(True, 59), (True, 59), (True, 59), (False, 59)]
        assert allows(ident="10.0.0.2") == (True, 59)  # per client
        assert allows(scope="other") == (True, 59)  # per scope
    with time_machine.travel(T0 + 59.7, tick=False):
        assert allows() == (False, 1)  # still the same window: the counter must outlive it
    with time_machine.travel(T0 + 60, tick=False):
        assert allows() == (True, 60)  # a new window


def test_throttle_counters_expire_after_their_window(per_minute):
    """Counters live one window and a second, so a shared cache (Redis) does not fill up."""
    with time_machine.travel(T0 + 0.5, tick=False):
        allows()
        assert cache.get(WINDOW_KEY) == 1
    with time_machine.travel(T0 + 61.4, tick=False):
        assert cache.get(WINDOW_KEY) == 1
    with time_machine.travel(T0 + 62, tick=False):
        assert cache.get(WINDOW_KEY) is None


def test_throttle_counts_when_the_counter_expired_between_add_and_incr(per_minute):
    per_minute("2/m")
    real_incr = cache.incr
    calls = []

    def incr_once_expired(key, *args, **kwargs):
        calls.append(key)
        if len(calls) == 1:
            cache.delete(key)  # what an expiry between cache.add and cache.incr leaves
        return real_incr(key, *args, **kwargs)

    with time_machine.travel(T0 + 0.5, tick=False), mock.patch.object(cache, "incr", side_effect=incr_once_expired):
        assert allows() == (True, 59)
        assert allows() == (True, 59)  # the fallback counted the first request as one
        assert allows() == (False, 59)
    with time_machine.travel(T0 + 59.7, tick=False):
        assert allows() == (False, 1)
    with time_machine.travel(T0 + 62, tick=False):
        assert cache.get(WINDOW_KEY) is None
    assert len(calls) == 3  # the first incr met the expired counter and raised


# --- where the client address comes from, what is kept, how large a body may be -------


def test_client_ip_from_the_configured_header_then_remote_addr(rf, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(rf.post("/", HTTP_X_REAL_IP=" 203.0.113.7 ", REMOTE_ADDR="10.0.0.1")) == "203.0.113.7"
    assert client_ip(rf.post("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    request = rf.post("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) == "unknown"


def test_client_ip_takes_the_first_of_a_forwarded_list_and_is_bounded(rf, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    forwarded = rf.post("/", HTTP_X_FORWARDED_FOR="203.0.113.7 , 10.0.0.2, 10.0.0.3")
    assert client_ip(forwarded) == "203.0.113.7"
    assert client_ip(rf.post("/", HTTP_X_FORWARDED_FOR="203.0.113.7,10.0.0.2")) == "203.0.113.7"
    assert client_ip(rf.post("/", HTTP_X_FORWARDED_FOR="a" * 70 + ",b")) == "a" * 64


def test_kept_headers_are_the_listed_ones_bounded_in_length(rf):
    request = rf.post("/", HTTP_USER_AGENT="x" * 600, HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="secret", HTTP_REFERER="")
    kept = kept_headers(request)
    assert kept["HTTP_USER_AGENT"] == "x" * 500
    assert "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN" not in kept and "HTTP_REFERER" not in kept


@pytest.mark.parametrize(
    "length, limit, too_large",
    [(None, 100, False), (None, 0, False), ("100", 100, False), ("101", 100, True), ("ten", 100, True)],
)
def test_body_size_is_judged_on_content_length(rf, settings, length, limit, too_large):
    settings.INTAKE_MAX_BODY_BYTES = limit
    request = rf.get("/")
    request.META.pop("CONTENT_LENGTH", None)
    if length is not None:
        request.META["CONTENT_LENGTH"] = length
    assert body_too_large(request) is too_large


def test_origin_allowed_compares_whole_origins_ignoring_a_trailing_slash(settings):
    settings.INTAKE_ALLOWED_ORIGINS = ["https://school.example", "https://branch.example/"]
    assert origin_allowed("https://school.example")
    assert origin_allowed("https://school.example/")
    assert origin_allowed("https://branch.example")
    assert origin_allowed("https://branch.example/")
    for refused in ("https://school.example.evil", "http://school.example", "school.example", "", None):
        assert not origin_allowed(refused), refused
