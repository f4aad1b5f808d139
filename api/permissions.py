"""Who may do what: exactly the admin's role rules.

Each view names the Django model permissions an action needs (the same
permissions the role groups get from the apps' ``*_roles`` migrations and the
admin checks); row-level access comes from the apps' selectors in each view's
``get_queryset``, so a row the caller may not see is a 404, never a 403.
A read-only token may only read.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from accounts import roles
from api.models import ApiToken


class ReadOnlyToken(exceptions.PermissionDenied):
    default_detail = _("This token is read-only.")
    default_code = "read_only_token"


class ManagersOnly(exceptions.PermissionDenied):
    default_detail = _("Only managers may do this.")
    default_code = "managers_only"


def _default_perms(view, method: str) -> tuple[str, ...]:
    queryset = getattr(view, "queryset", None)
    model = (queryset if queryset is not None else view.get_queryset()).model
    action = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change", "PATCH": "change"}
    verb = action.get(method, "delete")
    return (f"{model._meta.app_label}.{verb}_{model._meta.model_name}",)


class StaffApiAccess(permissions.BasePermission):
    """Signed in (token or session), an active user, a writable token for writes,
    and the model permissions the view's action needs.

    A view sets ``required_perms = {action: ("app.codename", ...)}`` for its
    actions (the default is view/add/change/delete of its model by method) and
    ``managers_only_actions`` for what only managers may do (assigning leads).
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            raise exceptions.NotAuthenticated()
        if not hasattr(view, request.method.lower()):
            return True  # not offered here: the view answers 405 for every role alike
        if (
            isinstance(request.auth, ApiToken)
            and request.auth.read_only
            and request.method not in permissions.SAFE_METHODS
            and not getattr(view, "read_only_token_may", False)
        ):
            raise ReadOnlyToken()
        action = getattr(view, "action", None)
        if action in getattr(view, "managers_only_actions", ()) and not roles.is_manager(user):
            raise ManagersOnly()
        if getattr(view, "managers_only", False) and not roles.is_manager(user):
            raise ManagersOnly()
        if not getattr(view, "needs_model_perms", True):
            return True
        required = getattr(view, "required_perms", {}).get(action)
        if required is None:
            required = _default_perms(view, request.method)
        return user.has_perms(required)
