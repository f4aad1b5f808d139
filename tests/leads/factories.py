import factory
from django.utils import timezone

from leads import services
from leads.models import Lead, LeadSource


class LeadFactory(factory.django.DjangoModelFactory):
    """Creates leads through leads.services so the first history row exists.

    Pass ``assigned_to=user`` to assign. Phones are unique valid Uzbek numbers.
    """

    class Meta:
        model = Lead

    full_name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+99890{1000000 + n:07d}")
    source = LeadSource.INSTAGRAM
    course_interest = "IELTS"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        at = kwargs.pop("created_at", None) or timezone.now()
        phone = kwargs.pop("phone")
        source = kwargs.pop("source")
        return services.lead_register_inquiry(phone=phone, source=source, at=at, **kwargs).lead
