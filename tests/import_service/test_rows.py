"""What one row says (import_service.services.rows): the per-mapping details
reader and the eager e-mail check give exactly what the plain code gives."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from import_service import columns
from import_service.services import rows
from leads.models import Lead, language_from

MAX_LENGTHS = {f.name: f.max_length for f in Lead._meta.concrete_fields if getattr(f, "max_length", None)}


def plain_row_details(values, mapping):
    """The details of a row as the import read them before the reader was built
    once per mapping: every step per row, the reference the reader must match."""
    fields = {field: values[index] for index, field in mapping.items() if values[index]}
    details = {"phone_raw": fields.get("phone", "")}
    for field in columns.TEXT_FIELDS:
        if field in fields:
            details[field] = fields[field]
    language = language_from(fields.get("language"))
    if language:
        details["language"] = language
    first, last = fields.get("first_name", ""), fields.get("last_name", "")
    if first or last:
        details["full_name"] = " ".join(p for p in (details.get("full_name") or first, last) if p)
    if details.get("email"):
        try:
            django_validate_email(details["email"])
        except ValidationError:
            bad = details.pop("email")
            details["comment"] = "\n".join(p for p in (details.get("comment", ""), f"E-mail as given: {bad}") if p)
    for name, value in details.items():
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            details[name] = value[:limit]
    return details


def django_accepts(text: str) -> bool:
    try:
        django_validate_email(text)
    except ValidationError:
        return False
    return True


def our_check_accepts(text: str) -> bool:
    try:
        rows.validate_email(text)
    except ValidationError:
        return False
    return True


cell = st.one_of(
    st.just(""),
    st.text(max_size=8),
    st.text(st.sampled_from("ab@.-+ 'ʻ"), max_size=12),
    st.emails(),
    st.sampled_from(["ru", "Русский", "oʻzbekcha", "English", "uz-Latn", "de"]),
    st.text(min_size=190, max_size=260),  # over the model's lengths
)


@st.composite
def a_mapping_and_row(draw):
    fields = st.sampled_from(columns.FIELDS)
    # A field mapped from two columns too (--map can do that): the last non-blank one counts.
    chosen = draw(
        st.lists(fields, unique=True, min_size=1, max_size=len(columns.FIELDS)) | st.lists(fields, max_size=6)
    )
    width = len(chosen) + draw(st.integers(0, 2))  # unmapped columns too
    indexes = draw(st.permutations(range(width)))
    mapping = dict(zip(indexes, chosen, strict=False))
    values = tuple(draw(cell) for _ in range(width))
    return mapping, values


@settings(max_examples=1500, deadline=None)
@given(a_mapping_and_row())
def test_the_details_reader_gives_what_the_plain_code_gives(case):
    mapping, values = case
    assert rows.details_reader(mapping)(values) == plain_row_details(values, mapping)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.emails(), st.text(max_size=40), st.text(st.sampled_from('aZ9@.-_[]:+"\\ '), max_size=30)))
def test_the_eager_email_check_agrees_with_djangos(text):
    assert our_check_accepts(text) == django_accepts(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("ab \x1f+998901234567"), max_size=14), min_size=1, max_size=5))
def test_a_parsed_rows_fingerprint_is_that_of_its_cells(cells):
    row = rows.parse_row(2, cells, {0: "phone"}, now=timezone.now())
    if row is not None:  # a blank row is skipped
        assert row.fingerprint() == rows.row_fingerprint(tuple(c.strip() for c in cells))
