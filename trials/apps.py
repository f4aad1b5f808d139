from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trials"
    verbose_name = _("Trials")

    def ready(self):
        from reminders.sources import register_source
        from scheduling.seats import SeatHolder, register_seat_holder
        from trials import lead_hooks, lead_page, reminders
        from trials.models import Trial, TrialStatus

        lead_hooks.subscribe()
        lead_page.provide()
        register_source(reminders.source)
        # A booked trial lesson takes a seat in its group's lesson that day.
        register_seat_holder(
            SeatHolder(
                name="trial lessons",  # a key, not shown
                rows=lambda: Trial.objects.filter(status=TrialStatus.SCHEDULED),
                date_field="scheduled_date",
            )
        )
