"""Every (from, to) pair of lead statuses through ``lead_change_status``.

The expected table is written out here from the README ("Allowed
transitions"), not read from ``leads.services.ALLOWED_TRANSITIONS``: a pair
slipped into (or dropped from) the code's table must fail a test."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from leads import services
from leads.models import LeadStatus, LeadStatusChange
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
S = LeadStatus

# README "Leads": Allowed transitions.
SPEC = {
    S.NEW: {S.CONTACTED, S.INTERESTED, S.TRIAL_SCHEDULED, S.LOST},
    S.CONTACTED: {S.INTERESTED, S.TRIAL_SCHEDULED, S.LOST},
    S.INTERESTED: {S.CONTACTED, S.TRIAL_SCHEDULED, S.ENROLLED, S.LOST},
    S.TRIAL_SCHEDULED: {S.TRIAL_ATTENDED, S.INTERESTED, S.LOST},
    S.TRIAL_ATTENDED: {S.ENROLLED, S.TRIAL_SCHEDULED, S.INTERESTED, S.LOST},
    S.ENROLLED: {S.LOST},
    S.LOST: {S.NEW, S.CONTACTED, S.INTERESTED},
}
# A legal way from "new" to each status, so the lead's history is real.
PATH_TO = {
    S.NEW: [],
    S.CONTACTED: [S.CONTACTED],
    S.INTERESTED: [S.INTERESTED],
    S.TRIAL_SCHEDULED: [S.TRIAL_SCHEDULED],
    S.TRIAL_ATTENDED: [S.TRIAL_SCHEDULED, S.TRIAL_ATTENDED],
    S.ENROLLED: [S.INTERESTED, S.ENROLLED],
    S.LOST: [S.LOST],
}
ALL_PAIRS = list(itertools.product(S.values, S.values))
REASON = "Chose another centre"


def lead_in(status):
    lead = LeadFactory()
    for step in PATH_TO[status]:
        services.lead_change_status(lead=lead, to_status=step, reason=REASON)
    lead.refresh_from_db()
    assert lead.status == status
    return lead


def test_the_code_table_is_the_documented_one():
    assert {S(k): set(v) for k, v in services.ALLOWED_TRANSITIONS.items()} == SPEC


def test_the_pairs_cover_every_status():
    assert set(SPEC) == set(S.values) and len(ALL_PAIRS) == 49


@pytest.mark.parametrize("from_status, to_status", [p for p in ALL_PAIRS if p[1] in SPEC[p[0]]])
def test_allowed_move_succeeds_and_writes_history(from_status, to_status, salesperson):
    lead = lead_in(from_status)
    before = LeadStatusChange.objects.filter(lead=lead).count()
    change = services.lead_change_status(lead=lead, to_status=to_status, by=salesperson, reason=REASON)
    assert (change.from_status, change.to_status, change.changed_by) == (from_status, to_status, salesperson)
    assert LeadStatusChange.objects.filter(lead=lead).count() == before + 1
    lead.refresh_from_db()
    assert lead.status == to_status
    assert lead.lost_reason == (REASON if to_status == S.LOST else "")
    assert services.allowed_next_statuses(lead) == [s for s in S.values if s in SPEC[to_status]]


@pytest.mark.parametrize("from_status, to_status", [p for p in ALL_PAIRS if p[1] not in SPEC[p[0]]])
def test_any_other_move_is_refused_with_the_message_and_writes_nothing(from_status, to_status):
    lead = lead_in(from_status)
    before = LeadStatusChange.objects.filter(lead=lead).count()
    with pytest.raises(ValidationError) as exc:
        services.lead_change_status(lead=lead, to_status=to_status, reason=REASON)
    if from_status == to_status:
        expected = services.SAME_STATUS.format(label=S(to_status).label)
    else:
        expected = services.ILLEGAL_TRANSITION.format(
            from_label=S(from_status).label,
            to_label=S(to_status).label,
            allowed=", ".join(str(S(s).label) for s in S.values if s in SPEC[from_status]),
        )
    assert exc.value.message_dict == {"status": [expected]}
    assert LeadStatusChange.objects.filter(lead=lead).count() == before
    lead.refresh_from_db()
    assert lead.status == from_status


def test_trial_scheduled_cannot_jump_to_enrolled():
    """The planted bug this file is for: the trial has to be attended first."""
    lead = lead_in(S.TRIAL_SCHEDULED)
    with pytest.raises(ValidationError, match="cannot go from “Trial scheduled” to “Enrolled”"):
        services.lead_change_status(lead=lead, to_status=S.ENROLLED)
    lead.refresh_from_db()
    assert lead.status == S.TRIAL_SCHEDULED
