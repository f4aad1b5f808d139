"""manage.py rollup_analytics [--date D | --from D --to D]: recompute daily rollups."""

import datetime

from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy

from analytics.services.days import local_today
from analytics.services.rollup import analytics_rollup_range
from core.management.base import CRMCommand


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(gettext("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": value}) from None


class Command(CRMCommand):
    help = gettext_lazy(
        "Recompute the analytics rollups (lead metrics, sales KPIs, marketing, groups) for local days. "
        "Default: yesterday and today. Safe to run again: rows are upserted."
    )
    json_result = '{"first", "last", "days", "duration_ms"}'

    def add_arguments(self, parser):
        parser.add_argument("--date", help=gettext("one day, YYYY-MM-DD"))
        parser.add_argument("--from", dest="first", help=gettext("first day of a range, YYYY-MM-DD"))
        parser.add_argument("--to", dest="last", help=gettext("last day of a range (included), YYYY-MM-DD"))

    def handle(self, *args, date=None, first=None, last=None, verbosity=1, **options):
        if date and (first or last):
            raise CommandError(gettext("Give either --date or --from/--to, not both."))
        if bool(first) != bool(last):
            raise CommandError(gettext("--from and --to go together."))
        if date:
            first = last = _date(date)
        elif first:
            first, last = _date(first), _date(last)
        else:
            last = local_today()
            first = last - datetime.timedelta(days=1)

        def progress(result):
            if verbosity >= 2:
                self.say(gettext("%(day)s: %(ms)d ms") % {"day": result.day, "ms": result.duration_ms})

        results = analytics_rollup_range(first=first, last=last, progress=progress)
        total_ms = sum(r.duration_ms for r in results)
        self.print_result(
            {"first": first.isoformat(), "last": last.isoformat(), "days": len(results), "duration_ms": total_ms},
            gettext("Rolled up %(count)d day(s), %(first)s to %(last)s, in %(seconds).2f s.")
            % {"count": len(results), "first": first, "last": last, "seconds": total_ms / 1000},
        )
