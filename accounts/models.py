from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member: salesperson, manager or teacher (see accounts.roles)."""

    telegram_chat_id = models.CharField(
        _("Telegram chat id"),
        max_length=32,
        blank=True,
        help_text=_("Chat id of the staff member's private chat with the CRM bot, for notifications."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the back office and of notifications for this person. "
            "Empty: the browser's language, else the centre's default."
        ),
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username
