"""Parts of the lead's admin page that apps above leads supply.

``LeadAdmin`` (leads.admin) lists every panel and page of the lead by name, in
its own fieldsets and URLs; the apps that own the work behind them (reminders:
the follow-up; trials: trial lessons) provide the code in their
``AppConfig.ready()``. leads never imports them, and LeadAdmin checks access
once for all of them (see ``LeadAdmin.lead_subpage``).

=================  ==========  ======================================================
name               kind        provided by
=================  ==========  ======================================================
follow_up          panel       reminders: the open follow-up, Record contact, Set next
record_contact     page        reminders: POST, the salesperson talked to the lead
set_follow_up      page        reminders: form, the next contact deadline
trials             panel       trials: the lead's trial lessons, Book trial
book_trial         page        trials: form, the lessons with a free place
=================  ==========  ======================================================

The statuses only a flow sets (leads.services.FLOW_STATUSES) each have the
record behind them, provided as ``leads_with_record() -> QuerySet`` of lead ids;
the lead list's "status without its record" filter (managers) lists the leads
that lack it:

=================  ======================================================
status record      provided by
=================  ======================================================
trial_scheduled    trials: a scheduled trial lesson
trial_attended     trials: an attended trial lesson
enrolled           scheduling: an enrolment in a group
=================  ======================================================

A panel is ``render(lead) -> str`` (safe HTML). A page is
``view(request, lead, modeladmin) -> HttpResponse``; it is called only for a
lead the user may change, and checks any permission of its own app itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PANELS = ("follow_up", "trials")
PAGES = ("record_contact", "set_follow_up", "book_trial")
STATUS_RECORDS = ("trial_scheduled", "trial_attended", "enrolled")

Panel = Callable[..., str]
Page = Callable[[HttpRequest, object, object], HttpResponse]
_panels: dict[str, Panel] = {}
_pages: dict[str, Page] = {}
_status_records: dict[str, Callable[[], object]] = {}


def provide_panel(name: str, render: Panel) -> None:
    _check(name, PANELS, "panel")
    _panels[name] = render


def provide_page(name: str, view: Page) -> None:
    _check(name, PAGES, "page")
    _pages[name] = view


def provide_status_record(status: str, leads_with_record: Callable[[], object]) -> None:
    _check(status, STATUS_RECORDS, "status record")
    _status_records[status] = leads_with_record


def status_record(status: str) -> Callable[[], object] | None:
    """``leads_with_record() -> QuerySet`` of lead ids for ``status``, or None while no app provides it."""
    return _status_records.get(status)


def panel(name: str) -> Panel | None:
    """The renderer of panel ``name``, or None while no app provides it."""
    return _panels.get(name)


def page(name: str) -> Page | None:
    return _pages.get(name)


def _check(name: str, known: tuple[str, ...], kind: str) -> None:
    if name not in known:
        raise LookupError(f"The lead page has no {kind} “{name}”; its {kind}s are {', '.join(known)}.")
