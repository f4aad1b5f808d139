"""The admin site whose index is the day of whoever logs in (today.views).

Everything else is Django's AdminSite: the ``admin:index`` URL name, the
breadcrumbs, the app list (kept below the start page) and every registered
ModelAdmin.
"""

from django.contrib import admin
from django.urls import path

from today import views


class CRMAdminSite(admin.AdminSite):
    index_template = "admin/today/index.html"

    def index(self, request, extra_context=None):
        return super().index(request, extra_context={**views.start_page_context(request), **(extra_context or {})})

    def get_urls(self):
        return [
            path(
                "today/assign-unassigned/",
                self.admin_view(self.assign_unassigned_view),
                name="today_assign_unassigned",
            ),
            *super().get_urls(),
        ]

    def assign_unassigned_view(self, request):
        return views.assign_unassigned(request, site=self)
