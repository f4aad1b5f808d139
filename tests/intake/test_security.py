import pytest

from intake.conf import Rate, parse_rate
from intake.security import hmac_signature_valid, landing_key_for
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
