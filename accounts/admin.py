from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "email", "role_names", "open_leads", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Notifications", {"fields": ["telegram_chat_id", "phone"]}))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(open_lead_count=Count("leads", distinct=True))
        )

    # Managers may edit staff (roles, contact details) but not hand out superuser
    # status or single permissions, nor touch a superuser's account (its
    # password included): otherwise any manager could take the owner's account.
    SUPERUSER_ONLY_FIELDS = ["is_superuser", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.SUPERUSER_ONLY_FIELDS if f not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="roles")
    def role_names(self, obj):
        return ", ".join(g.name for g in obj.groups.all()) or "—"

    @admin.display(description="leads", ordering="open_lead_count")
    def open_leads(self, obj):
        return obj.open_lead_count
