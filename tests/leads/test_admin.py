import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from leads.models import Lead, LeadStatus, LeadStatusChange
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:leads_lead_changelist")


def change_url(lead):
    return reverse("admin:leads_lead_change", args=[lead.pk])


def changelist_queries(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def lead_form_data(lead, **overrides):
    data = {
        "full_name": lead.full_name,
        "phone": lead.phone,
        "email": lead.email,
        "source": lead.source,
        "course_interest": lead.course_interest,
        "comment": "",
        "new_status": "",
        "lost_reason": "",
        "assigned_to": lead.assigned_to_id or "",
        "utm_source": "",
        "utm_medium": "",
        "utm_campaign": "",
        "utm_content": "",
        "utm_term": "",
        "campaign_id": "",
        "ad_id": "",
        "form_id": "",
        "telegram_chat_id": "",
        "whatsapp_id": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "inquiries-TOTAL_FORMS": "0",
        "inquiries-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


class TestChangelist:
    def test_shows_badges_for_status_and_source(self, manager_client):
        LeadFactory(full_name="Kamila", source="landing")
        html = manager_client.get(CHANGELIST).content.decode()
        assert '<span class="badge badge-blue">New</span>' in html
        assert '<span class="badge badge-teal">Landing page</span>' in html
        assert "core/admin.css" in html

    def test_query_count_does_not_grow_with_rows(self, manager_client, salesperson):
        for _ in range(2):
            LeadFactory(assigned_to=salesperson)
        few = changelist_queries(manager_client)
        for _ in range(25):
            LeadFactory(assigned_to=SalespersonFactory())
        assert changelist_queries(manager_client) == few

    @pytest.mark.parametrize("typed", ["90 123 45 67", "+998 (90) 123-45-67", "8 90 123 45 67", "1234567"])
    def test_search_finds_phone_as_people_type_it(self, manager_client, typed):
        LeadFactory(full_name="Target", phone="+998901234567")
        LeadFactory(full_name="Other", phone="+998907654321")
        html = manager_client.get(CHANGELIST, {"q": typed}).content.decode()
        assert "Target" in html and "Other" not in html

    def test_search_by_name(self, manager_client):
        LeadFactory(full_name="Shahzoda Ergasheva")
        LeadFactory(full_name="Bekzod Saidov")
        html = manager_client.get(CHANGELIST, {"q": "shahzoda"}).content.decode()
        assert "Shahzoda Ergasheva" in html and "Bekzod Saidov" not in html

    def test_filters_by_source_status_salesperson_and_local_date_range(self, manager_client, salesperson):
        import datetime
        from zoneinfo import ZoneInfo

        tz = ZoneInfo("Asia/Tashkent")
        LeadFactory(
            full_name="Late evening",
            created_at=datetime.datetime(2026, 11, 20, 23, 30, tzinfo=tz),
            assigned_to=salesperson,
            source="telegram",
        )
        LeadFactory(full_name="Next morning", created_at=datetime.datetime(2026, 11, 21, 0, 30, tzinfo=tz))
        by_date = manager_client.get(
            CHANGELIST, {"created_at__date_from": "2026-11-21", "created_at__date_to": "2026-11-21"}
        ).content.decode()
        assert "Next morning" in by_date and "Late evening" not in by_date
        by_person = manager_client.get(CHANGELIST, {"salesperson": salesperson.pk}).content.decode()
        assert "Late evening" in by_person and "Next morning" not in by_person
        by_source = manager_client.get(CHANGELIST, {"source__exact": "telegram"}).content.decode()
        assert "Late evening" in by_source and "Next morning" not in by_source
        by_status = manager_client.get(CHANGELIST, {"status__exact": "contacted"}).content.decode()
        assert "Late evening" not in by_status


class TestRowLevelAccess:
    def test_salesperson_lists_only_own_leads(self, sales_client, salesperson, other_salesperson):
        LeadFactory(full_name="Mine", assigned_to=salesperson)
        LeadFactory(full_name="Theirs", assigned_to=other_salesperson)
        LeadFactory(full_name="Nobody's")
        html = sales_client.get(CHANGELIST).content.decode()
        assert "Mine" in html and "Theirs" not in html and "Nobody&#x27;s" not in html

    def test_salesperson_cannot_open_or_search_others_leads(self, sales_client, other_salesperson):
        theirs = LeadFactory(full_name="Theirs", phone="+998901112233", assigned_to=other_salesperson)
        response = sales_client.get(change_url(theirs))
        assert response.status_code == 302  # admin redirects a missing object to the index
        assert "Theirs" not in sales_client.get(CHANGELIST, {"q": "90 111 22 33"}).content.decode()

    def test_salesperson_cannot_see_others_history(self, sales_client, salesperson, other_salesperson):
        LeadFactory(full_name="Mine", assigned_to=salesperson)
        LeadFactory(full_name="Theirs", assigned_to=other_salesperson)
        html = sales_client.get(reverse("admin:leads_leadstatuschange_changelist")).content.decode()
        assert "Mine" in html and "Theirs" not in html

    def test_salesperson_export_contains_only_own_leads(self, sales_client, salesperson, other_salesperson):
        mine = LeadFactory(full_name="Mine", assigned_to=salesperson)
        theirs = LeadFactory(full_name="Theirs", assigned_to=other_salesperson)
        response = sales_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [mine.pk, theirs.pk]})
        body = response.content.decode("utf-8-sig")
        assert "Mine" in body and "Theirs" not in body

    def test_salesperson_cannot_reassign(self, sales_client, salesperson, other_salesperson):
        mine = LeadFactory(full_name="Mine", assigned_to=salesperson)
        actions = sales_client.get(CHANGELIST).context["action_form"].fields["action"].choices
        assert "assign_to" not in dict(actions) and "assign_round_robin" not in dict(actions)
        sales_client.post(change_url(mine), lead_form_data(mine, assigned_to=other_salesperson.pk))
        mine.refresh_from_db()
        assert mine.assigned_to == salesperson

    def test_lead_added_by_salesperson_is_theirs(self, sales_client, salesperson):
        response = sales_client.post(
            reverse("admin:leads_lead_add"),
            lead_form_data(Lead(full_name="Walk-in", phone="90 555 44 33", source="landing")),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        lead = Lead.objects.get(phone="+998905554433")
        assert lead.assigned_to == salesperson
        assert lead.phone_raw == "90 555 44 33"
        assert list(lead.status_changes.values_list("to_status", flat=True)) == [LeadStatus.NEW]

    def test_teacher_sees_no_leads(self, client, teacher):
        LeadFactory()
        client.force_login(teacher)
        assert client.get(CHANGELIST).status_code == 403


class TestChangePage:
    def test_status_change_goes_through_service_and_writes_history(self, manager_client, manager):
        lead = LeadFactory()
        response = manager_client.post(change_url(lead), lead_form_data(lead, new_status="contacted"))
        assert response.status_code == 302
        change = LeadStatusChange.objects.filter(lead=lead).last()
        assert (change.from_status, change.to_status, change.changed_by) == ("new", "contacted", manager)

    def test_illegal_transition_shows_message_and_writes_nothing(self, manager_client):
        lead = LeadFactory()
        response = manager_client.post(
            change_url(lead), lead_form_data(lead, new_status="enrolled", full_name="Changed")
        )
        assert response.status_code == 200
        # The form offers only the statuses that may follow; anything else is not a choice.
        errors = response.context["adminform"].form.errors
        assert errors["new_status"] == ["Select a valid choice. enrolled is not one of the available choices."]
        lead.refresh_from_db()
        assert lead.status == "new" and lead.full_name != "Changed"

    @pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
    def test_lost_without_reason_is_refused(self, manager_client, reason):
        lead = LeadFactory()
        response = manager_client.post(change_url(lead), lead_form_data(lead, new_status="lost", lost_reason=reason))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["lost_reason"] == ["Say why the lead is lost."]
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason) == ("new", "")
        assert LeadStatusChange.objects.filter(lead=lead).count() == 1

    def test_malformed_phone_gets_a_clear_message(self, manager_client):
        lead = LeadFactory()
        response = manager_client.post(change_url(lead), lead_form_data(lead, phone="12345"))
        assert "is not a valid phone number" in response.content.decode()

    def test_phone_of_another_lead_is_refused(self, manager_client):
        LeadFactory(phone="+998901234567")
        lead = LeadFactory()
        response = manager_client.post(change_url(lead), lead_form_data(lead, phone="90 123 45 67"))
        assert response.status_code == 200
        assert "already exists" in response.content.decode()

    def test_manager_reassigns_from_change_page(self, manager_client, salesperson):
        lead = LeadFactory()
        manager_client.post(change_url(lead), lead_form_data(lead, assigned_to=salesperson.pk))
        lead.refresh_from_db()
        assert lead.assigned_to == salesperson and lead.assigned_at is not None


class TestActions:
    def test_assign_to_salesperson(self, manager_client, salesperson):
        leads = [LeadFactory(), LeadFactory()]
        ids = [lead.pk for lead in leads]
        page = manager_client.post(CHANGELIST, {"action": "assign_to", "_selected_action": ids})
        assert "Assign to" in page.content.decode()
        manager_client.post(
            CHANGELIST, {"action": "assign_to", "_selected_action": ids, "apply": "1", "salesperson": salesperson.pk}
        )
        assert Lead.objects.filter(pk__in=ids, assigned_to=salesperson).count() == 2

    def test_round_robin(self, manager_client):
        people = [SalespersonFactory(), SalespersonFactory()]
        ids = [LeadFactory().pk for _ in range(4)]
        manager_client.post(CHANGELIST, {"action": "assign_round_robin", "_selected_action": ids})
        assert [Lead.objects.filter(assigned_to=p).count() for p in people] == [2, 2]

    def test_mark_lost_asks_first_naming_the_leads(self, sales_client, salesperson):
        lead = LeadFactory(full_name="Dilnoza", assigned_to=salesperson)
        asked = sales_client.post(CHANGELIST, {"action": "mark_lost", "_selected_action": [lead.pk]})
        page = asked.content.decode()
        assert "Dilnoza" in page and "becomes lost" in page and 'value="Mark lost"' in page
        lead.refresh_from_db()
        assert lead.status == "new"

    def test_mark_lost_with_reason(self, sales_client, salesperson):
        lead = LeadFactory(assigned_to=salesperson)
        sales_client.post(
            CHANGELIST, {"action": "mark_lost", "_selected_action": [lead.pk], "apply": "1", "reason": "Too expensive"}
        )
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason) == ("lost", "Too expensive")

    @pytest.mark.parametrize("reason", ["", "   ", "\t"])
    def test_mark_lost_with_a_blank_reason_is_refused(self, sales_client, salesperson, reason):
        lead = LeadFactory(assigned_to=salesperson)
        response = sales_client.post(
            CHANGELIST, {"action": "mark_lost", "_selected_action": [lead.pk], "apply": "1", "reason": reason}
        )
        assert response.status_code == 200  # the action's form again
        assert response.context["form"].errors["reason"] == ["This field is required."]
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason) == ("new", "")

    def test_export_is_safe_against_formula_injection(self, manager_client):
        lead = LeadFactory(full_name='=HYPERLINK("http://evil","x")')
        response = manager_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [lead.pk]})
        body = response.content.decode("utf-8-sig")
        assert "'=HYPERLINK" in body
        xlsx = manager_client.post(CHANGELIST, {"action": "export_xlsx", "_selected_action": [lead.pk]})
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


class TestPagesHangingOffALead:
    """record-contact, follow-up and book-trial answer as the lead's change page does."""

    SUBPAGES = ["leads_lead_record_contact", "leads_lead_follow_up", "leads_lead_book_trial"]

    def test_a_salesperson_whose_role_may_only_view_leads_is_refused_every_subpage(self, client, salesperson):
        Group.objects.get(name=roles.SALES).permissions.remove(Permission.objects.get(codename="change_lead"))
        client.force_login(salesperson)
        lead = LeadFactory(assigned_to=salesperson)
        assert client.get(reverse("admin:leads_lead_change", args=[lead.pk])).status_code == 200  # read-only page
        assert client.post(reverse("admin:leads_lead_change", args=[lead.pk]), {}).status_code == 403
        for name in self.SUBPAGES:
            assert client.post(reverse(f"admin:{name}", args=[lead.pk])).status_code == 403, name

    def test_a_teacher_gets_what_the_change_page_gives_them(self, client, teacher):
        client.force_login(teacher)
        lead = LeadFactory()
        change = client.get(reverse("admin:leads_lead_change", args=[lead.pk])).status_code
        assert change == 403
        for name in self.SUBPAGES:
            assert client.get(reverse(f"admin:{name}", args=[lead.pk])).status_code == change, name

    def test_an_unknown_lead_is_the_change_pages_not_found_redirect(self, manager_client):
        for name in self.SUBPAGES:
            response = manager_client.get(reverse(f"admin:{name}", args=[999999]))
            assert (response.status_code, response.url) == (302, "/admin/"), name


def test_staff_set_a_leads_language_and_no_sms_flag_on_the_lead_page(manager_client):
    lead = LeadFactory(language="en")
    response = manager_client.post(change_url(lead), lead_form_data(lead, language="ru", sms_opt_out="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    lead.refresh_from_db()
    assert (lead.language, lead.sms_opt_out) == ("ru", True)
    # A form posted without the language keeps the lead's.
    manager_client.post(change_url(lead), lead_form_data(lead))
    lead.refresh_from_db()
    assert (lead.language, lead.sms_opt_out) == ("ru", False)
