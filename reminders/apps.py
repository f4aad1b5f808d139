from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from reminders import checks, followups, lead_hooks, lead_page, sources  # noqa: F401 (checks registers)

        lead_hooks.subscribe()
        lead_page.provide()
        sources.register_source(followups.source)
