"""The second factor's secret at rest (ADR 0018): encrypted, decrypted only to compute a code."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django_otp import match_token
from django_otp.oath import TOTP

from casustafel.accounts.models import AuthenticatorDevice
from casustafel.accounts.services import ensure_totp_device
from casustafel.core import identity

from .factories import UserFactory

pytestmark = pytest.mark.django_db

KNOWN_SECRET = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


def _stored_row(device) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_authenticatordevice WHERE id = %s", [device.pk])
        return dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))


def test_the_totp_secret_is_not_stored_in_plain_text():
    user = UserFactory()
    AuthenticatorDevice.objects.filter(user=user).delete()
    device = ensure_totp_device(user, key_hex=KNOWN_SECRET)
    row = _stored_row(device)
    assert "key" not in row
    assert not any(KNOWN_SECRET in str(value) for value in row.values())
    assert row["key_encrypted"].startswith("gAAAAA")  # a Fernet token
    assert identity.decrypt(row["key_encrypted"]) == KNOWN_SECRET
    # The app computes the same codes as an authenticator app holding the secret.
    assert device.totp().token() == TOTP(bytes.fromhex(KNOWN_SECRET)).token()


def test_a_generated_secret_is_encrypted_and_random():
    first, second = UserFactory(), UserFactory()
    keys = [AuthenticatorDevice.objects.get(user=u) for u in (first, second)]
    assert all(identity.decrypts_with_primary(d.key_encrypted) for d in keys)
    assert len(keys[0].bin_key) == 20 and keys[0].bin_key != keys[1].bin_key


def test_a_secret_that_is_not_hex_is_refused():
    with pytest.raises(ValueError):
        ensure_totp_device(UserFactory(), key_hex="geen-hex")


def test_a_code_is_accepted_once_and_a_wrong_code_is_throttled():
    user = UserFactory()
    device = AuthenticatorDevice.objects.get(user=user)
    code = f"{device.totp().token():06d}"
    assert match_token(user, code) == device
    assert match_token(user, code) is None  # replay of the same code
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Within the back-off even the right code of the next step is refused.
    following = f"{TOTP(device.bin_key, drift=device.drift + 1).token():06d}"
    assert not device.verify_token(following)


def test_migration_encrypts_the_plain_secrets_of_the_totp_plugin_and_drops_its_table():
    """An installation from before ADR 0018 has django-otp's table with plain hex secrets."""
    user = UserFactory()
    AuthenticatorDevice.objects.filter(user=user).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id serial PRIMARY KEY, user_id bigint NOT NULL, name varchar(64), "
            "confirmed boolean, key varchar(80), step smallint, t0 bigint, digits smallint, tolerance smallint, "
            "drift smallint, last_t bigint, throttling_failure_count integer, created_at timestamptz)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice (user_id, name, confirmed, key, step, t0, digits, tolerance, drift, "
            "last_t, throttling_failure_count) VALUES (%s, 'authenticator', true, %s, 30, 0, 6, 1, -1, 1234, 0)",
            [user.pk, KNOWN_SECRET],
        )
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('otp_totp', '0001_initial', now())")
    migration = importlib.import_module("casustafel.accounts.migrations.0002_authenticator_device")
    with connection.schema_editor() as editor:
        migration.encrypt_legacy_secrets(apps, editor)
    device = AuthenticatorDevice.objects.get(user=user)
    assert device.key_encrypted != KNOWN_SECRET and device.bin_key == bytes.fromhex(KNOWN_SECRET)
    assert (device.drift, device.last_t, device.confirmed) == (-1, 1234, True)
    assert "otp_totp_totpdevice" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'otp_totp'")
        assert cursor.fetchone()[0] == 0
