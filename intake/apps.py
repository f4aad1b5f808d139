from django.apps import AppConfig


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "intake"
    verbose_name = "Lead intake"

    def ready(self):
        from intake import checks  # noqa: F401  (registers the system checks)
