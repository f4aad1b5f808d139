"""One base for every management command of the project (after Zulip's
``zerver/lib/management.py`` ``ZulipBaseCommand``).

- ``--json`` for a command that prints a result: set ``json_result`` to the keys
  of the object it prints (they appear in ``--help`` and in the README's
  "Operator commands" table); ``print_result`` writes that object, or the human
  summary without the flag. Nothing else goes to stdout with ``--json``
  (``say`` is silent then), so scripts can parse it.
- One error mapping: a ``ValidationError`` or a ``core.errors.InputError`` (an
  unusable file, sheet or option) leaving ``handle`` becomes a ``CommandError``
  whose message is ``core.errors.error_text`` — every message, one per line — so
  ops get an actionable sentence and exit status 1, not a traceback.
  ``command_error(exc, prefix=...)`` adds context where a command has some.
"""

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from core.errors import InputError, error_text


class CRMCommand(BaseCommand):
    #: The keys of the JSON object the command prints, e.g. '{"sent", "skipped", "failed"}';
    #: set it to give the command ``--json``.
    json_result: str | None = None
    #: Set from ``--json`` for the run in progress.
    json: bool = False

    def create_parser(self, prog_name, subcommand, **kwargs):
        # A command's help is gettext_lazy (worded at import, before a language is
        # active); argparse's formatter runs regular expressions over it, which
        # need a real str, so it is worded here, in the language of the run.
        if self.help:
            self.help = str(self.help)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.json_result:
            parser.add_argument(
                "--json",
                action="store_true",
                help=gettext("Print one JSON object %(keys)s instead of the summary.") % {"keys": self.json_result},
            )
        return parser

    def execute(self, *args, **options):
        self.json = bool(options.get("json"))
        try:
            return super().execute(*args, **options)
        except (ValidationError, InputError) as exc:
            raise self.command_error(exc) from exc

    def command_error(self, exc: BaseException, *, prefix: str = "") -> CommandError:
        """A CommandError worded from ``exc`` (ValidationError messages one per
        line), after ``prefix`` when given."""
        text = error_text(exc)
        if prefix:
            separator = "\n" if "\n" in text else " "
            text = f"{prefix}{separator}{text}"
        return CommandError(text)

    def say(self, text: str, style: str | None = None) -> None:
        """A line for the person at the terminal; silent with ``--json``."""
        if not self.json:
            self.stdout.write(getattr(self.style, style)(text) if style else text)

    def print_result(self, data: Mapping[str, Any], summary: str, *, style: str | None = "SUCCESS") -> None:
        """The JSON object with ``--json``, else the human summary."""
        if self.json:
            self.stdout.write(json.dumps(dict(data), default=str))
        else:
            self.say(summary, style)
