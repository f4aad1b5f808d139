from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportServiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "import_service"
    verbose_name = _("Lead import")
