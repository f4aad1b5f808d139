"""Lead search by name (admin and API): the Uzbek apostrophe variants are one
letter, and Latin and Cyrillic match whatever their case (issue 12, item 7)."""

import unicodedata

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from leads import services
from leads.models import Lead
from leads.search import _APOSTROPHE_TABLE, APOSTROPHES, lead_search_q, normalise_search_text
from tests.api.factories import api_client
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sign", list(APOSTROPHES))
def test_every_apostrophe_variant_normalises_to_one(sign):
    assert normalise_search_text(f"G{sign}ulom") == "g'ulom"


def test_normalisation_casefolds_cyrillic_and_latin_and_spaces():
    assert normalise_search_text("  ГУЛОМ   Каримов ") == "гулом каримов"
    assert normalise_search_text("SEVARA") == "sevara"
    assert normalise_search_text("Фёдор") == "федор"


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(f"aBё Ё\u0301ʻ{APOSTROPHES}ﬁ½Ⅻ\u00a0\t"), max_size=20) | st.text(max_size=20))
def test_the_apostrophe_shortcut_normalises_as_translating_every_text_would(text):
    """normalise_search_text translates only a text with an apostrophe variant in it."""
    translated = unicodedata.normalize("NFKC", text.translate(_APOSTROPHE_TABLE)).casefold()
    assert normalise_search_text(text) == " ".join(translated.replace("ё", "е").split())


def names_found(term: str) -> set[str]:
    return set(Lead.objects.filter(lead_search_q(term)).values_list("full_name", flat=True))


@pytest.fixture
def leads():
    return [
        services.lead_create(phone="+998901000001", source="telegram", full_name="Gʻulom Karimov"),
        services.lead_create(phone="+998901000002", source="telegram", full_name="Oʻgʻiloy Saidova"),
        services.lead_create(phone="+998901000003", source="telegram", full_name="Гулом Каримов"),
        services.lead_create(phone="+998901000004", source="telegram", full_name="Nodir", email="Nodir@Mail.uz"),
    ]


@pytest.mark.parametrize("typed", ["G'ulom", "G‘ulom", "G’ulom", "G`ulom", "gʻulom", "GʼULOM"])
def test_any_apostrophe_typed_finds_the_name_as_stored(leads, typed):
    assert names_found(typed) == {"Gʻulom Karimov"}


def test_cyrillic_is_case_insensitive_and_words_may_come_in_any_order(leads):
    assert names_found("ГУЛОМ") == {"Гулом Каримов"}
    assert names_found("каримов гулом") == {"Гулом Каримов"}
    assert names_found("o'g'iloy") == {"Oʻgʻiloy Saidova"}
    assert names_found("nodir@mail") == {"Nodir"}


def test_a_name_typed_later_is_searchable(leads):
    lead = leads[3]
    services.lead_update_details(lead=lead, full_name="Nodir Gʻaniyev")
    assert names_found("g'aniyev") == {"Nodir Gʻaniyev"}
    repeat = LeadFactory(full_name="")
    services.lead_register_inquiry(phone=repeat.phone, source="instagram", full_name="Toʻlqin")
    assert names_found("TO'LQIN") == {"Toʻlqin"}


def test_admin_search_treats_the_variants_alike(admin_client, leads):
    response = admin_client.get(reverse("admin:leads_lead_changelist"), {"q": "G'ulom"})
    assert [lead.full_name for lead in response.context["cl"].result_list] == ["Gʻulom Karimov"]
    response = admin_client.get(reverse("admin:leads_lead_changelist"), {"q": "ГУЛОМ"})
    assert [lead.full_name for lead in response.context["cl"].result_list] == ["Гулом Каримов"]


def test_api_search_treats_the_variants_alike(manager, leads):
    response = api_client(manager).get("/api/v1/leads/", {"search": "g`ulom"})
    assert response.status_code == 200
    assert [row["full_name"] for row in response.json()["results"]] == ["Gʻulom Karimov"]
