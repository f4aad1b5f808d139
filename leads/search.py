"""Lead search by name and e-mail: one normalisation for what is stored and what
is typed, so “Gʻulom”, “G'ulom”, “G‘ulom” and “G`ulom” are one name, and
“ГУЛОМ” finds “Гулом” on every database.

Each lead stores ``search_text`` (its name and e-mail through
``normalise_search_text``); a search normalises the words typed the same way and
asks for leads whose ``search_text`` contains every word: a plain
``LIKE '%word%'``, which a trigram index on ``leads_lead.search_text``
(``gin_trgm_ops``) serves on PostgreSQL. Phones are searched on their own
column (``leads.selectors.lead_phone_search_filter``).
"""

from __future__ import annotations

import unicodedata

from django.db.models import Q

# Everything people type for the Uzbek oʻ/gʻ sign and the tutuq belgisi: the two
# letters (U+02BB, U+02BC), the ASCII apostrophe, the typographic quotes, the
# backtick, the acute and grave accents and the prime; all become the ASCII one.
APOSTROPHES = "\u02bb\u02bc'\u2019\u2018`\u00b4\u02b9\u2032\u02bd"
_APOSTROPHE_TABLE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


def normalise_search_text(text: str) -> str:
    """Casefolded (Latin and Cyrillic alike), apostrophe variants as ``'``, ё as е,
    runs of spaces as one."""
    # Apostrophes first: NFKC would turn the acute accent into a space and a combining mark.
    text = unicodedata.normalize("NFKC", (text or "").translate(_APOSTROPHE_TABLE)).casefold()
    return " ".join(text.replace("ё", "е").split())


def lead_search_text(lead) -> str:
    """What ``Lead.search_text`` holds for ``lead``."""
    return normalise_search_text(f"{lead.full_name} {lead.email}")[:500]


def lead_search_q(term: str) -> Q:
    """Leads whose name or e-mail contains every word of ``term``."""
    query = Q()
    for word in normalise_search_text(term).split():
        query &= Q(search_text__contains=word)
    return query
