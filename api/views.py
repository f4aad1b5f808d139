"""The caller, and the API's own documentation pages."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from api import services
from api.exceptions import NON_FIELD
from api.models import ApiToken


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField())
    is_manager = serializers.BooleanField()
    token = serializers.DictField(allow_null=True, help_text=_("The token of this request (null for the session)."))


class MeView(APIView):
    schema_tags = ["me"]

    @extend_schema(
        summary=_("Who am I"),
        description=_("The caller, their roles, and the token in use (name, read-only, expiry)."),
        responses={200: MeSerializer},
    )
    def get(self, request):
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "full_name": user.get_full_name() or user.get_username(),
                    "email": user.email,
                    "roles": sorted(user.groups.values_list("name", flat=True)),
                    "is_manager": roles.is_manager(user),
                    "token": None
                    if token is None
                    else {
                        "name": token.name,
                        "prefix": token.prefix,
                        "read_only": token.read_only,
                        "expires_at": token.expires_at.isoformat(),
                    },
                }
            ).data
        )

    needs_model_perms = False  # every signed-in user may ask who they are


class CurrentTokenView(APIView):
    """The token of this request: revoke it (a mobile app's "sign out")."""

    schema_tags = ["me"]
    needs_model_perms = False
    read_only_token_may = True  # a read-only token may still end itself

    @extend_schema(
        summary=_("Revoke the token in use"),
        description=_("Ends the token this request carries (sign out); the next request with it is a 401."),
        request=None,
        responses={204: None},
    )
    def delete(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is None:
            raise exceptions.ValidationError({NON_FIELD: [gettext("This request carries no API token.")]})
        services.api_token_revoke(token=token, by=request.user)
        return Response(status=204)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar; its start-up script is a second
    request (no inline script), its page CSS a static file (no inline style)."""

    template_name = "api/swagger_ui.html"
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


def _json_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


def not_found(request, exception=None):
    """Django's 404 for a URL no route matches: JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return _json_error("not_found", gettext("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """A bug of ours (logged, with its traceback): JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return _json_error("server_error", gettext("Something went wrong on our side; it has been logged."), 500)
    return defaults.server_error(request)
