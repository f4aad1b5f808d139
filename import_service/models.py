"""A record of every lead import: who ran it, what came in, what became of each row.

Writes go through import_service.services; this module only describes the data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leads.models import Lead, LeadSource


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class InputKind(models.TextChoices):
    CSV = "csv", _("CSV file")
    XLSX = "xlsx", _("Excel workbook")
    GOOGLE_SHEET = "google_sheet", _("Google Sheet")


class ImportLog(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_imports",
        verbose_name=_("run by"),
    )
    source = models.CharField(_("lead source"), max_length=20, choices=LeadSource.choices)
    input_kind = models.CharField(_("input"), max_length=20, choices=InputKind.choices)
    file_name = models.CharField(_("file or sheet"), max_length=255)
    sheet_name = models.CharField(_("sheet / worksheet"), max_length=255, blank=True)
    file = models.FileField(
        _("file"),
        upload_to="imports/%Y/%m/",
        blank=True,
        max_length=255,
        help_text=_("The uploaded file, kept for a background run."),
    )
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_("Column overrides and assignment, so a background run repeats them."),
    )
    dry_run = models.BooleanField(_("dry run (preview only)"), default=False)
    # How the uploaded CSV was written, so the error file goes back the same way
    # (Excel on a Russian-locale machine splits ";" files saved in cp1251 into columns).
    csv_delimiter = models.CharField(_("CSV delimiter"), max_length=1, blank=True)
    csv_encoding = models.CharField(_("CSV encoding"), max_length=20, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    headers = models.JSONField(
        _("headers"), default=list, blank=True, help_text=_("The header row as found in the file.")
    )
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    columns = models.JSONField(
        _("columns"), default=dict, blank=True, help_text=_("Which header went to which lead field.")
    )
    preview = models.JSONField(_("preview"), default=list, blank=True, help_text=_("The first rows and their outcome."))

    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    estimated_rows = models.PositiveIntegerField(
        _("estimated rows"),
        null=True,
        blank=True,
        help_text=_("About how many rows the file holds, counted at upload; progress is shown against it."),
    )
    read_finished_at = models.DateTimeField(
        _("read finished at"), null=True, blank=True, help_text=_("Every row read and checked; writing from here on.")
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
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
        verbose_name = _("lead import")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="completed")
                | models.Q(total=models.F("created") + models.F("duplicates") + models.F("errors")),
                name="importlog_counts_add_up",
            ),
        ]
        verbose_name_plural = _("import logs")

    def __str__(self):
        if self.dry_run:
            return gettext("Dry run #%(id)s of %(file)s") % {"id": self.pk, "file": self.file_name}
        return gettext("Import #%(id)s of %(file)s") % {"id": self.pk, "file": self.file_name}

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.COMPLETED, ImportStatus.FAILED)


class RowOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    DUPLICATE = "duplicate", _("Duplicate")
    ERROR = "error", _("Error")


class ImportRow(models.Model):
    """A row that did not become a new lead: an error, or a duplicate of a known lead."""

    # Not indexed alone: the (log, outcome, row_number) index below begins with it (migration 0009).
    log = models.ForeignKey(
        ImportLog, verbose_name=_("log"), on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField(
        _("row number"), help_text=_("The row in the file, the header row counting as a row.")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=RowOutcome.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    values = models.JSONField(_("values"), default=list, help_text=_("The raw cells, in header order."))
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a duplicate: the lead the phone belongs to."),
    )

    class Meta:
        ordering = ["log", "row_number"]
        indexes = [models.Index(fields=["log", "outcome", "row_number"])]
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")

    def __str__(self):
        return gettext("Row %(number)s: %(outcome)s") % {
            "number": self.row_number,
            "outcome": self.get_outcome_display(),
        }


class LeadImportUpload(ImportLog):
    """Not data: gives the admin index an "Import leads" entry that opens the upload page."""

    class Meta:
        proxy = True
        verbose_name = _("import leads")
        verbose_name_plural = _("import leads")
