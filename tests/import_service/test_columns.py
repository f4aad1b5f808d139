import pytest
from django.core.exceptions import ValidationError

from import_service import columns


@pytest.mark.parametrize(
    "header, field",
    [
        ("Phone", "phone"),
        ("phone_number", "phone"),
        ("PHONE-NUMBER", "phone"),
        ("Телефон", "phone"),
        ("Номер телефона", "phone"),
        ("Telefon", "phone"),
        ("Telefon raqami", "phone"),
        (" telefon_raqami ", "phone"),
        ("name", "full_name"),
        ("Full Name", "full_name"),
        ("ФИО", "full_name"),
        ("Ф.И.О.", "full_name"),
        ("Имя", "full_name"),
        ("Ism", "full_name"),
        ("F.I.Sh", "full_name"),
        ("f i sh", "full_name"),
        ("E-mail", "email"),
        ("Курс", "course_interest"),
        ("Kurs", "course_interest"),
        ("qaysi_kurs?", "course_interest"),
        ("Комментарий", "comment"),
        ("Izoh", "comment"),
        ("utm_source", "utm_source"),
        ("UTM Campaign", "utm_campaign"),
        ("created_time", "created_time"),
        ("Отметка времени", "created_time"),
        ("Timestamp", "created_time"),
        ("ad_id", "ad_id"),
        ("Language", "language"),
        ("Til", "language"),
        ("Язык", "language"),
    ],
)
def test_aliases_in_three_languages_ignore_case_spaces_and_punctuation(header, field):
    assert columns.field_for(header, {}) == field


def test_unknown_header_maps_to_nothing():
    assert columns.field_for("adset_name", {}) is None
    assert columns.field_for("", {}) is None


def test_map_override_adds_and_replaces_aliases():
    overrides = columns.parse_overrides(["Tel. raqam=phone", "Name=comment"])
    mapping = columns.build_mapping(["Name", "Tel raqam", "Izoh"], overrides)
    assert mapping == {0: "comment", 1: "phone"}  # Izoh loses: comment already taken by the first column


def test_map_with_unknown_field_is_refused():
    with pytest.raises(ValidationError) as exc:
        columns.parse_overrides(["Tel=telephone"])
    assert "Unknown lead field “telephone”" in exc.value.messages[0]


def test_map_without_equals_is_refused():
    with pytest.raises(ValidationError, match="COLUMN=field"):
        columns.parse_overrides(["phone"])


def test_missing_phone_column_lists_the_headers_seen():
    headers = ["Name", "Email", "Course"]
    with pytest.raises(ValidationError) as exc:
        columns.check_mapping(headers, columns.build_mapping(headers, {}), {})
    message = exc.value.messages[0]
    assert message.startswith("No phone column found.")
    assert "“Name”, “Email”, “Course”" in message


def test_map_naming_a_column_the_file_does_not_have_is_refused():
    headers = ["Name", "Phone"]
    overrides = columns.parse_overrides(["Tel. raqam=phone"])
    with pytest.raises(ValidationError) as exc:
        columns.check_mapping(headers, columns.build_mapping(headers, overrides), overrides)
    assert exc.value.messages[0].startswith("--map names a column “Tel. raqam” that is not in the header row.")
