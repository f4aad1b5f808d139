"""leads 0004/0005: the import fingerprint moves from a "[#hex]" suffix of
LeadInquiry.note into its own column, and back on reverse (django-test-migrations)."""

import datetime

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("leads", "0003_lead_next_followup_at")
AFTER = ("leads", "0005_fingerprint_out_of_note")
AT = datetime.datetime(2026, 11, 19, 5, 15, tzinfo=datetime.UTC)
FP = "0123456789abcdef"


def test_fingerprint_suffixes_move_into_the_column_and_back(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    Lead = old.apps.get_model("leads", "Lead")
    LeadInquiry = old.apps.get_model("leads", "LeadInquiry")
    lead = Lead.objects.create(phone="+998901234567", source="csv")
    # Rows as the old importer wrote them: the note cut so that the suffix fits 255 characters.
    long_note = "x" * 255
    written = {
        "imported": f"partners.xlsx row 12 [#{FP}]",
        "imported, note empty": f" [#{'f' * 16}]",
        "imported, long note": long_note[: 255 - 20] + f" [#{'a' * 16}]",
        "webhook": "Telegram contact",
        "brackets that are no fingerprint": "asked about [#IELTS] course",
        "upper-case hex is not ours": f"row 3 [#{FP.upper()}]",
        "suffix not at the end": f"row 4 [#{FP}] later edited",
    }
    ids = {
        label: LeadInquiry.objects.create(lead=lead, source="csv", received_at=AT, note=note).pk
        for label, note in written.items()
    }

    new = migrator.apply_tested_migration(AFTER)
    LeadInquiry = new.apps.get_model("leads", "LeadInquiry")
    moved = {label: LeadInquiry.objects.values_list("note", "fingerprint").get(pk=pk) for label, pk in ids.items()}
    assert moved == {
        "imported": ("partners.xlsx row 12", FP),
        "imported, note empty": ("", "f" * 16),
        "imported, long note": ("x" * 235, "a" * 16),
        "webhook": ("Telegram contact", ""),
        "brackets that are no fingerprint": ("asked about [#IELTS] course", ""),
        "upper-case hex is not ours": (f"row 3 [#{FP.upper()}]", ""),
        "suffix not at the end": (f"row 4 [#{FP}] later edited", ""),
    }

    reverted = migrator.apply_tested_migration(BEFORE)
    LeadInquiry = reverted.apps.get_model("leads", "LeadInquiry")
    assert {label: LeadInquiry.objects.get(pk=pk).note for label, pk in ids.items()} == written


def test_many_tagged_inquiries_are_all_moved(migrator):
    """More rows than one batch of the migration."""
    old = migrator.apply_initial_migration(BEFORE)
    Lead = old.apps.get_model("leads", "Lead")
    LeadInquiry = old.apps.get_model("leads", "LeadInquiry")
    lead = Lead.objects.create(phone="+998901234568", source="excel")
    LeadInquiry.objects.bulk_create(
        LeadInquiry(lead=lead, source="excel", received_at=AT, note=f"list.xlsx row {n} [#{n:016x}]")
        for n in range(4500)
    )
    new = migrator.apply_tested_migration(AFTER)
    LeadInquiry = new.apps.get_model("leads", "LeadInquiry")
    assert not LeadInquiry.objects.filter(fingerprint="").exists()
    assert not LeadInquiry.objects.filter(note__contains="[#").exists()
    assert set(LeadInquiry.objects.values_list("fingerprint", flat=True)) == {f"{n:016x}" for n in range(4500)}
