"""Make sure an admin login exists; print its password only when it is created."""

import secrets

from django.core.management.base import BaseCommand

from accounts.models import User


class Command(BaseCommand):
    help = "Create the superuser 'admin' with a random password if there is none (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Admin login '{username}' already exists (password was printed when it was created).")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=f"{username}@localhost", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Admin login created — username: {username}  password: {password}\n"
                "  (shown only this once; change it in admin, or `manage.py changepassword admin`)\n"
            )
        )
