from django.apps import AppConfig


class TrialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trials"

    def ready(self):
        from reminders.sources import register_source
        from trials import lead_hooks, reminders

        lead_hooks.subscribe()
        register_source(reminders.source)
