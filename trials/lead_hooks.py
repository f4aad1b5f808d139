"""How trials answer what happens to a lead (leads.hooks); subscribed in
TrialsConfig.ready()."""

from leads import hooks
from leads.models import LeadStatus
from trials import services


def on_lead_status_changed(event: hooks.LeadStatusChanged) -> None:
    """A lost lead keeps no place in a lesson, and no reminder goes to it."""
    if event.to_status == LeadStatus.LOST:
        services.trials_cancel_for_lost_lead(lead=event.lead, by=event.by, reason=event.reason, at=event.at)


def subscribe() -> None:
    hooks.subscribe(hooks.LeadStatusChanged, on_lead_status_changed)
