"""Which colour each follow-up and delivery status wears."""

from core.badges import BLUE, GREEN, GREY, ORANGE, RED, TEAL, badge
from reminders.models import DeliveryStatus, LeadReminderStatus

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
