"""Key rotation: every encrypted value readable before, during and after; refusals."""

import pytest
from cryptography.fernet import Fernet
from django_otp import match_token

from casustafel.accounts.models import AuthenticatorDevice
from casustafel.cli import main
from casustafel.core import identity
from casustafel.flow.services import register_signal
from casustafel.subjects.keys import KeyError_, check, rotate
from casustafel.subjects.models import Subject

from .factories import signal_fields, subject_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyring(settings):
    def use(keys):
        settings.CASUSTAFEL_ENCRYPTION_KEYS = keys
        identity._fernet.cache_clear()

    yield use
    identity._fernet.cache_clear()


#: The webhook signing secrets (partners, ADR 0045) rotate too; tests/test_partner_webhooks.py has rows.
NO_WEBHOOKS = {"partners_webhooksubscription": 0}


def _people(region_a, n=3):
    intake = region_a.users["intake"]
    bsns = ["111222333", "123456782", "999999990"][:n]
    for i, bsn in enumerate(bsns):
        register_signal(intake, subject=subject_data(bsn=bsn, family_name=f"Sleutel{i}"), fields=signal_fields())
    return bsns


def test_rotation_keeps_every_row_readable(region_a, keyring, settings):
    # The key the region's accounts got their second factor under is the old one.
    old, new = settings.CASUSTAFEL_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    keyring([old])
    bsns = _people(region_a)
    devices = AuthenticatorDevice.objects.count()
    before = {s.pk: s.bsn_encrypted for s in Subject.objects.all()}
    keyring([new, old])
    assert check() == {"subjects_subject": 3, "accounts_authenticatordevice": devices, **NO_WEBHOOKS}
    results = rotate(identity.key_fingerprint(new))
    assert {r.table: r.rotated for r in results} == {
        "subjects_subject": 3,
        "accounts_authenticatordevice": devices,
        **NO_WEBHOOKS,
    }
    assert check() == {"subjects_subject": 0, "accounts_authenticatordevice": 0, **NO_WEBHOOKS}
    after = {s.pk: s.bsn_encrypted for s in Subject.objects.all()}
    assert all(before[pk] != after[pk] for pk in before)
    keyring([new])  # the old key can now be removed
    assert sorted(s.bsn for s in Subject.objects.all()) == sorted(bsns)


def test_rotation_re_encrypts_the_second_factor_and_login_keeps_working(region_a, keyring, settings):
    """ADR 0018: the TOTP secrets rotate with the other encrypted values; the secret itself stays."""
    user = region_a.users["intake"]
    device = AuthenticatorDevice.objects.get(user=user)
    secret, stored = device.bin_key, device.key_encrypted
    old, new = settings.CASUSTAFEL_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    keyring([new, old])
    assert AuthenticatorDevice.objects.get(pk=device.pk).bin_key == secret  # the old key still decrypts
    rotate(identity.key_fingerprint(new))
    device.refresh_from_db()
    assert device.key_encrypted != stored and identity.decrypts_with_primary(device.key_encrypted)
    keyring([new])  # the old key removed: the authenticator app needs no new enrolment
    assert device.bin_key == secret
    assert match_token(user, f"{device.totp().token():06d}") == device


def test_rotating_to_a_missing_key_changes_nothing(region_a, keyring):
    old = Fernet.generate_key().decode()
    keyring([old])
    _people(region_a, 1)
    before = list(Subject.objects.values_list("bsn_encrypted", flat=True))
    with pytest.raises(KeyError_, match="niet geconfigureerd"):
        rotate(identity.key_fingerprint(Fernet.generate_key().decode()))
    assert list(Subject.objects.values_list("bsn_encrypted", flat=True)) == before


def test_rotating_to_a_key_that_is_not_first_is_refused(region_a, keyring):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keyring([new, old])
    with pytest.raises(KeyError_, match="niet vooraan"):
        rotate(identity.key_fingerprint(old))


def test_cli_rotate_and_check(region_a, keyring, capsys, settings):
    old, new = settings.CASUSTAFEL_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    keyring([old])
    _people(region_a, 2)
    keyring([new, old])
    assert main(["keys", "check"]) == 1
    assert main(["keys", "rotate", "--to", "000000000000"]) == 2
    assert "niet geconfigureerd" in capsys.readouterr().err
    assert main(["keys", "rotate", "--to", identity.key_fingerprint(new)]) == 0
    out = capsys.readouterr().out
    assert "subjects_subject: 2 waarden opnieuw versleuteld" in out
    assert f"accounts_authenticatordevice: {AuthenticatorDevice.objects.count()} waarden opnieuw versleuteld" in out
    assert main(["keys", "check"]) == 0
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert identity.key_fingerprint(new) in listed and new not in listed and old not in listed
