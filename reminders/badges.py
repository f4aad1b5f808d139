"""Which colour each follow-up and delivery status wears."""

from core.badges import BLUE, GREEN, GREY, ORANGE, RED, TEAL, badge
from reminders.models import DeliveryStatus, LeadReminderStatus
from reminders.sms import DELIVERED, UNDELIVERED

REMINDER_COLOURS = {
    LeadReminderStatus.PENDING: BLUE,
    LeadReminderStatus.SENT: ORANGE,
    LeadReminderStatus.COMPLETED: GREEN,
    LeadReminderStatus.CANCELLED: GREY,
}
DELIVERY_COLOURS = {
    DeliveryStatus.PENDING: BLUE,
    DeliveryStatus.SENDING: TEAL,
    DeliveryStatus.SENT: GREEN,
    DeliveryStatus.SKIPPED: GREY,
    DeliveryStatus.FAILED: RED,
}


def followup_status_badge(status: str):
    return badge(LeadReminderStatus(status).label, REMINDER_COLOURS[LeadReminderStatus(status)])


def delivery_status_badge(status: str):
    return badge(DeliveryStatus(status).label, DELIVERY_COLOURS[DeliveryStatus(status)])


def gateway_colour(status: str) -> str:
    """An SMS gateway report: delivered green, undelivered red, on its way blue."""
    if status in DELIVERED:
        return GREEN
    if status in UNDELIVERED:
        return RED
    return BLUE


def gateway_status_badge(status: str):
    return badge(status, gateway_colour(status))
