"""import_leads from the command line, on the files ops really get."""

import io
import json
import os
import re

import pytest
from django.core.management import CommandError, call_command

from import_service.models import ImportLog, ImportRow, ImportStatus, RowOutcome
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = io.StringIO()
    call_command("import_leads", *map(str, args), "--json", stdout=out)
    return json.loads(out.getvalue())


def counts(result):
    return result["total"], result["created"], result["duplicates"], result["errors"]


def test_landing_dump_every_row_accounted_for(files):
    result = run(files / "landing_dump_utf8_bom.csv")
    assert counts(result) == (7, 4, 1, 2)
    assert result["dry_run"] is False
    log = ImportLog.objects.get(pk=result["import_log_id"])
    assert log.status == ImportStatus.COMPLETED
    assert (log.source, log.input_kind, log.file_name) == (LeadSource.CSV, "csv", "landing_dump_utf8_bom.csv")
    anna = Lead.objects.get(phone="+998902220101")
    assert anna.full_name == "Анна Иванова"
    assert anna.email == "anna@example.uz"
    assert anna.comment == "Просила перезвонить вечером,\nпосле 18:00"
    assert (anna.utm_source, anna.utm_medium, anna.utm_campaign) == ("instagram", "cpc", "ielts_nov")
    assert anna.inquiry_count == 2  # row 6 is the same person again
    assert Lead.objects.get(phone="+998902220102").phone_raw == "8 (90) 222-01-02"  # old trunk-8 habit
    errors = {r.row_number: r.reason for r in log.rows.filter(outcome=RowOutcome.ERROR)}
    assert errors == {7: "No phone number.", 8: "“+998 90 22” is not a valid phone number."}
    duplicate = log.rows.get(outcome=RowOutcome.DUPLICATE)
    assert (duplicate.row_number, duplicate.lead) == (6, anna)
    assert duplicate.values[:2] == ["Anna I.", "998902220101"]


def test_created_time_becomes_created_at_in_local_time(files):
    run(files / "landing_dump_utf8_bom.csv")
    anna = Lead.objects.get(phone="+998902220101")
    assert anna.created_at.isoformat() == "2026-11-19T05:15:00+00:00"  # 10:15 in Tashkent
    kamola = Lead.objects.get(phone="+998932220104")
    assert kamola.created_at.isoformat() == "2026-11-19T09:00:00+00:00"  # "19.11.2026 14:00"
    assert anna.last_inquiry_at.isoformat() == "2026-11-19T07:30:00+00:00"  # the repeat at 12:30


def test_imported_leads_have_complete_history(files):
    run(files / "landing_dump_utf8_bom.csv")
    for lead in Lead.objects.all():
        changes = list(lead.status_changes.values_list("from_status", "to_status", "changed_at"))
        assert changes == [("", LeadStatus.NEW, lead.created_at)]
        first = lead.inquiries.get(is_repeat=False)
        assert (first.source, first.received_at) == (LeadSource.CSV, lead.created_at)
        assert lead.inquiries.count() == lead.inquiry_count
        assert lead.status == LeadStatus.NEW and lead.status_changed_at == lead.created_at
    assert LeadInquiry.objects.filter(is_repeat=True).count() == 1


def test_meta_lead_ads_export_utf16_tab_as_instagram(samples):
    result = run(samples / "meta_lead_ads_export.csv", "--source", "instagram")
    assert counts(result) == (3, 2, 1, 0)
    malika = Lead.objects.get(phone="+998935550101")
    assert (malika.source, malika.full_name, malika.course_interest) == (
        "instagram",
        "Malika Tursunova",
        "Kids English",
    )
    assert (malika.ad_id, malika.campaign_id, malika.form_id) == ("ag:7", "c:7", "f:7")
    assert malika.inquiry_count == 2
    assert malika.created_at.isoformat() == "2026-11-18T04:05:00+00:00"


def test_cp1251_partner_list(samples):
    result = run(samples / "partner_list_cp1251.csv")
    assert counts(result) == (3, 2, 0, 1)
    assert Lead.objects.get(phone="+998905550101").full_name == "Иванова Анна"
    assert Lead.objects.get(phone="+998905550101").comment == "перезвонить вечером"


def test_google_form_semicolon_csv(files):
    result = run(files / "google_form_semicolon.csv")
    assert counts(result) == (3, 2, 1, 0)
    nilufar = Lead.objects.get(phone="+998973330101")
    assert nilufar.full_name == "Нилуфар"  # not overwritten by the repeat
    assert nilufar.course_interest == "IELTS"


def test_google_forms_xlsx_sample(samples):
    result = run(samples / "google_form_responses.xlsx")
    assert counts(result) == (3, 2, 1, 0)
    assert Lead.objects.get(phone="+998977770101").source == LeadSource.EXCEL
    assert Lead.objects.get(phone="+998977770102").full_name == "Jamshid"


def test_excel_partner_list_with_title_rows_numeric_phones_and_dates(files):
    result = run(files / "partner_leads.xlsx")
    assert counts(result) == (7, 4, 1, 2)
    assert set(Lead.objects.values_list("phone", flat=True)) == {
        "+998901110101",
        "+998901110102",
        "+998901110103",
        "+998901110104",
    }
    dilshod = Lead.objects.get(phone="+998901110103")
    assert dilshod.course_interest == "2026-12-01"
    assert dilshod.created_at.isoformat() == "2026-11-21T06:15:00+00:00"
    gulnora = Lead.objects.get(phone="+998901110104")
    assert gulnora.email == "" and "E-mail as given: not-an-email" in gulnora.comment
    log = ImportLog.objects.get()
    assert log.header_row == 3
    assert sorted(log.rows.values_list("row_number", "outcome")) == [
        (9, RowOutcome.DUPLICATE),
        (10, RowOutcome.ERROR),
        (11, RowOutcome.ERROR),
    ]


def test_excel_second_sheet(files):
    result = run(files / "partner_leads.xlsx", "--sheet", "Archive")
    assert counts(result) == (1, 1, 0, 0)
    assert Lead.objects.get().full_name == "Arxiv Odam"


def test_reimporting_the_same_file_creates_nothing_new(files):
    run(files / "landing_dump_utf8_bom.csv")
    leads_before = list(Lead.objects.order_by("pk").values())
    inquiries_before = LeadInquiry.objects.count()
    result = run(files / "landing_dump_utf8_bom.csv")
    assert counts(result) == (7, 0, 5, 2)
    assert LeadInquiry.objects.count() == inquiries_before
    after = list(Lead.objects.order_by("pk").values())
    for row in (*leads_before, *after):
        row.pop("updated_at")
    assert after == leads_before


def test_existing_lead_is_not_overwritten_and_gets_a_repeat_inquiry(files):
    existing = LeadFactory(
        phone="+998902220102", full_name="Bobur from Telegram", source=LeadSource.TELEGRAM, email="", course_interest=""
    )
    run(files / "landing_dump_utf8_bom.csv")
    existing.refresh_from_db()
    assert existing.full_name == "Bobur from Telegram"
    assert existing.source == LeadSource.TELEGRAM
    assert existing.course_interest == "SAT"  # a blank filled in, as lead_register_inquiry does
    assert existing.inquiry_count == 2
    # The file's inquiry (19 Nov) is older than the Telegram one (today): the latest stays the latest.
    assert existing.last_inquiry_source == LeadSource.TELEGRAM
    repeat = existing.inquiries.get(is_repeat=True)
    assert (repeat.source, repeat.received_at.isoformat()) == (LeadSource.CSV, "2026-11-19T06:00:00+00:00")
    assert repeat.note == "landing_dump_utf8_bom.csv row 3"
    assert re.fullmatch(r"[0-9a-f]{16}", repeat.fingerprint)
    row = ImportRow.objects.get(lead=existing)
    assert row.outcome == RowOutcome.DUPLICATE and row.reason == "Phone +998902220102 already belongs to a lead."


def test_repeat_inquiry_reopens_a_lost_lead_through_the_status_service(files):
    from leads.services import lead_mark_lost

    lost = LeadFactory(phone="+998932220104")
    lead_mark_lost(lead=lost, reason="No answer")
    run(files / "landing_dump_utf8_bom.csv")
    lost.refresh_from_db()
    assert lost.status == LeadStatus.NEW
    assert list(lost.status_changes.values_list("from_status", "to_status")) == [
        ("", "new"),
        ("new", "lost"),
        ("lost", "new"),
    ]
    assert "Reopened by a repeat inquiry" in lost.status_changes.last().note


def test_dry_run_reports_exactly_what_a_real_run_does_and_writes_no_lead(files, samples):
    LeadFactory(phone="+998902220102")
    dry = run(files / "landing_dump_utf8_bom.csv", "--dry-run")
    assert Lead.objects.count() == 1
    assert LeadInquiry.objects.count() == 1
    real = run(files / "landing_dump_utf8_bom.csv")
    assert dry["dry_run"] is True and real["dry_run"] is False
    assert counts(dry) == counts(real) == (7, 3, 2, 2)
    dry_rows = list(
        ImportRow.objects.filter(log_id=dry["import_log_id"]).values_list("row_number", "outcome", "reason")
    )
    real_rows = list(
        ImportRow.objects.filter(log_id=real["import_log_id"]).values_list("row_number", "outcome", "reason")
    )
    assert dry_rows == real_rows


def test_map_overrides_a_column(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Mijoz,Aloqa,Manba\nSobir,+998 90 444 01 01,Yarmarka\n", encoding="utf-8")
    result = run(path, "--map", "Aloqa=phone", "--map", "Mijoz=full_name", "--map", "Manba=utm_source")
    assert counts(result) == (1, 1, 0, 0)
    lead = Lead.objects.get()
    assert (lead.full_name, lead.utm_source) == ("Sobir", "Yarmarka")


def test_first_and_last_name_columns_are_joined(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("First name,Last name,Phone\nSobir,Karimov,901234567\n", encoding="utf-8")
    run(path)
    assert Lead.objects.get().full_name == "Sobir Karimov"


def test_blank_rows_are_not_counted(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("Name,Phone\n,\nAli,901234567\n  ,  \n\nVali,901234568\n", encoding="utf-8")
    assert counts(run(path)) == (2, 2, 0, 0)


def test_assign_round_robin_uses_the_rotation(files, salesperson, other_salesperson):
    run(files / "landing_dump_utf8_bom.csv", "--assign", "round-robin")
    assigned = list(Lead.objects.order_by("created_at", "id").values_list("assigned_to", flat=True))
    assert set(assigned) == {salesperson.pk, other_salesperson.pk}
    assert assigned.count(salesperson.pk) == 2 and assigned.count(other_salesperson.pk) == 2
    assert not Lead.objects.filter(assigned_at__isnull=True).exists()


def test_round_robin_summary_says_who_gets_and_who_got_the_new_leads(files, salesperson, other_salesperson):
    path = str(files / "landing_dump_utf8_bom.csv")
    first, second = sorted([salesperson, other_salesperson], key=str)
    dry = io.StringIO()
    call_command("import_leads", path, "--assign", "round-robin", "--dry-run", stdout=dry)
    assert f"New leads would go to: {first} 2, {second} 2." in dry.getvalue()
    out = io.StringIO()
    call_command("import_leads", path, "--assign", "round-robin", stdout=out)
    log = ImportLog.objects.get(dry_run=False)
    assert log.assigned_counts == {str(salesperson.pk): 2, str(other_salesperson.pk): 2}
    assert f"New leads per salesperson: {first} 2, {second} 2." in out.getvalue()


def test_assign_to_one_salesperson(files, salesperson):
    run(files / "landing_dump_utf8_bom.csv", "--assign", salesperson.username)
    assert set(Lead.objects.values_list("assigned_to", flat=True)) == {salesperson.pk}


def test_assigned_leads_get_a_first_contact_deadline_as_lead_assign_gives(files, salesperson):
    from reminders.models import LeadReminder

    run(files / "landing_dump_utf8_bom.csv", "--assign", salesperson.username)
    reminders = LeadReminder.objects.filter(salesperson=salesperson)
    assert set(reminders.values_list("lead__phone", flat=True)) == set(Lead.objects.values_list("phone", flat=True))
    assert set(reminders.values_list("kind", flat=True)) == {"first_contact"}


def test_unassigned_import_sets_no_deadlines(files):
    from reminders.models import LeadReminder

    run(files / "landing_dump_utf8_bom.csv")
    assert not LeadReminder.objects.exists()


def test_assign_to_someone_not_in_sales_is_refused(files, manager):
    with pytest.raises(CommandError, match="not an active member of the Sales group"):
        run(files / "landing_dump_utf8_bom.csv", "--assign", manager.username)
    with pytest.raises(CommandError, match="No active salesperson with the username “ghost”"):
        run(files / "landing_dump_utf8_bom.csv", "--assign", "ghost")
    assert not Lead.objects.exists() and not ImportLog.objects.exists()


def test_round_robin_without_salespeople_is_refused(files):
    with pytest.raises(CommandError, match="no active salespeople"):
        run(files / "landing_dump_utf8_bom.csv", "--assign", "round-robin")


def test_no_phone_column_is_refused_with_the_headers_seen(files):
    with pytest.raises(CommandError) as exc:
        run(files / "no_phone_column.csv")
    assert "No phone column found. Headers seen: “Name”, “Email”, “Course”" in str(exc.value)
    assert not ImportLog.objects.exists() and not Lead.objects.exists()


@pytest.mark.parametrize(
    "name, message",
    [
        ("password_protected.xlsx", "password-protected"),
        ("corrupt.xlsx", "not a valid .xlsx"),
        ("missing.csv", "Cannot read"),
    ],
)
def test_bad_files_fail_with_a_clear_error_and_write_nothing(files, name, message):
    with pytest.raises(CommandError, match=message):
        run(files / name)
    assert not ImportLog.objects.exists() and not Lead.objects.exists()


def test_unknown_extension_exits_non_zero(samples):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "manage.py", "import_leads", str(samples / "landing_form.json")],
        env={**os.environ, "DEBUG": "True"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "only .csv and .xlsx files are supported" in proc.stderr


def test_human_summary_without_json(files):
    out = io.StringIO()
    call_command("import_leads", str(files / "landing_dump_utf8_bom.csv"), stdout=out)
    text = out.getvalue()
    assert "Name → full_name" in text and "Phone Number → phone" in text
    assert "7 rows: 4 created, 1 duplicates, 2 errors" in text
    assert "row 7: No phone number." in text


def test_path_and_google_sheet_are_exclusive(files):
    with pytest.raises(CommandError, match="either a file PATH or --google-sheet"):
        call_command("import_leads")
    with pytest.raises(CommandError, match="either a file PATH or --google-sheet"):
        call_command("import_leads", str(files / "landing_dump_utf8_bom.csv"), "--google-sheet", "abc")


def test_progress_bar_on_a_terminal(files, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("import_leads", str(files / "landing_dump_utf8_bom.csv"), stdout=out)
    assert "Reading rows" in capsys.readouterr().err
    assert "7 rows: 4 created" in out.getvalue()


def test_no_progress_bar_with_json_even_on_a_terminal(files, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("import_leads", str(files / "landing_dump_utf8_bom.csv"), "--json", stdout=out)
    assert "Reading rows" not in capsys.readouterr().err
    assert json.loads(out.getvalue())["created"] == 4


def test_round_robin_import_skips_inactive_salespeople(files, salesperson, other_salesperson):
    SalespersonFactory(username="left_in_spring", is_active=False)
    run(files / "landing_dump_utf8_bom.csv", "--assign", "round-robin")
    assigned = set(Lead.objects.values_list("assigned_to", flat=True))
    assert assigned == {salesperson.pk, other_salesperson.pk}


def test_import_to_an_inactive_salesperson_is_refused(files):
    SalespersonFactory(username="left_in_spring", is_active=False)
    with pytest.raises(CommandError, match="No active salesperson with the username “left_in_spring”"):
        run(files / "landing_dump_utf8_bom.csv", "--assign", "left_in_spring")
    assert not Lead.objects.exists() and not ImportLog.objects.exists()
