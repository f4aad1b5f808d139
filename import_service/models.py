"""A record of every lead import: who ran it, what came in, what became of each row.

Writes go through import_service.services; this module only describes the data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.models import Lead, LeadSource


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class InputKind(models.TextChoices):
    CSV = "csv", "CSV file"
    XLSX = "xlsx", "Excel workbook"
    GOOGLE_SHEET = "google_sheet", "Google Sheet"


class ImportLog(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_imports",
        verbose_name="run by",
    )
    source = models.CharField("lead source", max_length=20, choices=LeadSource.choices)
    input_kind = models.CharField("input", max_length=20, choices=InputKind.choices)
    file_name = models.CharField("file or sheet", max_length=255)
    sheet_name = models.CharField("sheet / worksheet", max_length=255, blank=True)
    file = models.FileField(
        upload_to="imports/%Y/%m/",
        blank=True,
        max_length=255,
        help_text="The uploaded file, kept for a background run.",
    )
    options = models.JSONField(
        default=dict, blank=True, help_text="Column overrides and assignment, so a background run repeats them."
    )
    dry_run = models.BooleanField("dry run (preview only)", default=False)
    # How the uploaded CSV was written, so the error file goes back the same way
    # (Excel on a Russian-locale machine splits ";" files saved in cp1251 into columns).
    csv_delimiter = models.CharField(_("CSV delimiter"), max_length=1, blank=True)
    csv_encoding = models.CharField(_("CSV encoding"), max_length=20, blank=True)

    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    failure_reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    headers = models.JSONField(default=list, blank=True, help_text="The header row as found in the file.")
    header_row = models.PositiveIntegerField(null=True, blank=True)
    columns = models.JSONField(default=dict, blank=True, help_text="Which header went to which lead field.")
    preview = models.JSONField(default=list, blank=True, help_text="The first rows and their outcome.")

    processed_rows = models.PositiveIntegerField("rows read", default=0)
    read_finished_at = models.DateTimeField(
        null=True, blank=True, help_text="Every row read and checked; writing from here on."
    )
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    assigned_counts = models.JSONField(
        _("new leads per salesperson"),
        default=dict,
        blank=True,
        help_text=_(
            "The user id of each salesperson who got new leads from this run, and how many "
            "(for a dry run: who would get them)."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "lead import"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="completed")
                | models.Q(total=models.F("created") + models.F("duplicates") + models.F("errors")),
                name="importlog_counts_add_up",
            ),
        ]

    def __str__(self):
        kind = "Dry run" if self.dry_run else "Import"
        return f"{kind} #{self.pk} of {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.COMPLETED, ImportStatus.FAILED)


class RowOutcome(models.TextChoices):
    CREATED = "created", "Created"
    DUPLICATE = "duplicate", "Duplicate"
    ERROR = "error", "Error"


class ImportRow(models.Model):
    """A row that did not become a new lead: an error, or a duplicate of a known lead."""

    log = models.ForeignKey(ImportLog, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(help_text="The row in the file, the header row counting as a row.")
    outcome = models.CharField(max_length=20, choices=RowOutcome.choices)
    reason = models.CharField(max_length=255, blank=True)
    values = models.JSONField(default=list, help_text="The raw cells, in header order.")
    lead = models.ForeignKey(
        Lead,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For a duplicate: the lead the phone belongs to.",
    )

    class Meta:
        ordering = ["log", "row_number"]
        indexes = [models.Index(fields=["log", "outcome", "row_number"])]
        verbose_name = "import row"

    def __str__(self):
        return f"Row {self.row_number}: {self.get_outcome_display()}"


class LeadImportUpload(ImportLog):
    """Not data: gives the admin index an "Import leads" entry that opens the upload page."""

    class Meta:
        proxy = True
        verbose_name = "import leads"
        verbose_name_plural = "import leads"
