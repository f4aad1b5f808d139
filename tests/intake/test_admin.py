"""Admin for the intake stream: managers only, badges, payload, re-process, today's counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake import services
from intake.models import IntakeChannel, IntakeEvent, IntakeRejection, IntakeStatus
from leads.models import Lead
from tests.intake.factories import IntakeEventFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:intake_intakeevent_changelist")


def processed_events(count: int):
    events = [IntakeEventFactory() for _ in range(count)]
    services.intake_events_process(event_ids=[e.pk for e in events])
    return events


def test_changelist_shows_badges_and_todays_counts(manager_client):
    processed_events(2)
    IntakeEventFactory(payload={"phone": "nope"}, status=IntakeStatus.FAILED, error="bad phone")

    response = manager_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="badge badge-teal">Landing page' in html and 'badge badge-green">Processed' in html
    assert 'badge badge-red">Failed' in html
    today = {row["channel"]: row for row in response.context["intake_today"]}
    assert (today["landing"]["received"], today["landing"]["created"], today["landing"]["failed"]) == (3, 2, 1)
    assert today["meta"]["received"] == 0
    assert 'id="intake-today"' in html


def test_search_and_filters(manager_client):
    [event, _] = processed_events(2)
    lead = Lead.objects.get(pk=IntakeEvent.objects.get(pk=event.pk).lead_id)

    by_phone = manager_client.get(CHANGELIST, {"q": lead.phone})
    by_id = manager_client.get(CHANGELIST, {"q": event.external_id})
    by_status = manager_client.get(CHANGELIST, {"status": "failed"})

    assert by_phone.context["cl"].result_count == 1
    assert by_id.context["cl"].result_count == 1
    assert by_status.context["cl"].result_count == 0


def test_change_page_shows_pretty_payload(manager_client):
    event = IntakeEventFactory(payload={"phone": "+998901234567", "name": "<script>x</script>"})
    response = manager_client.get(reverse("admin:intake_intakeevent_change", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<pre" in html and "&quot;phone&quot;: &quot;+998901234567&quot;" in html
    assert "<script>x</script>" not in html


def test_changelist_queries_do_not_grow_with_rows(manager_client):
    processed_events(2)
    manager_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as two:
        manager_client.get(CHANGELIST)
    processed_events(18)
    with CaptureQueriesContext(connection) as twenty:
        response = manager_client.get(CHANGELIST)
    assert response.context["cl"].result_count == 20
    assert len(twenty) == len(two)


def test_reprocess_action_processes_failed_events(manager_client):
    failed = IntakeEventFactory(status=IntakeStatus.FAILED, error="Graph API unreachable")
    done = processed_events(1)[0]

    response = manager_client.post(
        CHANGELIST,
        {
            "action": "reprocess",
            "_selected_action": [failed.pk, done.pk],
        },
        follow=True,
    )

    failed.refresh_from_db()
    assert failed.status == IntakeStatus.PROCESSED and failed.error == ""
    messages = [str(m) for m in response.context["messages"]]
    assert "Re-processed 1 event(s): 1 new lead(s), 0 repeat(s); 0 failed." in messages


def test_reprocess_reports_failures(manager_client):
    event = IntakeEventFactory(payload={"phone": "12"})
    response = manager_client.post(CHANGELIST, {"action": "reprocess", "_selected_action": [event.pk]}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 failed" in m for m in messages)
    assert any(m.startswith(f"Event {event.pk}: phone:") for m in messages)


def test_salespeople_cannot_see_raw_intake(sales_client):
    IntakeEventFactory()
    assert sales_client.get(CHANGELIST).status_code == 403
    assert sales_client.get(reverse("admin:intake_intakerejection_changelist")).status_code == 403


def test_events_cannot_be_added_or_deleted_by_managers(manager_client):
    event = IntakeEventFactory()
    assert manager_client.get(reverse("admin:intake_intakeevent_add")).status_code == 403
    assert manager_client.get(reverse("admin:intake_intakeevent_delete", args=[event.pk])).status_code == 403


def test_rejection_counts_admin(manager_client):
    services.intake_rejection_record(channel=IntakeChannel.META, reason=services.REJECT_FORBIDDEN)
    response = manager_client.get(reverse("admin:intake_intakerejection_changelist"))
    assert response.status_code == 200 and IntakeRejection.objects.get().count == 1
    with CaptureQueriesContext(connection) as one:
        manager_client.get(reverse("admin:intake_intakerejection_changelist"))
    services.intake_rejection_record(channel=IntakeChannel.CALLS, reason=services.REJECT_INVALID)
    with CaptureQueriesContext(connection) as two:
        manager_client.get(reverse("admin:intake_intakerejection_changelist"))
    assert len(one) == len(two)
