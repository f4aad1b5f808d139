"""Make sure an admin login exists; print its password only when it is created.

(It lives in core rather than accounts because accounts sits below core and
every command is a core.management.base.CRMCommand.)"""

import secrets

from accounts.models import User
from core.management.base import CRMCommand


class Command(CRMCommand):
    help = "Create the superuser 'admin' with a random password if there is none (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if User.objects.filter(username=username).exists():
            self.say(f"Admin login '{username}' already exists (password was printed when it was created).")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=f"{username}@localhost", password=password)
        self.say(
            f"\n  Admin login created — username: {username}  password: {password}\n"
            "  (shown only this once; change it in admin, or `manage.py changepassword admin`)\n",
            "SUCCESS",
        )
