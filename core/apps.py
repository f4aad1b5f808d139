import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from core.observability import connect_celery_signals

        connect_celery_signals()


class LoginLockoutsConfig(axes.apps.AppConfig):
    """django-axes under a section name a manager understands ("Axes" otherwise,
    its label, which no catalogue translates). Its own texts: locale_apps/."""

    default = False  # core's config stays CoreConfig
    verbose_name = _("Login lockouts")
