"""API tokens in admin: make one (shown once, on the page after saving),
list them with their state, revoke. A salesperson or teacher sees and makes
only their own; a manager all, and makes them for integration users too."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from api import services
from api.models import ApiToken
from core.admin_tools import DeleteSelectedLastMixin, add_service_errors, admin_page_context
from core.badges import GREEN, GREY, RED, badge


class ApiTokenForm(forms.ModelForm):
    expires_days = forms.IntegerField(
        label=gettext_lazy("Expires in (days)"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Empty: the default expiry."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "read_only"]


def token_users_for(user):
    """Whom ``user`` may make tokens for (api.services.may_issue_for)."""
    people = get_user_model().objects.filter(is_active=True)
    if user.is_superuser:
        return people
    if roles.is_manager(user):
        return people.filter(Q(pk=user.pk) | (Q(is_superuser=False) & ~Q(groups__name=roles.MANAGERS))).distinct()
    return people.filter(pk=user.pk)


@admin.register(ApiToken)
class ApiTokenAdmin(DeleteSelectedLastMixin, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "state", "read_only", "created_at", "expires_at", "last_used_at"]
    list_select_related = ["user"]
    list_filter = ["read_only"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "read_only",
        "state",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if roles.is_manager(request.user):
            # Not a superuser's tokens: a manager may not act for the owner (accounts.admin).
            return queryset.filter(Q(user=request.user) | Q(user__is_superuser=False))
        return queryset.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "read_only", "expires_days"]
        return self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = token_users_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the list keeps who had access

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        now = timezone.now()
        if obj.revoked_at is not None:
            return badge(_("Revoked"), GREY)
        if obj.expires_at <= now:
            return badge(_("Expired"), RED)
        return badge(_("Active"), GREEN)

    def add_view(self, request, form_url="", extra_context=None):
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.get_form(request)(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                issued = services.api_token_create(
                    user=data["user"],
                    name=data["name"],
                    read_only=data["read_only"],
                    expires_days=data.get("expires_days"),
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("user", str(exc))
            else:
                context = admin_page_context(
                    self, request, title=_("Your new API token"), token=issued.token, plaintext=issued.plaintext
                )
                response = TemplateResponse(request, "admin/api/apitoken/created.html", context)
                response["Cache-Control"] = "no-store"
                return response
        return self._changeform_with(request, form, form_url, extra_context)

    def _changeform_with(self, request, form, form_url, extra_context):
        """The add page again, with the bound form's errors."""
        admin_form = admin.helpers.AdminForm(form, list(self.get_fieldsets(request)), {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add API token"),
            "adminform": admin_form,
            "errors": admin.helpers.AdminErrorList(form, []),
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    @admin.action(description=gettext_lazy("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        done = sum(services.api_token_revoke(token=token, by=request.user) for token in queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", done) % {"count": done},
            messages.SUCCESS,
        )
