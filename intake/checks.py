"""Configuration checks run by `manage.py check` and at start-up."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from intake import conf


@register()
def intake_settings_check(app_configs, **kwargs):
    problems = []
    try:
        conf.parse_rate(settings.INTAKE_LANDING_RATE)
    except ValueError as exc:
        problems.append(Error(str(exc), hint="Use e.g. 30/m, 100/10s or 1000/h.", id="intake.E001"))
    if settings.INTAKE_MAX_BODY_BYTES <= 0:
        problems.append(Error("INTAKE_MAX_BODY_BYTES must be positive.", id="intake.E002"))
    if settings.META_APP_SECRET and settings.META_VERIFY_TOKEN and not settings.META_PAGE_ACCESS_TOKEN:
        problems.append(
            Warning(
                "Meta lead ads are on but META_PAGE_ACCESS_TOKEN is unset: leads will be stored but fail "
                "to fetch from the Graph API until it is set (then re-process them).",
                id="intake.W001",
            )
        )
    return problems
