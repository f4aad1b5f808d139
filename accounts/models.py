from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A staff member: salesperson, manager or teacher (see accounts.roles)."""

    telegram_chat_id = models.CharField(
        max_length=32,
        blank=True,
        help_text="Chat id of the staff member's private chat with the CRM bot, for notifications.",
    )
    phone = models.CharField(max_length=20, blank=True)
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text="The language of the back office and of notifications for this person. "
        "Empty: the browser's language, else the centre's default.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username
