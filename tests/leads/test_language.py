"""language_from: what channels and import files call a language, as our code."""

import pytest

from leads.models import language_from


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("uz", "uz"),
        ("uz-Latn-UZ", "uz"),
        ("EN_gb", "en"),
        ("Русский", "ru"),
        ("oʻzbekcha", "uz"),
        ("O’zbek", "uz"),
        ("rus tili", "ru"),
        ("English", "en"),
        ("de", None),
        ("kk", None),
        ("", None),
        (None, None),
    ],
)
def test_language_from(value, code):
    assert language_from(value) == code
