"""Message templates: placeholder rules, rendering, the language fallback."""

import pytest

from reminders.models import MessageKind, MessageTemplate
from reminders.templates import DEFAULTS, language_chain, message_render, render, template_errors

pytestmark = pytest.mark.django_db
K = MessageKind


def test_the_chain_is_the_leads_language_then_the_centres_then_english(settings):
    settings.LANGUAGE_CODE = "ru"
    assert language_chain("uz") == ["uz", "ru", "en"]
    assert language_chain(None) == ["ru", "en"]
    assert language_chain("en") == ["en", "ru"]


def test_a_template_row_wins_over_the_built_in_text():
    MessageTemplate.objects.filter(kind=K.TELEGRAM_THANK_YOU, language="ru").update(text="Спасибо, ждите звонка.")
    assert message_render(kind=K.TELEGRAM_THANK_YOU, language="ru") == "Спасибо, ждите звонка."
    MessageTemplate.objects.filter(kind=K.TELEGRAM_THANK_YOU, language="ru").delete()
    assert message_render(kind=K.TELEGRAM_THANK_YOU, language="ru") == DEFAULTS[K.TELEGRAM_THANK_YOU]["ru"]


def test_an_empty_name_leaves_no_dangling_comma():
    assert render("Hello, {name}! See you", {"name": ""}) == "Hello! See you"
    assert render("Hello, {name}! See you", {"name": "Kamila"}) == "Hello, Kamila! See you"


def test_an_unknown_placeholder_saved_before_the_rules_is_left_as_typed():
    assert render("At {time} in {room}", {"time": "16:00"}) == "At 16:00 in {room}"
    assert render("Broken {brace", {}) == "Broken {brace"


@pytest.mark.parametrize("kind", list(DEFAULTS))
def test_every_built_in_text_obeys_the_rules(kind):
    assert set(DEFAULTS[kind]) == {"uz", "ru", "en"}
    for text in DEFAULTS[kind].values():
        assert template_errors(kind=kind, text=text) == []


def test_uzbek_texts_write_o_and_g_with_u02bb():
    uzbek = " ".join(texts["uz"] for texts in DEFAULTS.values())
    assert "oʻ" in uzbek and "gʻ" in uzbek
    assert "o'" not in uzbek and "g'" not in uzbek and "’" not in uzbek


def test_literal_braces_are_allowed_doubled():
    assert template_errors(kind=K.SMS_TEST, text="Code {{1234}}") == []
    assert template_errors(kind=K.SMS_TEST, text="Code {code}") != []
