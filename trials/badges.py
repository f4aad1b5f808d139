"""Which colour each trial status, result and reminder state wears."""

from core.badges import BLUE, GREEN, GREY, ORANGE, RED, choice_badge
from trials.models import ReminderState, TrialResult, TrialStatus

STATUS_COLOURS = {
    TrialStatus.SCHEDULED: BLUE,
    TrialStatus.ATTENDED: GREEN,
    TrialStatus.NO_SHOW: RED,
    TrialStatus.CANCELLED: GREY,
}
RESULT_COLOURS = {
    TrialResult.PENDING: GREY,
    TrialResult.SALES_OFFER: ORANGE,
    TrialResult.ACCEPTED: GREEN,
    TrialResult.REJECTED: RED,
}
REMINDER_COLOURS = {
    ReminderState.PENDING: BLUE,
    ReminderState.SENT: GREEN,
    ReminderState.SKIPPED: GREY,
    ReminderState.FAILED: RED,
}


def trial_status_badge(status: str):
    return choice_badge(TrialStatus, status, STATUS_COLOURS)


def trial_result_badge(result: str):
    return choice_badge(TrialResult, result, RESULT_COLOURS)


def reminder_state_badge(state: str):
    return choice_badge(ReminderState, state, REMINDER_COLOURS)
