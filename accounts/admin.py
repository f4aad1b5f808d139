from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.lockout import staff_login_unlock
from accounts.models import User


def _locked_since():
    """When this user's username was last refused while it still locks them
    (django-axes' attempt row), or nothing: the lock lifts a cool-off later."""
    return (
        AccessAttempt.objects.filter(
            username=OuterRef("username"),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gt=timezone.now() - settings.AXES_COOLOFF_TIME,
        )
        .order_by("-attempt_time")
        .values("attempt_time")[:1]
    )


class RoleFilter(admin.SimpleListFilter):
    """Django's "groups" filter, with the role names in the reader's language."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(str(group.pk), roles.role_label(group.name)) for group in Group.objects.order_by("name")]

    def queryset(self, request, queryset):
        value = self.value() or ""
        return (
            queryset.filter(groups=int(value)) if value.isascii() and value.isdigit() and len(value) < 10 else queryset
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "email",
        "role_names",
        "open_leads",
        "login_state",
        "is_active",
        "is_staff",
    ]
    actions = ["unlock_login"]
    list_filter = [RoleFilter, "is_active", "is_staff", "is_superuser"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Language and notifications"), {"fields": ["language", "telegram_chat_id", "phone"]}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(open_lead_count=Count("leads", distinct=True), login_locked_at=Subquery(_locked_since()))
        )

    # Managers may edit staff (roles, contact details) but not hand out superuser
    # status or single permissions, nor touch a superuser's account (its
    # password included): otherwise any manager could take the owner's account.
    SUPERUSER_ONLY_FIELDS = ["is_superuser", "user_permissions"]

    def get_actions(self, request):
        # "Delete selected" last, as core.admin_tools.delete_selected_last does
        # for the apps above (accounts sits below core and cannot use it).
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = actions.pop("delete_selected")
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.SUPERUSER_ONLY_FIELDS if f not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = lambda group: roles.role_label(group.name)
        return field

    @admin.display(description=_("login lock"), ordering="login_locked_at")
    def login_state(self, obj):
        if obj.login_locked_at is None:
            return "—"
        until = timezone.localtime(obj.login_locked_at + settings.AXES_COOLOFF_TIME)
        return gettext("Locked until %(time)s") % {"time": f"{until:%H:%M}"}

    @admin.action(description=_("Unlock login (after too many wrong passwords)"), permissions=["change"])
    def unlock_login(self, request, queryset):
        unlocked = staff_login_unlock(users=list(queryset), by=request.user)
        message = ngettext("%(count)d login unlocked.", "%(count)d logins unlocked.", unlocked) % {"count": unlocked}
        self.message_user(request, message, messages.SUCCESS)

    @admin.display(description=_("roles"))
    def role_names(self, obj):
        return ", ".join(roles.role_label(g.name) for g in obj.groups.all()) or "—"

    @admin.display(description=_("leads"), ordering="open_lead_count")
    def open_leads(self, obj):
        return obj.open_lead_count
