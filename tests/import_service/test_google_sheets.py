"""Google Sheets through gspread's real code: a real service-account key (made
here), the OAuth token endpoint and the Sheets API v4 faked at the HTTP layer
with responses, answering as Google does."""

import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command

from import_service.models import ImportLog, InputKind
from leads.models import Lead, LeadSource

pytestmark = pytest.mark.django_db

SHEET_ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
TOKEN_URL = "https://oauth2.googleapis.com/token"

# Responses as the Sheets API v4 gives them for a Google Form's response sheet
# (values.get with valueRenderOption=UNFORMATTED_VALUE and
# dateTimeRenderOption=FORMATTED_STRING: a phone typed as a number stays a
# number, dates come as the sheet shows them, trailing empty cells are left out).
RECORDED = Path(__file__).resolve().parent / "files" / "google_sheets"
METADATA = json.loads((RECORDED / "spreadsheet_metadata.json").read_text(encoding="utf-8"))
FORM_VALUES = json.loads((RECORDED / "values_form_responses.json").read_text(encoding="utf-8"))["values"]


@pytest.fixture
def service_account_file(tmp_path, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "crm-imports",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "crm-importer@crm-imports.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": TOKEN_URL,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/crm-importer",
        "universe_domain": "googleapis.com",
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(path)
    return path


@pytest.fixture
def google(service_account_file):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.POST,
            TOKEN_URL,
            json={"access_token": "ya29.test-token", "expires_in": 3599, "token_type": "Bearer"},
        )
        mock.add(responses.GET, f"{SHEETS}/{SHEET_ID}", json=METADATA)
        yield mock


def add_values(mock, values, sheet="Ответы на форму (1)"):
    def callback(request):
        assert request.headers["Authorization"] == "Bearer ya29.test-token"
        range_name = unquote(request.path_url.split("/values/")[1].split("?")[0])
        assert range_name == f"'{sheet}'"
        assert "valueRenderOption=UNFORMATTED_VALUE" in request.url
        assert "dateTimeRenderOption=FORMATTED_STRING" in request.url
        body = {"range": f"'{sheet}'!A1:Z1000", "majorDimension": "ROWS", "values": values}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    mock.add_callback(responses.GET, re.compile(rf"{re.escape(SHEETS)}/{SHEET_ID}/values/.*"), callback=callback)


def run(*args):
    out = io.StringIO()
    call_command("import_leads", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_google_form_sheet_imports_with_the_same_rules_as_files(google):
    add_values(google, FORM_VALUES)
    result = run("--google-sheet", f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0")
    assert (result["total"], result["created"], result["duplicates"], result["errors"]) == (4, 2, 1, 1)
    log = ImportLog.objects.get(pk=result["import_log_id"])
    assert (log.input_kind, log.source) == (InputKind.GOOGLE_SHEET, LeadSource.GOOGLE_SHEETS)
    assert (log.file_name, log.sheet_name) == ("Заявки с сайта", "Ответы на форму (1)")
    shahzoda = Lead.objects.get(phone="+998946660101")
    assert (shahzoda.full_name, shahzoda.source, shahzoda.utm_source) == ("Шахзода", "google_sheets", "instagram")
    assert shahzoda.phone_raw == "998946660101"
    assert shahzoda.created_at.isoformat() == "2026-11-18T04:15:02+00:00"
    assert shahzoda.inquiry_count == 2
    token_calls = [c for c in google.calls if c.request.url == TOKEN_URL]
    assert len(token_calls) == 1
    body = token_calls[0].request.body
    body = body.decode() if isinstance(body, bytes) else body
    assert "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in body  # a signed JWT assertion


def test_worksheet_by_name_and_key_instead_of_url(google):
    add_values(google, [["Ism", "Telefon"], ["Arxiv", 998946669999]], sheet="Архив")
    result = run("--google-sheet", SHEET_ID, "--worksheet", "Архив", "--source", "landing")
    assert (result["total"], result["created"]) == (1, 1)
    assert Lead.objects.get().source == LeadSource.LANDING


def test_unknown_worksheet_lists_the_worksheets(google):
    with pytest.raises(CommandError, match="There is no worksheet “Nope”.*Ответы на форму \\(1\\), Архив"):
        run("--google-sheet", SHEET_ID, "--worksheet", "Nope")
    assert not ImportLog.objects.exists()


def test_sheet_not_shared_with_the_service_account(service_account_file):
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, TOKEN_URL, json={"access_token": "ya29.t", "expires_in": 3599, "token_type": "Bearer"})
        mock.add(
            responses.GET,
            f"{SHEETS}/{SHEET_ID}",
            status=404,
            json={"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}},
        )
        with pytest.raises(CommandError, match="crm-importer@crm-imports.iam.gserviceaccount.com"):
            run("--google-sheet", SHEET_ID)


def test_sheet_without_a_phone_column_is_refused(google):
    add_values(google, [["Имя", "Курс"], ["Али", "IELTS"]])
    with pytest.raises(CommandError, match="No phone column found. Headers seen: “Имя”, “Курс”"):
        run("--google-sheet", SHEET_ID)


def test_without_a_service_account_configured(settings):
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    with pytest.raises(CommandError, match="Set GOOGLE_SERVICE_ACCOUNT_FILE"):
        run("--google-sheet", SHEET_ID)
