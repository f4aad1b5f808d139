"""API test helpers: tokens made through api.services, and clients that send them."""

from rest_framework.test import APIClient

from api.services import api_token_create


def token_for(user, **kwargs) -> str:
    kwargs.setdefault("name", "tests")
    return api_token_create(user=user, **kwargs).plaintext


def api_client(user=None, *, token: str | None = None, **token_kwargs) -> APIClient:
    """A client that sends ``Authorization: Bearer <token>`` (a new token of ``user``'s unless given)."""
    client = APIClient()
    if token is None and user is not None:
        token = token_for(user, **token_kwargs)
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client
