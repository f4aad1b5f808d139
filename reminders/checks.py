"""Configuration checks of the SMS channel, run by `manage.py check` and at start-up.

Off is a legitimate state (a centre without an Eskiz account), so it is only
an Info; a half-set account or one without delivery reports is a Warning, which
`check --deploy --fail-level WARNING` turns into a failed release.
"""

from django.conf import settings
from django.core.checks import Info, Warning, register

CREDENTIALS = ("ESKIZ_EMAIL", "ESKIZ_PASSWORD", "ESKIZ_FROM")


@register()
def sms_settings_check(app_configs, **kwargs):
    present = [name for name in CREDENTIALS if getattr(settings, name)]
    if not present:
        return [
            Info(
                "The SMS channel is off: ESKIZ_EMAIL, ESKIZ_PASSWORD and ESKIZ_FROM are not set, so leads "
                "without Telegram get no trial reminder.",
                id="reminders.I001",
            )
        ]
    missing = [name for name in CREDENTIALS if name not in present]
    if missing:
        return [
            Warning(
                f"The SMS channel is off: {', '.join(missing)} not set (the others are).",
                hint="Set all of ESKIZ_EMAIL, ESKIZ_PASSWORD and ESKIZ_FROM, or none.",
                id="reminders.W001",
            )
        ]
    if not settings.ESKIZ_CALLBACK_SECRET:
        return [
            Warning(
                "SMS are sent but ESKIZ_CALLBACK_SECRET is unset, so no delivery report is recorded.",
                hint="Set a long random ESKIZ_CALLBACK_SECRET; reports then arrive at /sms/eskiz/<secret>/.",
                id="reminders.W002",
            )
        ]
    return []
