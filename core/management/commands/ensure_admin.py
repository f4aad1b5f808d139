"""Make sure an admin login exists; print its password only when it is created.

(It lives in core rather than accounts because accounts sits below core and
every command is a core.management.base.CRMCommand.)"""

import secrets

from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from core.management.base import CRMCommand


class Command(CRMCommand):
    help = gettext_lazy("Create the superuser 'admin' with a random password if there is none (printed once).")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if User.objects.filter(username=username).exists():
            self.say(
                gettext("Admin login '%(username)s' already exists (password was printed when it was created).")
                % {"username": username}
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=f"{username}@localhost", password=password)
        self.say(
            gettext(
                "\n  Admin login created — username: %(username)s  password: %(password)s\n"
                "  (shown only this once; change it in admin, or `manage.py changepassword admin`)\n"
            )
            % {"username": username, "password": password},
            "SUCCESS",
        )
