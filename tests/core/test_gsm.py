"""GSM-7 and SMS parts: Uzbek apostrophes must not make a message Unicode."""

import pytest

from core.gsm import is_gsm7, sms_length, sms_text


@pytest.mark.parametrize("apostrophe", ["\u02bb", "\u02bc", "\u2019", "\u2018", "`"])
def test_every_uzbek_apostrophe_becomes_the_gsm7_one(apostrophe):
    text = sms_text(f"bo{apostrophe}yicha sinov darsi")
    assert text == "bo'yicha sinov darsi"
    assert is_gsm7(text)


def test_an_uzbek_text_with_u02bb_stays_one_gsm7_part_after_normalising():
    text = "Assalomu alaykum! 27.11 kuni soat 16:00 da IELTS boʻyicha sinov darsingiz boʻladi. Kutib qolamiz!"
    assert sms_length(text).encoding == "UCS-2"  # as typed: two parts would be billed if long
    assert sms_length(sms_text(text)) == sms_length(sms_text(text)).__class__(
        encoding="GSM-7", units=len(text), parts=1
    )


@pytest.mark.parametrize(("length", "parts"), [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_parts_are_160_then_153(length, parts):
    assert sms_length("a" * length).parts == parts


@pytest.mark.parametrize(("length", "parts"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_parts_are_70_then_67(length, parts):
    result = sms_length("д" * length)
    assert (result.encoding, result.parts) == ("UCS-2", parts)


def test_extended_characters_count_twice():
    assert sms_length("€" * 80).units == 160
    assert sms_length("€" * 81).parts == 2


def test_cyrillic_is_left_alone():
    assert sms_text("Ждём вас «завтра» — в 16:00") == 'Ждём вас "завтра" - в 16:00'
