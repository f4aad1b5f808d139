from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"

    def ready(self):
        from reminders import followups, lead_hooks, sources

        lead_hooks.subscribe()
        sources.register_source(followups.source)
