"""factory-boy factories shared by the whole suite. Each app's factories live
in tests/<app>/factories.py; the base staff factories live here."""

import factory
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@centre.example")
    is_staff = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pass-for-tests-1")
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="Sales"); subclasses give their role by default."""
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


def _with_role(name):
    return factory.post_generation(
        lambda obj, create, extracted, **kw: (
            obj.groups.add(Group.objects.get(name=extracted or name)) if create else None
        )
    )


class SalespersonFactory(UserFactory):
    username = factory.Sequence(lambda n: f"sales{n}")
    role = _with_role(roles.SALES)


class ManagerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"manager{n}")
    role = _with_role(roles.MANAGERS)


class TeacherFactory(UserFactory):
    username = factory.Sequence(lambda n: f"teacher{n}")
    role = _with_role(roles.TEACHERS)


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"owner{n}")
    is_superuser = True
