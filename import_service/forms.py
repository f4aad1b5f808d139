from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import roles
from import_service import columns
from import_service.services.inputs import ROUND_ROBIN
from leads.models import LeadSource

TOO_BIG = _("The file is {size_mb} MB; the limit is {limit_mb} MB (IMPORT_MAX_FILE_MB).")
WRONG_TYPE = _("Upload a .csv or .xlsx file.")


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("A .csv (any encoding, comma/semicolon/tab) or .xlsx file."))
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("", _("By file type (CSV / Excel)")), *list(LeadSource.choices)],
        required=False,
        help_text=_("A Meta Lead Ads export is Instagram."),
    )
    sheet = forms.CharField(
        label=_("Sheet"), required=False, max_length=255, help_text=_("Excel sheet name (default: the first sheet).")
    )
    assign = forms.ChoiceField(label=_("Assign"), required=False, help_text=_("Who gets the new leads."))
    column_map = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=format_lazy(
            _("Optional, one per line: COLUMN=field, e.g. “Tel. raqam=phone”. Fields: {fields}."),
            fields=", ".join(columns.FIELDS),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assign"].choices = [
            ("", _("Nobody (assign later)")),
            (ROUND_ROBIN, _("Round-robin across salespeople")),
        ] + [(u.username, f"{u.get_full_name() or u.username} ({u.username})") for u in roles.salespeople()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise ValidationError(WRONG_TYPE)
        limit_mb = settings.IMPORT_MAX_FILE_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise ValidationError(TOO_BIG.format(size_mb=round(upload.size / 1048576, 1), limit_mb=limit_mb))
        return upload

    def clean_column_map(self):
        lines = [line.strip() for line in self.cleaned_data["column_map"].splitlines() if line.strip()]
        columns.parse_overrides(lines)  # raises ValidationError with the reason
        return lines
