from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# Branding (site name, shared stylesheet) lives in templates/admin/base_site.html.
admin.site.index_title = "Back office"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("intake/", include("intake.urls")),
    path("api/v1/", include("api.urls")),
]

# JSON errors under /api/, Django's pages elsewhere (api/views.py).
handler404 = "api.views.not_found"
handler500 = "api.views.server_error"
