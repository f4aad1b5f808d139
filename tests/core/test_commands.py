"""core.management.base.CRMCommand: every command's shared options and error mapping."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import translation

from accounts.models import User
from core.errors import InputError
from core.management.base import CRMCommand

PROJECT_COMMANDS = {
    "seed_demo": "core",
    "release": "core",
    "ensure_admin": "core",
    "django_translation_gaps": "core",
    "import_leads": "import_service",
    "run_queued_imports": "import_service",
    "import_groups": "scheduling",
    "import_ad_spend": "analytics",
    "rollup_analytics": "analytics",
    "dispatch_reminders": "reminders",
    "process_intake": "intake",
    "refresh_room_occupancy": "scheduling",
    "create_api_token": "api",
}
WITH_JSON = {
    "django_translation_gaps",
    "import_leads",
    "run_queued_imports",
    "import_groups",
    "import_ad_spend",
    "rollup_analytics",
    "dispatch_reminders",
    "process_intake",
    "refresh_room_occupancy",
    "create_api_token",
}


def project_commands() -> dict[str, str]:
    """Commands of the apps that live in this repository (not Django's or a library's)."""
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(config.path).parts
    }
    return {name: app for name, app in get_commands().items() if app in ours}


def test_every_command_of_the_project_is_a_crm_command():
    found = project_commands()
    assert found == PROJECT_COMMANDS
    for name, app in found.items():
        assert isinstance(load_command_class(app, name), CRMCommand), name


@pytest.mark.parametrize("name", sorted(PROJECT_COMMANDS))
def test_json_is_offered_exactly_where_a_command_prints_a_result(name):
    parser = load_command_class(PROJECT_COMMANDS[name], name).create_parser("manage.py", name)
    assert ("--json" in parser._option_string_actions) == (name in WITH_JSON)


@pytest.mark.parametrize("name", sorted(PROJECT_COMMANDS))
def test_help_is_worded_in_the_language_of_the_run(name):
    """Commands run in the centre's language (Django: settings.LANGUAGE_CODE): the
    description and every option's help are translated, and argparse can format
    them (a lazy help, or a translation with a stray %, would break --help)."""
    texts = {}
    for language in ("en", "uz", "ru"):
        with translation.override(language):
            command = load_command_class(PROJECT_COMMANDS[name], name)
            texts[language] = command.create_parser("manage.py", name).format_help()
    assert texts["uz"] != texts["en"] and texts["ru"] != texts["en"]
    if name in WITH_JSON:
        assert "JSON-объект" in texts["ru"]


@pytest.mark.django_db
def test_a_summary_is_translated_and_json_stays_english():
    with translation.override("ru"):
        out = StringIO()
        call_command("dispatch_reminders", stdout=out)
        assert out.getvalue().strip() == "Отправлено: 0, пропущено: 0, с ошибкой: 0."
        out = StringIO()
        call_command("dispatch_reminders", "--json", stdout=out)
        assert json.loads(out.getvalue()) == {"sent": 0, "skipped": 0, "failed": 0}


class Failing(CRMCommand):
    json_result = '{"done"}'

    def __init__(self, error=None):
        super().__init__(stdout=StringIO(), stderr=StringIO())
        self.error = error

    def handle(self, *args, **options):
        self.say("working…")
        if self.error:
            raise self.error
        self.print_result({"done": 3}, "Done: 3.")


def test_a_validation_error_becomes_a_command_error_with_every_message_on_its_own_line():
    error = ValidationError({"source": "Unknown lead source “tv”.", "phone": ["No phone.", "Too short."]})
    with pytest.raises(CommandError) as exc:
        call_command(Failing(error))
    assert str(exc.value).splitlines() == ["Unknown lead source “tv”.", "No phone.", "Too short."]
    assert isinstance(exc.value.__cause__, ValidationError)


def test_a_single_message_stays_one_line():
    with pytest.raises(CommandError) as exc:
        call_command(Failing(ValidationError("There are no active salespeople to assign leads to.")))
    assert str(exc.value) == "There are no active salespeople to assign leads to."


def test_an_input_error_becomes_a_command_error():
    class SheetGone(InputError):
        pass

    with pytest.raises(CommandError, match=r"^Google Sheet “abc” was not found\.$"):
        call_command(Failing(SheetGone("Google Sheet “abc” was not found.")))


def test_other_errors_are_not_disguised():
    with pytest.raises(ZeroDivisionError):
        call_command(Failing(ZeroDivisionError("bug")))


def test_command_error_adds_context_before_the_messages():
    command = Failing()
    one = command.command_error(ValidationError("Row 2: bad."), prefix="Nothing imported:")
    many = command.command_error(ValidationError(["Row 2: bad.", "Row 3: bad."]), prefix="Nothing imported:")
    assert str(one) == "Nothing imported: Row 2: bad."
    assert str(many) == "Nothing imported:\nRow 2: bad.\nRow 3: bad."


def test_with_json_stdout_is_one_json_object_and_nothing_else():
    command = Failing()
    call_command(command, "--json")
    assert json.loads(command.stdout.getvalue()) == {"done": 3}


def test_without_json_the_summary_is_printed():
    command = Failing()
    call_command(command)
    assert command.stdout.getvalue().splitlines() == ["working…", "Done: 3."]


@pytest.mark.django_db
def test_ensure_admin_creates_the_login_once_and_prints_its_password_once():
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    [password] = [line.split("password: ")[1].strip() for line in out.getvalue().splitlines() if "password: " in line]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    again = StringIO()
    call_command("ensure_admin", stdout=again)
    assert "already exists" in again.getvalue() and password not in again.getvalue()
    assert User.objects.filter(username="admin").count() == 1
