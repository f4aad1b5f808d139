"""Which of Django's own admin/auth/core messages a language's catalogues leave
untranslated, and whether our supplement (locale_django/) covers them.

Run it after upgrading Django: new msgids show as uncovered; ``--update`` adds
them, untranslated, to locale_django/<lang>/LC_MESSAGES/*.po for a translator.
"""

from django.core.management.base import CommandError

from core import django_catalogues as catalogues
from core.management.base import CRMCommand


class Command(CRMCommand):
    json_result = '{"language", "django_gaps", "django_gaps_by_reason", "uncovered", "stale", "overrides"}'
    help = (
        "Report the msgids of Django's admin, auth, contenttypes, sessions and core catalogues that the "
        "language's catalogue leaves untranslated, fuzzy or misspelt, and which our supplement lacks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--language", default="uz", help="Language code (default uz).")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Add uncovered msgids to the supplement (empty) and mark those Django dropped obsolete.",
        )
        parser.add_argument("--check", action="store_true", help="Fail when any msgid is uncovered.")
        parser.add_argument("--list", action="store_true", help="List every uncovered msgid.")

    def handle(self, *args, language, update, check, list, **options):
        if update:
            counts = catalogues.update_supplement(language)
            self.say(
                f"Supplement updated: {counts['added']} msgid(s) added untranslated, "
                f"{counts['obsoleted']} marked obsolete."
            )
        result = catalogues.report(language)
        by_reason: dict[str, int] = {}
        for gap in result.gaps.values():
            for reason in gap.reasons:
                by_reason[reason] = by_reason.get(reason, 0) + 1
        summary = {
            "language": language,
            "django_gaps": len(result.gaps),
            "django_gaps_by_reason": by_reason,
            "uncovered": len(result.uncovered),
            "stale": len(result.stale),
            "overrides": len(result.overrides),
        }
        if self.json:
            self.print_result(summary, "")
        else:
            reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(by_reason.items())) or "none"
            self.stdout.write(f"Django's {language} catalogues: {len(result.gaps)} msgid(s) need us ({reasons}).")
            self.stdout.write(f"Our supplement: {len(result.uncovered)} of them not translated yet.")
            if result.overrides:
                self.stdout.write(f"{len(result.overrides)} supplement entries override a Django translation.")
            if result.stale:
                self.stdout.write(f"{len(result.stale)} supplement entries are no longer in Django (run --update).")
            if list or (check and result.uncovered):
                for gap in result.uncovered:
                    context = f" [{gap.msgctxt}]" if gap.msgctxt else ""
                    self.stdout.write(f"  {gap.domain}{context} ({', '.join(gap.catalogues)}): {gap.msgid!r}")
        if check and result.uncovered:
            raise CommandError(
                f"{len(result.uncovered)} Django msgid(s) are not translated in locale_django/{language}/: "
                f"run `manage.py django_translation_gaps --language {language} --update` and translate them."
            )
