"""Imported inquiries used to carry their row's fingerprint as a " [#<16 hex>]"
suffix of ``note``; move it into ``LeadInquiry.fingerprint`` and strip it from
the note. The reverse writes the suffix back (cutting the note, as the old code
did, so that it fits 255 characters)."""

import re

from django.db import migrations

SUFFIX = re.compile(r" ?\[#([0-9a-f]{16})\]$")
BATCH = 2000


def _batches(queryset):
    """The rows of ``queryset`` in primary-key order, BATCH at a time (no cursor
    held open while the same table is updated)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def fingerprints_to_column(apps, schema_editor):
    LeadInquiry = apps.get_model("leads", "LeadInquiry")
    tagged = LeadInquiry.objects.filter(note__contains="[#").only("pk", "note", "fingerprint")
    for batch in _batches(tagged):
        changed = []
        for inquiry in batch:
            match = SUFFIX.search(inquiry.note)
            if match:
                inquiry.fingerprint = match.group(1)
                inquiry.note = inquiry.note[: match.start()]
                changed.append(inquiry)
        LeadInquiry.objects.bulk_update(changed, ["note", "fingerprint"])


def fingerprints_to_note(apps, schema_editor):
    LeadInquiry = apps.get_model("leads", "LeadInquiry")
    for batch in _batches(LeadInquiry.objects.exclude(fingerprint="").only("pk", "note", "fingerprint")):
        for inquiry in batch:
            tag = f" [#{inquiry.fingerprint}]"
            inquiry.note = inquiry.note[: 255 - len(tag)] + tag
            inquiry.fingerprint = ""
        LeadInquiry.objects.bulk_update(batch, ["note", "fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0004_leadinquiry_fingerprint"),
    ]

    operations = [
        migrations.RunPython(fingerprints_to_column, fingerprints_to_note),
    ]
