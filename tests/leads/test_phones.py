import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leads.phones import (
    EMPTY_PHONE,
    INVALID_PHONE,
    InvalidPhone,
    format_phone_display,
    normalize_phone,
    try_normalize_phone,
)


@pytest.mark.parametrize(
    "typed",
    [
        "+998901234567",
        "+998 90 123 45 67",
        "+998 (90) 123-45-67",
        "998901234567",
        "90 123 45 67",
        "901234567",
        "8 (90) 123 45 67",  # the old trunk prefix phonenumbers no longer accepts
        "8-90-123-45-67",
        998901234567,
        998901234567.0,  # Excel numeric cell
        "9.98901234567E+11",  # Excel scientific notation pasted as text
        "9.98901234567e+11",
        "9.98901234567E11",
    ],
)
def test_uzbek_number_typed_any_way_normalises_to_e164(typed):
    assert normalize_phone(typed) == "+998901234567"


@pytest.mark.parametrize("typed", ["+7 916 123 45 67", "+1 650 253 0000", "+44 20 7946 0958"])
def test_foreign_numbers_with_country_code_are_kept(typed):
    assert normalize_phone(typed).startswith("+")


@pytest.mark.parametrize("typed", ["123", "hello", "+998 12", "8 (00) 000 00 00", "0000000000000"])
def test_invalid_phone_raises_with_the_text_in_the_message(typed):
    with pytest.raises(InvalidPhone) as exc:
        normalize_phone(typed)
    assert typed.strip() in str(exc.value)


@pytest.mark.parametrize("typed", [None, "", "   ", True])
def test_missing_phone_is_reported_as_required(typed):
    with pytest.raises(InvalidPhone, match=str(EMPTY_PHONE)):
        normalize_phone(typed)


def test_region_setting_changes_how_local_numbers_are_read(settings):
    settings.DEFAULT_PHONE_REGION = "RU"
    assert try_normalize_phone("8 916 123 45 67") == "+79161234567"


def test_region_argument_overrides_the_setting(settings):
    settings.DEFAULT_PHONE_REGION = "UZ"
    assert try_normalize_phone("8 916 123 45 67", "RU") == "+79161234567"
    assert normalize_phone("8 916 123 45 67", "ru") == "+79161234567"
    assert try_normalize_phone("8 916 123 45 67") is None  # not an Uzbek number


@pytest.mark.parametrize("cell", [998901234567.5, 901234567.25, float("nan"), float("inf")])
def test_spreadsheet_number_with_a_fraction_is_refused_with_its_value(cell):
    with pytest.raises(InvalidPhone) as exc:
        normalize_phone(cell)
    assert str(exc.value) == INVALID_PHONE.format(raw=cell)


def test_display_format_is_readable():
    assert format_phone_display("+998901234567") == "+998 90 123 45 67"


# Uzbek mobile operator codes with their valid 7-digit subscriber numbers.
operator = st.sampled_from(["90", "91", "93", "94", "95", "97", "98", "99", "33", "88"])
subscriber = st.integers(min_value=0, max_value=9_999_999).map(lambda n: f"{n:07d}")


@given(
    operator,
    subscriber,
    st.sampled_from(
        ["+998 {o} {a} {b} {c}", "8 ({o}) {a}-{b}-{c}", "{o}{a}{b}{c}", "998{o}{a}{b}{c}", "+998({o}){a}{b}{c}"]
    ),
)
def test_every_way_of_typing_a_number_gives_the_same_e164(op, sub, template):
    typed = template.format(o=op, a=sub[:3], b=sub[3:5], c=sub[5:])
    expected = try_normalize_phone(f"+998{op}{sub}")
    assert try_normalize_phone(typed) == expected


# 7 and 8 digits: a digit or two short of an Uzbek number (9 national digits),
# typed the ways people type phones. None of them is a number we can call.
SHORT_NUMBERS = [
    "1234567",
    "12345678",
    "9012345",
    "90123456",
    "90 123 45",
    "90 123 456",
    "(90) 123-45-6",
    "8 90 123 45",
    "8 90 123 456",
    "998 90 123 45",
    "998 90123456",
    "9989012345",
    "99890123456",
    "+998 90 123 45",
    "+998 90 123 456",
    "+998 9012345",
    "+99890123456",
    "+998 (71) 123-45",
    "+998 1234567",
    "+998 12345678",
    "2345678",
    "23456789",
    1234567,
    12345678.0,
    99890123456,
]


@pytest.mark.parametrize("typed", SHORT_NUMBERS, ids=str)
def test_seven_and_eight_digit_numbers_are_refused(typed):
    with pytest.raises(InvalidPhone) as exc:
        normalize_phone(typed)
    assert str(exc.value) == INVALID_PHONE.format(raw=str(typed).strip().removesuffix(".0"))


@given(
    operator,
    st.integers(min_value=0, max_value=99_999).map(lambda n: f"{n:05d}"),
    st.integers(min_value=5, max_value=6),
    st.sampled_from(["{o}{s}", "+998{o}{s}", "998{o}{s}", "8{o}{s}", "+998 ({o}) {s}", "8 ({o}) {s}"]),
)
def test_an_uzbek_number_missing_one_or_two_digits_is_refused(op, digits, length, template):
    subscriber = (digits * 2)[:length]  # 5 or 6 subscriber digits: 7 or 8 national digits
    # "8" + 8 national digits is 9 digits: a different, complete number (88 800 00 00).
    assume(not (template.startswith("8") and length == 6))
    assert try_normalize_phone(template.format(o=op, s=subscriber)) is None


# --- the fast path for common Uzbek shapes agrees with the full parse ----------------

_PREFIXES = ["20", "33", "50", "55", "61", "62", "65", "66", "69", "71", "72", "73", "74", "75", "77"]
_PREFIXES += ["79", "88", "90", "91", "93", "94", "95", "97", "98", "99"]
_SEPARATORS = st.sampled_from(["", "", " ", "-", "(", ")", "  ", " - "])
_NATIONAL = st.one_of(
    # Real operator and city prefixes, then any digits ...
    st.tuples(
        st.sampled_from(_PREFIXES),
        st.text("0123456789", min_size=7, max_size=7),
    ).map("".join),
    # ... and anything at all, valid or not, of the lengths the fast path looks at.
    st.text("0123456789", min_size=8, max_size=11),
)


@st.composite
def _typed_uz(draw):
    """A number the way people type it: +998, 998, a trunk 8 or nothing in front,
    separators anywhere between the digits."""
    national = draw(_NATIONAL)
    prefix = draw(st.sampled_from(["+998", "998", "8", "", "+", "+8", "0", "00998"]))
    digits = prefix.lstrip("+") + national
    parts = ["+" if prefix.startswith("+") else ""]
    for digit in digits:
        parts.append(draw(_SEPARATORS) if len(parts) > 1 else "")
        parts.append(digit)
    parts.append(draw(_SEPARATORS))
    return "".join(parts)


@settings(max_examples=3000, deadline=None)
@given(_typed_uz())
def test_the_fast_path_for_uzbek_numbers_agrees_with_phonenumbers(typed):
    from leads.phones import _fast_uz, _normalize_full

    fast = _fast_uz(typed)
    if fast is not None:  # it only ever accepts; what it leaves goes the full way
        assert fast == _normalize_full(typed, "UZ")


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from("0123456789+-() 8"), max_size=20))
def test_the_fast_path_agrees_with_phonenumbers_on_any_digits_and_separators(typed):
    from leads.phones import _fast_uz, _normalize_full

    fast = _fast_uz(typed)
    if fast is not None:
        assert fast == _normalize_full(typed, "UZ")


def test_the_fast_path_takes_the_shapes_of_the_import_files():
    from leads.phones import _fast_uz

    for typed in ["+998 90 123 45 67", "+998901234567", "998901234567", "90 123-45-67", "8 (90) 123 45 67"]:
        assert _fast_uz(typed) == "+998901234567"


@pytest.mark.parametrize(
    "prefix", ["20", "33", "50", "55", "61", "71", "77", "88", "90", "91", "93", "94", "95", "97", "98", "99"]
)
def test_an_uzbek_number_reads_as_phonenumbers_formats_it_without_its_parse(prefix):
    import phonenumbers

    e164 = f"+998{prefix}1234567"
    expected = phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    assert format_phone_display.__wrapped__(e164) == expected
