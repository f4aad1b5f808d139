"""manage.py import_ad_spend PATH --channel instagram: load an ad-platform daily export."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy

from analytics.services.marketing_spend import marketing_spend_import
from core.management.base import CRMCommand
from leads.models import LeadSource


class Command(CRMCommand):
    help = gettext_lazy(
        "Import daily spend, impressions and clicks for one channel from an ad-platform export "
        "(Meta Ads Manager: Day, Amount spent (UZS), Impressions, Link clicks; CSV or UTF-16 TSV). "
        "All or nothing; the imported days are rolled up again."
    )
    json_result = '{"channel", "created", "updated", "first", "last"}'

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--channel", required=True, choices=LeadSource.values)
        parser.add_argument("--user", help=gettext("username recorded as having entered the figures"))

    def handle(self, *args, path, channel, user=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(gettext("No such file: %(path)s") % {"path": path})
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(gettext("No user “%(username)s”.") % {"username": user})
        try:
            result = marketing_spend_import(raw=file.read_bytes(), channel=channel, by=by, name=file.name)
        except ValidationError as exc:
            raise self.command_error(exc, prefix=gettext("Nothing imported:")) from exc
        first, last = result.days[0], result.days[-1]
        self.print_result(
            {
                "channel": channel,
                "created": result.created,
                "updated": result.updated,
                "first": first.isoformat(),
                "last": last.isoformat(),
            },
            gettext("%(channel)s: %(created)d day(s) added, %(updated)d replaced (%(first)s to %(last)s).")
            % {"channel": channel, "created": result.created, "updated": result.updated, "first": first, "last": last},
        )
