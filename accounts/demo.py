"""Demo staff for `manage.py seed_demo`."""

from contextvars import ContextVar

from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User

DEMO_STAFF = [
    # username, first, last, role
    ("dilnoza", "Dilnoza", "Karimova", roles.MANAGERS),
    ("aziz", "Aziz", "Rahimov", roles.SALES),
    ("malika", "Malika", "Tursunova", roles.SALES),
    ("sardor", "Sardor", "Alimov", roles.SALES),
    ("jamshid", "Jamshid", "Nazarov", roles.TEACHERS),
    ("emily", "Emily", "Carter", roles.TEACHERS),
    ("rustam", "Rustam", "Qodirov", roles.TEACHERS),
]
DEMO_PASSWORD = "demo-pass-2026"
# False when seeding a production-like site (DEBUG off, --allow-production): the
# demo staff get no password at all, so the published one opens nothing there.
publish_password: ContextVar[bool] = ContextVar("publish_password", default=True)


def seed(stdout) -> None:
    published = publish_password.get()
    created = 0
    for username, first, last, role in DEMO_STAFF:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True, "email": f"{username}@centre.example"},
        )
        if was_created:
            if published:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
            created += 1
        user.groups.add(Group.objects.get(name=role))
    if created and not published:
        stdout.write(
            f"Demo staff: {created} created without a password "
            "(give one with `manage.py changepassword USERNAME`): " + ", ".join(u for u, _, _, _ in DEMO_STAFF) + "."
        )
    elif created:
        stdout.write(
            f"Demo staff: {created} created (password “{DEMO_PASSWORD}”: "
            + ", ".join(f"{u} ({r})" for u, _, _, r in DEMO_STAFF)
            + ")."
        )
