"""Sending one message over one channel. Raises on failure; the dispatcher
keeps the error and retries."""

from django.conf import settings
from django.core.mail import EmailMessage

from core import telegram
from core.text import one_line
from reminders import sms
from reminders.models import Channel


def channel_send(*, channel: str, address: str, subject: str, text: str, reference: str = "") -> str:
    """Send the message; returns the gateway's id of it where the channel has
    one (SMS: kept on the delivery to match its delivery report), else ""."""
    subject = one_line(subject)  # a lead's name with a line break must not stop the message
    if channel == Channel.EMAIL:
        EmailMessage(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]).send()
    elif channel == Channel.TELEGRAM:
        telegram.send_message(chat_id=address, text=f"{subject}\n\n{text}" if subject else text)
    elif channel == Channel.SMS:
        return sms.sms_send(phone=address, text=text, reference=reference)  # an SMS has no subject
    else:
        raise ValueError(f"Unknown channel “{channel}”.")
    return ""
