from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TodayConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "today"
    verbose_name = _("Start pages")


class CRMAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site (INSTALLED_APPS names this instead of
    "django.contrib.admin"): its index is the start page of whoever logs in."""

    default = False  # "today" alone means TodayConfig
    default_site = "today.site.CRMAdminSite"
