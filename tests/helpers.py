"""Test helpers shared by the web, API and browser tests."""

from django_otp import DEVICE_ID_SESSION_KEY

from casustafel.accounts.models import AuthenticatorDevice


def login(client, user):
    """Log ``user`` in on the Django test client, second factor verified."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = AuthenticatorDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def api_client(user=None):
    """An APIClient authenticated with ``user``'s personal token (``None``: anonymous)."""
    from rest_framework.test import APIClient

    from casustafel.accounts.services import create_api_token

    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token(user)}")
    return client
