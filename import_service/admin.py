"""Lead imports in admin: the log list, a detail page with progress, the
error/duplicate rows as CSV, and the "Import leads" upload → preview → confirm
flow. Thin: every decision is in import_service.services.uploads."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_lists import LargeListMixin
from core.admin_tools import DateRangeFilter, DeleteSelectedLastMixin, ReadOnlyAdminMixin, admin_page_context
from core.badges import BLUE, GREEN, GREY, ORANGE, RED, badge
from core.exports import csv_response, xlsx_response
from import_service import selectors
from import_service.forms import ImportUploadForm
from import_service.models import ImportLog, ImportStatus, LeadImportUpload, RowOutcome
from import_service.readers import ImportFileError
from import_service.services import uploads
from leads.badges import source_badge

STATUS_COLOURS = {
    ImportStatus.QUEUED: GREY,
    ImportStatus.RUNNING: BLUE,
    ImportStatus.COMPLETED: GREEN,
    ImportStatus.FAILED: RED,
}
OUTCOME_COLOURS = {RowOutcome.CREATED: GREEN, RowOutcome.DUPLICATE: ORANGE, RowOutcome.ERROR: RED}
DETAIL_ROWS = 50


def status_badge(log: ImportLog):
    return badge(ImportStatus(log.status).label, STATUS_COLOURS[ImportStatus(log.status)])


def outcome_badge(outcome: str):
    return badge(RowOutcome(outcome).label, OUTCOME_COLOURS[RowOutcome(outcome)])


def _can_import(request) -> bool:
    return request.user.has_perm("import_service.add_importlog")


class ImportKindFilter(admin.SimpleListFilter):
    """Runs and previews. By default a preview that led to a run is left out: the
    run's page links it, so the list does not show every confirmed file twice."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [
            ("runs", _("Runs only")),
            ("previews", _("Previews (dry runs)")),
            ("all", _("All, confirmed previews included")),
        ]

    def choices(self, changelist):
        # Django's "All" is our default (no parameter): runs and previews not yet confirmed.
        choices = list(super().choices(changelist))
        choices[0]["display"] = _("Runs and open previews")
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "runs":
            return queryset.filter(dry_run=False)
        if value == "previews":
            return queryset.filter(dry_run=True)
        if value == "all":
            return queryset
        return selectors.import_logs_listed(queryset)


@admin.register(ImportLog)
class ImportLogAdmin(DeleteSelectedLastMixin, LargeListMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "status_label",
        "source_label",
        "dry_run",
        "total",
        "created",
        "duplicates",
        "errors",
        "created_by",
        "created_at",
    ]
    list_select_related = ["created_by"]
    list_filter = [ImportKindFilter, "status", "source", "input_kind", ("created_at", DateRangeFilter)]
    search_fields = ["file_name", "sheet_name", "created_by__username"]
    change_list_template = "admin/import_service/importlog/change_list.html"
    change_form_template = "admin/import_service/importlog/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status_label",
                    "progress",
                    "failure_reason",
                    "dry_run",
                    "related_run",
                    "file_name",
                    "sheet_name",
                    "input_kind",
                    "source",
                    "created_by",
                    "started_at",
                    "finished_at",
                ]
            },
        ),
        (_("Counts"), {"fields": ["total", "created", "duplicates", "errors", "assignments", "download"]}),
        (_("Columns"), {"fields": ["header_row", "column_mapping"]}),
        (_("Rows"), {"fields": ["preview_table", "problem_rows"]}),
    ]

    # --- access: read-only; imports happen through the upload page or the command ---

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f for _, opts in self.fieldsets for f in opts["fields"]]

    # --- columns --------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return status_badge(obj)

    @admin.display(description=_("source"), ordering="source")
    def source_label(self, obj):
        return source_badge(obj.source)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.status == ImportStatus.QUEUED:
            return gettext("Waiting for the worker…")
        if obj.status == ImportStatus.RUNNING and obj.read_finished_at:
            return gettext(
                "All %(count)s rows read and checked; writing them in one transaction — the counts "
                "appear when it commits. (This page refreshes itself.)"
            ) % {"count": obj.processed_rows}
        if obj.status == ImportStatus.RUNNING and obj.estimated_rows:
            return preview_progress(obj)  # a confirmed run counts against its preview's total
        if obj.status == ImportStatus.RUNNING:
            return gettext("%(count)s rows read… (this page refreshes itself)") % {"count": obj.processed_rows}
        return gettext("%(count)s rows read") % {"count": obj.processed_rows}

    @admin.display(description=_("columns"))
    def column_mapping(self, obj):
        mapped = obj.columns or {}
        ignored = [h for h in obj.headers or [] if h and h not in mapped]
        parts = format_html_join(", ", "{} → {}", mapped.items())
        if ignored:
            return format_html("{}<br>{}", parts, gettext("Ignored: %(columns)s") % {"columns": ", ".join(ignored)})
        return parts

    @admin.display(description=_("download"))
    def download(self, obj):
        if not (obj.errors or obj.duplicates):
            return "—"
        url = reverse("admin:import_service_importlog_rows_csv", args=[obj.pk])
        if selectors.import_problem_rows_format(log=obj).kind == "xlsx":
            label = gettext("Download error and duplicate rows (Excel)")
        else:
            label = gettext("Download error and duplicate rows (CSV)")
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    @admin.display(description=_("preview / run"))
    def related_run(self, obj):
        """A run links the preview it was confirmed from; a preview, the run it led to."""
        if obj.dry_run:
            run_id = (obj.options or {}).get("confirmed_log_id")
            if not run_id:
                return gettext("Not confirmed yet.")
            url = reverse("admin:import_service_importlog_change", args=[run_id])
            return format_html('{} <a href="{}">{}</a>', gettext("Confirmed as"), url, f"#{run_id}")
        preview = selectors.import_preview_of(run=obj)
        if preview is None:
            return gettext("No preview (run from the command line or the API).")
        url = reverse("admin:import_service_importlog_change", args=[preview.pk])
        return format_html('{} <a href="{}">{}</a>', gettext("Previewed as"), url, str(preview))

    @admin.display(description=_("new leads assigned"))
    def assignments(self, obj):
        """Who got the new leads (round-robin or one salesperson), so ops can see the
        split; for a preview, who would get them."""
        rows = selectors.import_assignments(log=obj)
        if not rows:
            return "—"
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            ((user if user is not None else gettext("a deleted user"), count) for user, count in rows),
        )
        return format_html(
            '<table class="import-assignments"><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>',
            gettext("salesperson"),
            gettext("new leads"),
            body,
        )

    @admin.display(description=_("first rows"))
    def preview_table(self, obj):
        return _rows_table(
            obj.headers or [], [(r["row"], r["values"], r["outcome"], r["reason"]) for r in obj.preview or []]
        )

    @admin.display(description=format_lazy(_("errors and duplicates (first {count})"), count=DETAIL_ROWS))
    def problem_rows(self, obj):
        rows = selectors.import_problem_rows(log=obj)[:DETAIL_ROWS]
        return _rows_table(obj.headers or [], [(r.row_number, r.values, r.outcome, r.reason) for r in rows])

    # --- pages ---------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="import_service_importlog_upload"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="import_service_importlog_preview"),
            path("<int:pk>/problem-rows/", wrap(self.rows_csv_view), name="import_service_importlog_rows_csv"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": _can_import(request)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "auto_refresh": obj is not None and not obj.is_finished}
        return super().change_view(request, object_id, form_url, extra_context)

    def upload_view(self, request):
        if not _can_import(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                log = uploads.import_upload_preview(
                    upload=data["file"],
                    by=request.user,
                    source=data["source"] or None,
                    sheet=data["sheet"] or None,
                    assign=data["assign"] or None,
                    column_map=data["column_map"],
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("admin:import_service_importlog_preview", args=[log.pk]))
        context = admin_page_context(self, request, title=_("Import leads"), form=form, media=self.media + form.media)
        return TemplateResponse(request, "admin/import_service/importlog/upload.html", context)

    def preview_view(self, request, pk):
        if not _can_import(request):
            raise PermissionDenied
        log = get_object_or_404(ImportLog, pk=pk, dry_run=True)
        if request.method == "POST":
            try:
                run = uploads.import_confirm(dry_run_log=log, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:import_service_importlog_preview", args=[log.pk]))
            if run.status == ImportStatus.QUEUED:
                self.message_user(
                    request,
                    gettext("%(run)s is running in the background; this page shows its progress.") % {"run": run},
                    messages.INFO,
                )
            elif run.status == ImportStatus.COMPLETED:
                self.message_user(
                    request,
                    gettext("%(run)s: %(created)s created, %(duplicates)s duplicates, %(errors)s errors.")
                    % {"run": run, "created": run.created, "duplicates": run.duplicates, "errors": run.errors},
                    messages.SUCCESS,
                )
            else:
                message = gettext("%(run)s failed: %(reason)s") % {"run": run, "reason": run.failure_reason}
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:import_service_importlog_change", args=[run.pk]))
        context = admin_page_context(
            self,
            request,
            title=gettext("Preview: %(file)s") % {"file": log.file_name},
            log=log,
            status=status_badge(log),
            media=self.media,
            **(self._preview_ready_context(log) if log.status == ImportStatus.COMPLETED else {}),
            **(self._preview_waiting_context(log) if not log.is_finished else {}),
        )
        return TemplateResponse(request, "admin/import_service/importlog/preview.html", context)

    def _preview_ready_context(self, log):
        return {
            "rows_table": self.preview_table(log),
            "columns": self.column_mapping(log),
            "assignments": self.assignments(log) if log.assigned_counts else "",
            "download": self.download(log),
            "confirmed_run": self.related_run(log) if (log.options or {}).get("confirmed_log_id") else "",
            "background": log.total > uploads.background_threshold(),
        }

    def _preview_waiting_context(self, log):
        """A preview the worker computes: how far it got, and whether the worker
        seems not to have started it (then ops can run it by hand)."""
        estimate = log.estimated_rows
        return {
            "auto_refresh": True,
            "progress_text": preview_progress(log),
            "progress_max": max(estimate or 0, log.processed_rows) or None,
            "worker_late": log.status == ImportStatus.QUEUED
            and timezone.now() - log.created_at > uploads.WORKER_LATE_AFTER,
        }

    def rows_csv_view(self, request, pk):
        log = get_object_or_404(ImportLog, pk=pk)
        if not self.has_view_permission(request, log):
            raise PermissionDenied
        header, rows = selectors.import_problem_rows_export(log=log)
        stamp = timezone.localtime(log.created_at).strftime("%Y%m%d-%H%M")
        shape = selectors.import_problem_rows_format(log=log)
        filename = f"import-{log.pk}-problems-{stamp}.{shape.kind}"
        if shape.kind == "xlsx":
            return xlsx_response(filename, header, rows)
        return csv_response(filename, header, rows, delimiter=shape.delimiter, encoding=shape.encoding)


def preview_progress(log: ImportLog) -> str:
    """Where a background preview is, in words: waiting, rows read of about how
    many, or past reading and checking the rows against known leads."""
    if log.status == ImportStatus.QUEUED:
        return gettext("Waiting for the worker… The file is stored; nothing is lost.")
    if log.read_finished_at:
        return gettext("All %(count)s rows read; checking them against known leads…") % {
            "count": number_format(log.processed_rows, force_grouping=True)
        }
    if log.estimated_rows:
        return gettext("%(count)s of about %(total)s rows read…") % {
            "count": number_format(log.processed_rows, force_grouping=True),
            "total": number_format(max(log.estimated_rows, log.processed_rows), force_grouping=True),
        }
    return gettext("%(count)s rows read…") % {"count": number_format(log.processed_rows, force_grouping=True)}


def _rows_table(headers, rows):
    """The row number, its outcome and why come first: a Meta export has sixteen
    columns, and what ops look for must not be past the right edge of the screen.
    The file's own cells follow, scrolling inside their box when they are many."""
    if not rows:
        return "—"
    key_headers = [gettext("row"), gettext("outcome"), gettext("reason")]
    head = format_html_join("", "<th>{}</th>", ((h,) for h in [*key_headers, *headers]))
    body = format_html_join(
        "",
        '<tr><td>{}</td><td>{}</td><td class="import-reason">{}</td>{}</tr>',
        (
            (number, outcome_badge(outcome), reason, format_html_join("", "<td>{}</td>", ((v,) for v in values)))
            for number, values, outcome, reason in rows
        ),
    )
    return format_html(
        '<div class="import-rows-box"><table class="import-rows">'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>",
        head,
        body,
    )


@admin.register(LeadImportUpload)
class LeadImportUploadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The "Import leads" entry on the admin index: opens the upload page."""

    def has_module_permission(self, request):
        return _can_import(request)

    def has_view_permission(self, request, obj=None):
        return _can_import(request)

    def changelist_view(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("admin:import_service_importlog_upload"))
