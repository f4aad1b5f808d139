from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts.views import set_language

# Branding (site name, shared stylesheet) lives in templates/admin/base_site.html.
admin.site.index_title = _("Back office")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # The admin header's language switcher (templates/admin/base_site.html).
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("intake/", include("intake.urls")),
    path("sms/", include("reminders.urls")),
    path("api/v1/", include("api.urls")),
]

# JSON errors under /api/, Django's pages elsewhere (api/views.py).
handler404 = "api.views.not_found"
handler500 = "api.views.server_error"
