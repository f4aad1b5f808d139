from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"

    def ready(self):
        from reminders import followups, lead_hooks, lead_page, sources

        lead_hooks.subscribe()
        lead_page.provide()
        sources.register_source(followups.source)
