"""Message templates and SMS deliveries in admin: validation, the SMS length,
the gateway's rules, the test-send action (managers only), report badges."""

import pytest
import responses
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reminders.dispatch import delivery_retry_now
from reminders.models import Channel, Delivery, DeliveryKind, DeliveryStatus, MessageKind, MessageTemplate
from tests.eskiz_fake import ESKIZ, sms_calls

pytestmark = pytest.mark.django_db
TEMPLATES = reverse("admin:reminders_messagetemplate_changelist")
DELIVERIES = reverse("admin:reminders_delivery_changelist")


def template(kind=MessageKind.TRIAL_PRE_LEAD_SMS, language="uz"):
    return MessageTemplate.objects.get(kind=kind, language=language)


def test_the_migration_created_every_kind_in_every_language():
    assert MessageTemplate.objects.count() == len(MessageKind.choices) * 3
    assert "boʻyicha" in template().text  # U+02BB, as Uzbek Latin is written


def test_the_change_page_shows_the_length_in_sms_and_what_eskiz_requires(manager_client):
    html = manager_client.get(reverse("admin:reminders_messagetemplate_change", args=[template().pk])).content.decode()
    assert "1 SMS (GSM-7," in html  # the U+02BB apostrophes are sent as ', so one GSM-7 part
    assert "register every SMS text" in html and "sender name (ESKIZ_FROM)" in html
    assert "<code>{course}</code>" in html


def test_a_russian_sms_is_counted_in_unicode_parts(manager_client):
    html = manager_client.get(TEMPLATES, {"language": "ru"}).content.decode()
    assert "2 SMS (UCS-2," in html


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Hello {phone}", "Unknown placeholder {phone}"),
        ("Hello {lead.__class__}", "without dots, brackets or formats"),
        ("Hello {name!r}", "without dots, brackets or formats"),
        ("Hello {name", "A brace is not closed"),
    ],
)
def test_a_template_with_a_wrong_placeholder_is_refused(manager_client, text, error):
    row = template()
    url = reverse("admin:reminders_messagetemplate_change", args=[row.pk])
    response = manager_client.post(url, {"kind": row.kind, "language": row.language, "text": text})
    assert response.status_code == 200 and error in response.content.decode()
    row.refresh_from_db()
    assert row.text != text


def test_a_valid_edit_is_saved_with_who_made_it(manager_client, manager):
    row = template()
    url = reverse("admin:reminders_messagetemplate_change", args=[row.pk])
    response = manager_client.post(url, {"kind": row.kind, "language": "uz", "text": "Dars {date} {time}, {place}"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.text, row.updated_by) == ("Dars {date} {time}, {place}", manager)


def test_a_manager_sends_a_test_sms_and_it_is_recorded_like_a_delivery(manager_client, eskiz):
    row = template(language="ru")
    payload = {"action": "send_test_sms", ACTION_CHECKBOX_NAME: [row.pk]}
    assert "phone" in manager_client.post(TEMPLATES, payload).content.decode()  # the form first
    response = manager_client.post(TEMPLATES, {**payload, "apply": "1", "phone": "90 123 45 67"})
    assert response.status_code == 302
    [sent] = sms_calls(eskiz)
    assert sent["mobile_phone"] == "998901234567" and sent["message"].startswith("Здравствуйте!")
    delivery = Delivery.objects.get(kind=DeliveryKind.SMS_TEST)
    assert (delivery.status, delivery.gateway_id, delivery.channel) == (DeliveryStatus.SENT, "4385062", Channel.SMS)


def test_a_failed_test_sms_is_reported_not_raised(manager_client, eskiz):
    eskiz.replace(responses.POST, f"{ESKIZ}/api/message/sms/send", json={"message": "Not registered"}, status=400)
    payload = {"action": "send_test_sms", ACTION_CHECKBOX_NAME: [template().pk], "apply": "1", "phone": "901234567"}
    response = manager_client.post(TEMPLATES, payload, follow=True)
    assert "The test SMS failed" in response.content.decode() and "Not registered" in response.content.decode()
    failed = Delivery.objects.get(kind=DeliveryKind.SMS_TEST)
    assert failed.status == DeliveryStatus.FAILED and "Not registered" in failed.last_error
    assert not delivery_retry_now(delivery=failed)  # no source would send it: the manager tests again


def test_salespeople_may_read_templates_but_not_test_send(sales_client):
    html = sales_client.get(TEMPLATES).content.decode()
    assert "send_test_sms" not in html


def delivered_sms(n):
    for i in range(n):
        Delivery.objects.create(
            key=f"sms:{i}",
            kind=DeliveryKind.TRIAL_PRE_LEAD,
            channel=Channel.SMS,
            address="+998901234567",
            object_id=i,
            occurrence="x",
            due_at="2026-11-27T09:00:00Z",
            status=DeliveryStatus.SENT,
            gateway_id=str(1000 + i),
            gateway_status="DELIVRD" if i % 2 else "REJECTD",
        )


def test_sms_deliveries_show_the_gateway_id_and_a_report_badge(manager_client):
    delivered_sms(2)
    html = manager_client.get(DELIVERIES, {"channel": "sms"}).content.decode()
    assert '<span class="badge badge-green">DELIVRD</span>' in html
    assert '<span class="badge badge-red">REJECTD</span>' in html
    assert "1001" in manager_client.get(DELIVERIES, {"q": "1001"}).content.decode()


def test_list_query_counts_do_not_grow_with_rows(manager_client):
    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    delivered_sms(2)
    few = count(DELIVERIES), count(TEMPLATES)
    for i in range(2, 22):
        Delivery.objects.create(
            key=f"more:{i}",
            kind="trial_pre_lead",
            channel="sms",
            object_id=i,
            occurrence="x",
            due_at="2026-11-27T09:00:00Z",
            gateway_status="DELIVRD",
        )
    assert (count(DELIVERIES), count(TEMPLATES)) == few


def test_deliveries_filter_by_the_gateways_report_without_reading_every_report(manager_client):
    delivered_sms(4)
    with CaptureQueriesContext(connection) as ctx:
        html = manager_client.get(DELIVERIES, {"report": "undelivered"}).content.decode()
    assert html.count('<span class="badge badge-red">REJECTD</span>') == 2
    assert '<span class="badge badge-green">DELIVRD</span>' not in html
    assert "DISTINCT" not in " ".join(q["sql"] for q in ctx.captured_queries)
    delivered = manager_client.get(DELIVERIES, {"report": "delivered"}).content.decode()
    assert delivered.count('<span class="badge badge-green">DELIVRD</span>') == 2
