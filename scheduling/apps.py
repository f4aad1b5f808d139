from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self):
        from leads import lead_page
        from scheduling import lead_hooks
        from scheduling.models import Enrollment

        lead_hooks.subscribe()
        # The record behind "enrolled": an enrolment in a group (leads.lead_page).
        lead_page.provide_status_record("enrolled", lambda: Enrollment.objects.values("lead_id"))
