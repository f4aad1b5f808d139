"""Personal API tokens: ``Authorization: Bearer crm_<prefix>_<secret>``.

The secret is shown once, when the token is made (api.services.api_token_create);
only its SHA-256 is stored, so a database leak gives nobody a working token.
The short public ``prefix`` finds the row; the secret's hash is then compared in
constant time. Writes go through api.services.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. “Course site”."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    read_only = models.BooleanField(_("read-only"), default=False, help_text=_("Only GET requests are allowed."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires"), editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
