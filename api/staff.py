"""Staff for pickers (managers): the active salespeople a lead can be assigned to."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from accounts import roles
from api.base import UserBriefSerializer


@extend_schema_view(
    list=extend_schema(
        summary=_("List salespeople (managers)"),
        description=_("Active members of Sales, the people `POST /leads/{id}/assign/` accepts."),
    ),
    retrieve=extend_schema(summary=_("Read a salesperson"), description=_("One active salesperson.")),
)
class SalespersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = UserBriefSerializer
    queryset = get_user_model().objects.all()
    managers_only = True
    schema_tags = ["leads"]
    required_perms = {"list": ("accounts.view_user",), "retrieve": ("accounts.view_user",)}

    def get_queryset(self):
        return roles.salespeople().order_by("first_name", "last_name", "username", "id")
