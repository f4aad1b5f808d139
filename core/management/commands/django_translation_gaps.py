"""Which of Django's own admin/auth/core messages a language's catalogues leave
untranslated, and whether our supplement (locale_django/) covers them.

Run it after upgrading Django: new msgids show as uncovered; ``--update`` adds
them, untranslated, to locale_django/<lang>/LC_MESSAGES/*.po for a translator.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy, ngettext

from core import django_catalogues as catalogues
from core.management.base import CRMCommand


class Command(CRMCommand):
    json_result = '{"language", "django_gaps", "django_gaps_by_reason", "uncovered", "stale", "overrides"}'
    help = gettext_lazy(
        "Report the msgids of Django's admin, auth, contenttypes, sessions and core catalogues that the "
        "language's catalogue leaves untranslated, fuzzy or misspelt, and which our supplement lacks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--language", default="uz", help=gettext("Language code (default uz)."))
        parser.add_argument(
            "--update",
            action="store_true",
            help=gettext("Add uncovered msgids to the supplement (empty) and mark those Django dropped obsolete."),
        )
        parser.add_argument("--check", action="store_true", help=gettext("Fail when any msgid is uncovered."))
        parser.add_argument("--list", action="store_true", help=gettext("List every uncovered msgid."))

    def handle(self, *args, language, update, check, list, **options):
        if update:
            counts = catalogues.update_supplement(language)
            self.say(
                gettext("Supplement updated: %(added)d msgid(s) added untranslated, %(obsoleted)d marked obsolete.")
                % {"added": counts["added"], "obsoleted": counts["obsoleted"]}
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
            # The reasons (untranslated, fuzzy, ...) are the report's own keys, shown as they are.
            reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(by_reason.items())) or gettext("none")
            self.stdout.write(
                gettext("Django's %(language)s catalogues: %(count)d msgid(s) need us (%(reasons)s).")
                % {"language": language, "count": len(result.gaps), "reasons": reasons}
            )
            self.stdout.write(
                gettext("Our supplement: %(count)d of them not translated yet.") % {"count": len(result.uncovered)}
            )
            if result.overrides:
                count = len(result.overrides)
                self.stdout.write(
                    ngettext(
                        "%(count)d supplement entry overrides a Django translation.",
                        "%(count)d supplement entries override a Django translation.",
                        count,
                    )
                    % {"count": count}
                )
            if result.stale:
                count = len(result.stale)
                self.stdout.write(
                    ngettext(
                        "%(count)d supplement entry is no longer in Django (run --update).",
                        "%(count)d supplement entries are no longer in Django (run --update).",
                        count,
                    )
                    % {"count": count}
                )
            if list or (check and result.uncovered):
                for gap in result.uncovered:
                    context = f" [{gap.msgctxt}]" if gap.msgctxt else ""
                    self.stdout.write(f"  {gap.domain}{context} ({', '.join(gap.catalogues)}): {gap.msgid!r}")
        if check and result.uncovered:
            raise CommandError(
                gettext(
                    "%(count)d Django msgid(s) are not translated in locale_django/%(language)s/: run "
                    "`manage.py django_translation_gaps --language %(language)s --update` and translate them."
                )
                % {"count": len(result.uncovered), "language": language}
            )
