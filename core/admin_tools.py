"""Admin building blocks shared by every app: export actions, a date-range
filter, service errors on forms, form pages and intermediate action pages."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from accounts import roles
from core.days import day_bounds
from core.exports import csv_response, xlsx_response
from core.widgets import DAY_PLACEHOLDER, parse_day

MAX_ID = 2**63 - 1  # the largest bigint primary key


def parse_id(value) -> int | None:
    """A primary key from a query string, or None for anything that cannot be one
    (text, a negative or a number no database column holds: SQLite raises on those)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _export_rows(modeladmin, request, queryset):
    fields = [f for f in modeladmin.get_export_fields(request) if f != "action_checkbox"]
    header = [str(label_for_field(f, queryset.model, modeladmin)) for f in fields]

    def rows():
        for obj in queryset.iterator(chunk_size=2000) if not queryset._prefetch_related_lookups else queryset:
            row = []
            for name in fields:
                _, _, value = lookup_field(name, obj, modeladmin)
                row.append(strip_tags(str(value)) if hasattr(value, "__html__") else value)
            yield row

    return header, rows()


def delete_selected_last(actions: dict) -> dict:
    """Django lists the site-wide "Delete selected" first in every action menu,
    where a slip of the thumb on a phone picks it; staff find it last."""
    if "delete_selected" in actions:
        actions["delete_selected"] = actions.pop("delete_selected")
    return actions


class DeleteSelectedLastMixin:
    """For a ModelAdmin without ExportMixin (which does the same): "Delete selected" last."""

    def get_actions(self, request):
        return delete_selected_last(super().get_actions(request))


class ExportMixin:
    """Adds "Export selected to CSV / XLSX" actions over the changelist columns.

    The rows exported are the queryset the admin gives the action, so row-level
    restrictions in get_queryset (a salesperson's own leads) apply to exports too.
    """

    export_fields = None

    def get_export_fields(self, request):
        return self.export_fields or self.get_list_display(request)

    @admin.action(description=_("Export selected to CSV"))
    def export_csv(self, request, queryset):
        header, rows = _export_rows(self, request, queryset)
        return csv_response(f"{queryset.model._meta.model_name}-{timezone.localdate()}.csv", header, rows)

    @admin.action(description=_("Export selected to Excel (XLSX)"))
    def export_xlsx(self, request, queryset):
        header, rows = _export_rows(self, request, queryset)
        return xlsx_response(f"{queryset.model._meta.model_name}-{timezone.localdate()}.xlsx", header, rows)

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name in ("export_csv", "export_xlsx"):
            func = getattr(type(self), name)  # unbound: the admin calls func(modeladmin, request, queryset)
            actions[name] = (func, name, func.short_description)
        return delete_selected_last(actions)


class DateRangeFilter(admin.FieldListFilter):
    """From/to calendar-day filter on a datetime field, in local time (TIME_ZONE).
    The days are typed dd.mm.yyyy (core.widgets; ISO from links works too); a day
    that is not one is left out of the filter and said so beside its input."""

    template = "admin/core/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.param_from = f"{field_path}__date_from"
        self.param_to = f"{field_path}__date_to"
        self.typed: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        super().__init__(field, request, params, model, model_admin, field_path)
        # The base class has moved our parameters from `params` into used_parameters.
        self.date_from = self._date(self.param_from)
        self.date_to = self._date(self.param_to)

    def _date(self, name):
        value = self.used_parameters.get(name)
        if isinstance(value, list):
            value = value[-1] if value else None
        value = (value or "").strip()
        try:
            parsed = parse_day(value)
        except ValidationError as exc:  # 31.02.2026, 12/07/2026, text
            self.used_parameters.pop(name)  # left out of the filter rather than fail the page
            self.typed[name], self.errors[name] = value, exc.messages[0]
            return None
        if not parsed:
            self.used_parameters.pop(name, None)
        return parsed

    def expected_parameters(self):
        return [self.param_from, self.param_to]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.date_from:
            queryset = queryset.filter(**{f"{self.field_path}__gte": day_bounds(self.date_from)[0]})
        if self.date_to:
            queryset = queryset.filter(**{f"{self.field_path}__lt": day_bounds(self.date_to)[1]})
        return queryset

    def _shown(self, name, day) -> str:
        return self.typed.get(name) or (formats.localize_input(day) if day else "")

    def choices(self, changelist):
        other_params = {
            key: value
            for key, value in changelist.get_filters_params().items()
            if key not in (self.param_from, self.param_to)
        }
        yield {
            "param_from": self.param_from,
            "param_to": self.param_to,
            "value_from": self._shown(self.param_from, self.date_from),
            "value_to": self._shown(self.param_to, self.date_to),
            "error_from": self.errors.get(self.param_from, ""),
            "error_to": self.errors.get(self.param_to, ""),
            "placeholder": DAY_PLACEHOLDER,
            "other_params": [(k, v[-1] if isinstance(v, list) else v) for k, v in other_params.items()],
            "reset_url": changelist.get_query_string(remove=[self.param_from, self.param_to]),
        }


def add_service_errors(form: forms.BaseForm, exc: ValidationError, *, rename: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError to the form: each message on the field
    it names (``rename`` maps a model field to the form's name for it), the
    rest as non-field errors."""
    rename = rename or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = rename.get(name, name)
        target = target if target in form.fields and target != NON_FIELD_ERRORS else None
        for error in errors:
            form.add_error(target, error)


def admin_page_context(modeladmin, request, **extra) -> dict:
    """The context every admin page of ``modeladmin`` needs (site, opts), plus ``extra``."""
    return {**modeladmin.admin_site.each_context(request), "opts": modeladmin.model._meta, **extra}


def form_page(
    modeladmin, request, *, form, title: str, submit_label: str, original=None, intro: str = "", empty_message: str = ""
) -> TemplateResponse:
    """A one-form admin page (book a trial, set a follow-up, record a result),
    with breadcrumbs back to ``original``'s change page."""
    context = admin_page_context(
        modeladmin,
        request,
        title=title,
        form=form,
        original=original,
        submit_label=submit_label,
        intro=intro,
        empty_message=empty_message,
    )
    return TemplateResponse(request, "admin/core/form_page.html", context)


class ConfirmForm(forms.Form):
    """Asks nothing: the page it is on is the confirmation of a click that is
    hard to undo (mark attended / no-show)."""


CONFIRM_LISTED = 20  # rows named on a confirmation page; the rest are counted


def intermediate_action(
    modeladmin,
    request,
    queryset,
    *,
    form_class,
    title: str,
    apply,
    form_kwargs=None,
    intro: str = "",
    submit_label: str = "",
):
    """Run an admin action that first asks for input (a reason, a salesperson)
    or a confirmation (``form_class=ConfirmForm``), naming the selected rows.

    Shows ``form_class`` for the selected rows; once submitted and valid, calls
    ``apply(form.cleaned_data)`` and returns to the changelist (None).
    """
    form_kwargs = form_kwargs or {}
    if "apply" in request.POST:
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            apply(form.cleaned_data)
            return None
    else:
        form = form_class(**form_kwargs)
    context = admin_page_context(
        modeladmin,
        request,
        title=title,
        form=form,
        queryset=queryset,
        action=request.POST.get("action"),
        action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        selected=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        select_across=request.POST.get("select_across", "0"),
        intro=intro,
        submit_label=submit_label,
        listed=list(queryset[:CONFIRM_LISTED]),
    )
    return TemplateResponse(request, "admin/core/action_form.html", context)


def salesperson_filter(field_path: str, *, with_unassigned: bool = False):
    """A changelist filter "by salesperson" over ``field_path`` (a FK to the user:
    "assigned_to", "lead__assigned_to", "salesperson"). Only managers get choices:
    a salesperson's lists hold only their own rows already."""

    class SalespersonFilter(admin.SimpleListFilter):
        title = _("salesperson")
        parameter_name = "salesperson"

        def lookups(self, request, model_admin):
            if not roles.is_manager(request.user):
                return []
            choices = [(str(user.pk), str(user)) for user in roles.salespeople()]
            return [("none", _("Unassigned")), *choices] if with_unassigned else choices

        def queryset(self, request, queryset):
            value = self.value()
            if value == "none" and with_unassigned:
                return queryset.filter(**{f"{field_path}__isnull": True})
            user_id = parse_id(value)
            if user_id is not None:
                return queryset.filter(**{f"{field_path}_id": user_id})
            return queryset

    return SalespersonFilter


class OwnRowsColumnsMixin:
    """Drops the columns naming the salesperson from a salesperson's list: their
    lists hold only their own rows, so the column repeated their own name on
    every row and took room a phone does not have. Managers keep it."""

    salesperson_columns: tuple[str, ...] = ()

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if roles.is_manager(request.user):
            return columns
        return [column for column in columns if column not in self.salesperson_columns]


class ReadOnlyAdminMixin:
    """For rows written only by services (history, rollups, counters) or admin
    entries that are really pages: people read them, nobody adds, edits or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
