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

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username
