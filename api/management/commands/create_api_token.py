"""manage.py create_api_token USERNAME [--name NAME] [--read-only] [--expires-days N] [--json]

Makes a personal API token for USERNAME and prints it on the last line (shown
this once; only its hash is kept); ``--json`` prints it with its details as one
object instead. Revoke it in admin (REST API → API tokens)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from api.services import api_token_create
from core.management.base import CRMCommand


class Command(CRMCommand):
    help = gettext_lazy("Make an API token for a user; the token is printed on the last line.")
    json_result = '{"token", "prefix", "user", "name", "read_only", "expires_at"}'

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help=gettext("What the token is for (default: “manage.py <date>”)."))
        parser.add_argument("--read-only", action="store_true", help=gettext("The token may only read (GET)."))
        parser.add_argument(
            "--expires-days", type=int, default=None, help=gettext("Days until it expires (default from settings).")
        )

    def handle(self, *args, username, name, read_only, expires_days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(gettext("No user “%(username)s”.") % {"username": username})
        name = name or f"manage.py {timezone.localdate():%d.%m.%Y}"
        issued = api_token_create(user=user, name=name, read_only=read_only, expires_days=expires_days)
        token = issued.token
        made = (
            gettext("Made read-only token “%(name)s” for %(user)s, expires %(expires)s. It is shown only now:")
            if token.read_only
            else gettext("Made token “%(name)s” for %(user)s, expires %(expires)s. It is shown only now:")
        )
        self.say(
            made
            % {
                "name": token.name,
                "user": user.get_username(),
                "expires": f"{timezone.localtime(token.expires_at):%d.%m.%Y %H:%M}",
            }
        )
        self.print_result(
            {
                "token": issued.plaintext,
                "prefix": token.prefix,
                "user": user.get_username(),
                "name": token.name,
                "read_only": token.read_only,
                "expires_at": token.expires_at.isoformat(),
            },
            issued.plaintext,
            style=None,
        )
