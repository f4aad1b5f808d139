"""Lead search: the one place that says what "search for a lead" means.

The lead list, the API and every list of rows about a lead (status changes,
trials, follow-ups, deliveries, enrolments, intake events) search through here,
so the expressions the database runs are exactly those the indexes are built on:

* a term that looks like a phone ("90 123 45 67", "+998 90 123-45-67") matches
  the normalised phone: equal to its E.164 form (the unique index), else
  containing its digits (``phone LIKE '%digits%'``, trigram index on phone);
* anything else matches, word by word, ``Lead.search_text`` — the lead's name
  and e-mail through ``normalise_search_text``, so "Gʻulom", "G'ulom", "G‘ulom"
  and "G`ulom" are one name and "ГУЛОМ" finds "Гулом" on every database — as a
  plain ``search_text LIKE '%word%'``, which a trigram GIN index on
  ``leads_lead.search_text`` serves on PostgreSQL (leads.migrations.0010).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from leads.models import Lead
from leads.selectors import lead_phone_search_filter

# Everything people type for the Uzbek oʻ/gʻ sign and the tutuq belgisi: the two
# letters (U+02BB, U+02BC), the ASCII apostrophe, the typographic quotes, the
# backtick, the acute and grave accents and the prime; all become the ASCII one.
APOSTROPHES = "\u02bb\u02bc'\u2019\u2018`\u00b4\u02b9\u2032\u02bd"
_APOSTROPHE_TABLE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))
_has_apostrophe = re.compile(f"[{re.escape(APOSTROPHES)}]").search
# Trigrams need three characters: a shorter word cannot use the index, so it is
# left out when a longer word is there to search by.
MIN_INDEXED_WORD = 3
# Rows about a lead search by the ids of the matching leads when there are at
# most this many (one indexed IN list), else by a subquery.
MAX_LEAD_IDS = 1000


def normalise_search_text(text: str) -> str:
    """Casefolded (Latin and Cyrillic alike), apostrophe variants as ``'``, ё as е,
    runs of spaces as one."""
    text = text or ""
    if _has_apostrophe(text):  # translate looks up every character: most names need none of it
        # Apostrophes first: NFKC would turn the acute accent into a space and a combining mark.
        text = text.translate(_APOSTROPHE_TABLE)
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.replace("ё", "е").split())


def lead_search_text(lead) -> str:
    """What ``Lead.search_text`` holds for ``lead``."""
    return normalise_search_text(f"{lead.full_name} {lead.email}")[:500]


def search_words(term: str) -> list[str]:
    """The normalised words of ``term`` searched for, in the order typed."""
    words = normalise_search_text(term).split()
    indexed = [word for word in words if len(word) >= MIN_INDEXED_WORD]
    return indexed or words


def lead_search_q(term: str, *, prefix: str = "") -> Q | None:
    """The condition on a lead (``prefix`` "lead__" from a row about one) for
    ``term``, or None for an empty term."""
    term = (term or "").strip()
    if not term:
        return None
    phone = lead_phone_search_filter(term)
    if phone:
        return Q(**{f"{prefix}{key}": value for key, value in phone.items()})
    condition = Q()
    for word in search_words(term):
        condition &= Q(**{f"{prefix}search_text__contains": word})
    return condition


def leads_search(queryset: QuerySet, term: str) -> QuerySet:
    condition = lead_search_q(term)
    return queryset if condition is None else queryset.filter(condition)


def rows_about_leads_q(term: str, *, lead_field: str = "lead") -> Q | None:
    """The condition on rows about a lead (``lead_field``) whose lead matches ``term``.

    The matching leads are found first on the lead's own indexes; their ids
    (up to MAX_LEAD_IDS) then go to the rows' lead index as one IN list, which
    also combines with an OR on the rows' own columns. A term that matches more
    leads than that is common enough for a subquery to find rows quickly.
    """
    condition = lead_search_q(term)
    if condition is None:
        return None
    leads = Lead.objects.filter(condition).order_by()
    ids = list(leads.values_list("pk", flat=True)[: MAX_LEAD_IDS + 1])
    if len(ids) <= MAX_LEAD_IDS:
        return Q(**{f"{lead_field}_id__in": ids})
    return Q(**{f"{lead_field}__in": leads.values("pk")})


class LeadSearchMixin:
    """get_search_results for a ModelAdmin of rows about a lead.

    ``lead_search_field`` names the foreign key to the lead; ``own_search_fields``
    the columns searched beside it: "=field" for an exact match, "field" for
    case-insensitive containment (give it a trigram index), "fk__field" for a
    small related table (groups), matched there first and then by id.
    Every condition is then one the row's own indexes answer, ORed together.
    """

    lead_search_field = "lead"
    own_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        condition = rows_about_leads_q(term, lead_field=self.lead_search_field) or Q()
        return queryset.filter(condition | self.own_search_q(queryset.model, term)), False

    def own_search_q(self, model, term: str) -> Q:
        condition = Q()
        for spec in self.own_search_fields:
            if spec.startswith("="):
                field = model._meta.get_field(spec[1:])
                try:
                    value = field.to_python(term)
                except ValidationError:  # "abc" is no reference (a UUID): it cannot match
                    continue
                condition |= Q(**{field.name: value})
            elif "__" in spec:
                relation, name = spec.split("__", 1)
                related = model._meta.get_field(relation).related_model
                ids = related.objects.filter(**{f"{name}__icontains": term}).values_list("pk", flat=True)
                condition |= Q(**{f"{relation}_id__in": list(ids[:MAX_LEAD_IDS])})
            else:
                condition |= Q(**{f"{spec}__icontains": term})
        return condition
