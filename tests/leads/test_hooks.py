"""leads.hooks: the one extension point through which leads starts work owned by
the apps above it. The wiring is part of the contract, so it is asserted here."""

import pytest
from django.db import transaction

from leads import hooks, lead_page, services
from leads.models import Lead, LeadStatus, LeadStatusChange
from reminders import lead_hooks as reminder_hooks
from reminders import lead_page as reminder_page
from scheduling import lead_hooks as scheduling_hooks
from tests.leads.factories import LeadFactory
from trials import lead_hooks as trial_hooks
from trials import lead_page as trial_page


def test_every_event_is_wired_to_the_apps_the_docstring_names():
    # scheduling, reminders, trials: INSTALLED_APPS (layer) order.
    assert hooks.subscribers(hooks.LeadAssigned) == (
        scheduling_hooks.on_lead_assigned,
        reminder_hooks.on_lead_assigned,
        trial_hooks.on_lead_assigned,
    )
    assert hooks.subscribers(hooks.LeadUnassigned) == (
        scheduling_hooks.on_lead_unassigned,
        reminder_hooks.on_lead_unassigned,
        trial_hooks.on_lead_unassigned,
    )
    assert hooks.subscribers(hooks.LeadStatusChanged) == (
        reminder_hooks.on_lead_status_changed,
        trial_hooks.on_lead_status_changed,
    )


def test_subscribing_twice_wires_a_handler_once():
    reminder_hooks.subscribe()
    assert hooks.subscribers(hooks.LeadAssigned).count(reminder_hooks.on_lead_assigned) == 1


def test_an_unknown_event_is_refused():
    class LeadRenamed:
        pass

    with pytest.raises(LookupError, match="no event"):
        hooks.subscribe(LeadRenamed, print)


@pytest.mark.django_db
def test_a_failing_handler_undoes_the_status_change_with_it(monkeypatch, manager):
    lead = LeadFactory()

    def broken(event):
        raise RuntimeError("handler failed")

    monkeypatch.setitem(hooks._subscribers, hooks.LeadStatusChanged, [broken])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.lead_change_status(lead=lead, to_status=LeadStatus.CONTACTED, by=manager)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
    assert not LeadStatusChange.objects.filter(lead=lead, to_status=LeadStatus.CONTACTED).exists()


@pytest.mark.django_db
def test_handlers_see_the_saved_status_and_the_reason(monkeypatch, manager):
    lead = LeadFactory()
    seen = []
    monkeypatch.setitem(
        hooks._subscribers,
        hooks.LeadStatusChanged,
        [lambda event: seen.append((event.from_status, event.to_status, event.reason, event.lead.status))],
    )
    services.lead_mark_lost(lead=lead, reason="Moved to Samarkand", by=manager)
    assert seen == [(LeadStatus.NEW, LeadStatus.LOST, "Moved to Samarkand", LeadStatus.LOST)]


def test_every_panel_and_page_of_the_lead_is_provided_by_its_app():
    assert lead_page.panel("follow_up") is reminder_page.follow_up_panel
    assert lead_page.panel("trials") is trial_page.trials_panel
    assert lead_page.page("record_contact") is reminder_page.record_contact
    assert lead_page.page("set_follow_up") is reminder_page.set_follow_up
    assert lead_page.page("book_trial") is trial_page.book_trial
    with pytest.raises(LookupError, match="no panel"):
        lead_page.provide_panel("payments", print)
