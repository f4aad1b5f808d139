"""Sending one message over one channel. Raises on failure; the dispatcher
keeps the error and retries."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from core import telegram
from core.text import one_line
from reminders import sms
from reminders.models import Channel

logger = logging.getLogger(__name__)


class ChannelSession:
    """What the sends of one claimed batch share: one connection to the mail
    server, opened at the first email and closed by ``close``. After a failed
    email the connection is dropped, so the next email opens a fresh one."""

    def __init__(self):
        self._mail = None

    def mail_connection(self):
        if self._mail is None:
            connection = get_connection()
            connection.open()
            self._mail = connection
        return self._mail

    def reset(self) -> None:
        connection, self._mail = self._mail, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # the messages are sent or failed already; this is only the goodbye
                logger.warning("Closing the mail connection failed.", exc_info=True)

    close = reset


def channel_send(
    *, channel: str, address: str, subject: str, text: str, reference: str = "", session: ChannelSession | None = None
) -> str:
    """Send the message; returns the gateway's id of it where the channel has
    one (SMS: kept on the delivery to match its delivery report), else ""."""
    subject = one_line(subject)  # a lead's name with a line break must not stop the message
    if channel == Channel.EMAIL:
        connection = session.mail_connection() if session is not None else None
        message = EmailMessage(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[address], connection=connection
        )
        try:
            message.send()
        except Exception:
            if session is not None:
                session.reset()
            raise
    elif channel == Channel.TELEGRAM:
        telegram.send_message(chat_id=address, text=f"{subject}\n\n{text}" if subject else text)
    elif channel == Channel.SMS:
        return sms.sms_send(phone=address, text=text, reference=reference)  # an SMS has no subject
    else:
        raise ValueError(f"Unknown channel “{channel}”.")
    return ""
