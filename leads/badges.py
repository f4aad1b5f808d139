"""Which colour each lead status and source wears, on every page and chart."""

from core.badges import BLUE, CHARCOAL, GREEN, ORANGE, PURPLE, RED, SILVER, TEAL, YELLOW, choice_badge
from leads.models import LeadSource, LeadStatus

STATUS_COLOURS = {
    LeadStatus.NEW: BLUE,
    LeadStatus.CONTACTED: TEAL,
    LeadStatus.INTERESTED: YELLOW,
    LeadStatus.TRIAL_SCHEDULED: PURPLE,
    LeadStatus.TRIAL_ATTENDED: ORANGE,
    LeadStatus.ENROLLED: GREEN,
    LeadStatus.LOST: RED,
}
SOURCE_COLOURS = {
    LeadSource.INSTAGRAM: PURPLE,
    LeadSource.TELEGRAM: BLUE,
    LeadSource.WHATSAPP: GREEN,
    LeadSource.CALL_TRACKING: ORANGE,
    LeadSource.LANDING: TEAL,
    LeadSource.GOOGLE_SHEETS: YELLOW,
    LeadSource.EXCEL: SILVER,
    LeadSource.CSV: CHARCOAL,
}


def status_badge(status: str):
    return choice_badge(LeadStatus, status, STATUS_COLOURS)


def source_badge(source: str):
    return choice_badge(LeadSource, source, SOURCE_COLOURS)
