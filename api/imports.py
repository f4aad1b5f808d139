"""Lead imports (managers): upload a .csv/.xlsx → a dry-run preview (what every
row would become, nothing written) → confirm (the real run; large files in the
worker); status, counts and the rows that did not become new leads.
import_service.services.uploads does all of it, as for the admin's upload page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.base import ModelSerializer
from api.pagination import Cursor
from import_service.forms import ImportUploadForm
from import_service.models import ImportLog, ImportRow, ImportStatus, RowOutcome
from import_service.readers import ImportFileError
from import_service.services import uploads
from leads.models import LeadSource


class ImportLogSerializer(ModelSerializer):
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, allow_null=True)
    confirmed_import = serializers.SerializerMethodField(help_text=_("For a confirmed preview: the real run's id."))

    class Meta:
        model = ImportLog
        fields = [
            "id",
            "created_by",
            "source",
            "input_kind",
            "file_name",
            "sheet_name",
            "dry_run",
            "status",
            "failure_reason",
            "started_at",
            "read_finished_at",
            "finished_at",
            "created_at",
            "headers",
            "header_row",
            "columns",
            "preview",
            "processed_rows",
            "estimated_rows",
            "total",
            "created",
            "duplicates",
            "errors",
            "confirmed_import",
        ]
        read_only_fields = fields

    def get_confirmed_import(self, log) -> int | None:
        return (log.options or {}).get("confirmed_log_id")


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A .csv (any encoding, comma/semicolon/tab) or .xlsx file."))
    source = serializers.ChoiceField(choices=LeadSource.choices, required=False, allow_blank=True)
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=255)
    assign = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text=_("“round-robin” or a salesperson's username.")
    )
    map = serializers.ListField(
        child=serializers.CharField(max_length=300),
        required=False,
        help_text=_("Column overrides, each “COLUMN=field”, e.g. “Tel. raqam=phone”."),
    )


class ImportRowSerializer(ModelSerializer):
    lead = serializers.IntegerField(source="lead_id", read_only=True, allow_null=True)

    class Meta:
        model = ImportRow
        fields = ["id", "row_number", "outcome", "reason", "values", "lead"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("List lead imports (managers)"),
        description=_("Every import run and preview, newest first, with its status and counts."),
    ),
    retrieve=extend_schema(
        summary=_("Read a lead import"),
        description=_(
            "Status, progress, counts (total = created + duplicates + errors), the column mapping and the first rows."
        ),
    ),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportLogSerializer
    queryset = ImportLog.objects.order_by("-created_at", "-id")
    filterset_fields = ["status", "dry_run"]
    managers_only = True
    schema_tags = ["lead imports"]
    required_perms = {
        "upload": ("import_service.add_importlog",),
        "confirm": ("import_service.add_importlog",),
        "rows": ("import_service.view_importrow",),
    }

    def get_throttles(self):
        if self.action == "upload":
            self.throttle_scope = "api_upload"
        return super().get_throttles()

    @extend_schema(
        summary=_("Upload a file for a dry-run preview"),
        description=_(
            "Stores the file and dry-runs it: the answer says what every row would become (created, duplicate, "
            "error) and writes no lead. Confirm it to import. A large file is previewed by the worker: the answer "
            "is then “queued”; read the import until it is “completed” (progress: processed_rows of "
            "estimated_rows)."
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportLogSerializer},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request):
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        form = ImportUploadForm(
            {
                "source": values.get("source") or "",
                "sheet": values.get("sheet") or "",
                "assign": values.get("assign") or "",
                "column_map": "\n".join(values.get("map") or []),
            },
            {"file": values["file"]},
        )
        if not form.is_valid():
            raise ValidationError(
                {("map" if name == "column_map" else name): errors for name, errors in form.errors.items()}
            )
        cleaned = form.cleaned_data
        try:
            log = uploads.import_upload_preview(
                upload=cleaned["file"],
                by=request.user,
                source=cleaned["source"] or None,
                sheet=cleaned["sheet"] or None,
                assign=cleaned["assign"] or None,
                column_map=cleaned["column_map"],
            )
        except ImportFileError as exc:
            raise ValidationError({"file": str(exc)}) from exc
        return Response(ImportLogSerializer(log).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Confirm a preview"),
        description=_(
            "Runs the import the preview showed: at once, or in the worker for large files (status “queued”, then "
            "“running”). Confirming twice returns the same run."
        ),
        request=None,
        responses={201: ImportLogSerializer, 202: ImportLogSerializer},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        preview = self.get_object()
        run = uploads.import_confirm(dry_run_log=preview, by=request.user)
        code = status.HTTP_202_ACCEPTED if run.status == ImportStatus.QUEUED else status.HTTP_201_CREATED
        return Response(ImportLogSerializer(run).data, status=code)

    @extend_schema(
        summary=_("An import's problem rows"),
        description=_("The rows that did not become a new lead (errors and duplicates), in file order (cursor pages)."),
        parameters=[
            OpenApiParameter("outcome", OpenApiTypes.STR, enum=[RowOutcome.ERROR, RowOutcome.DUPLICATE]),
        ],
        responses={200: ImportRowSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=Cursor)
    def rows(self, request, pk=None):
        log = get_object_or_404(self.get_queryset(), pk=pk)
        rows = ImportRow.objects.filter(log=log)
        outcome = request.query_params.get("outcome")
        if outcome:
            if outcome not in (RowOutcome.ERROR, RowOutcome.DUPLICATE):
                raise ValidationError({"outcome": _("Use “error” or “duplicate”.")})
            rows = rows.filter(outcome=outcome)
        self.cursor_ordering = ("row_number", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ImportRowSerializer(page, many=True).data)
