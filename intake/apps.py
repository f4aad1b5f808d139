from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "intake"
    verbose_name = _("Lead intake")

    def ready(self):
        from intake import checks  # noqa: F401  (registers the system checks)
