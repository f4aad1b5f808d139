from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "email", "role_names", "open_leads", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Notifications", {"fields": ["telegram_chat_id", "phone"]}),)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(open_lead_count=Count("leads", distinct=True))
        )

    @admin.display(description="roles")
    def role_names(self, obj):
        return ", ".join(g.name for g in obj.groups.all()) or "—"

    @admin.display(description="leads", ordering="open_lead_count")
    def open_leads(self, obj):
        return obj.open_lead_count
