"""The BSN: elfproef, encrypted storage, keyed blind index, key rotation."""

import hashlib

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ValidationError
from django.db import connection

from casustafel.core import identity
from casustafel.flow.services import register_signal
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.subjects.models import Subject
from casustafel.subjects.services import find_known_subject
from casustafel.subjects.validators import validate_bsn

from .factories import signal_fields, subject_data

BSN = "111222333"


@pytest.fixture
def fresh_fernet():
    identity._fernet.cache_clear()
    yield
    identity._fernet.cache_clear()


# ------------------------------------------------------------------ elfproef


@pytest.mark.parametrize("value", ["111222333", "123456782", "999999990", "100000009"])
def test_valid_bsn(value):
    assert identity.is_valid_bsn(value)
    validate_bsn(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("123456781", id="wrong-checksum"),
        pytest.param("111222334", id="wrong-checksum-2"),
        pytest.param("12345678", id="8-digits"),
        pytest.param("1234567820", id="10-digits"),
        pytest.param("12345678a", id="letter"),
        pytest.param("1234 5678", id="space"),
        pytest.param("000000000", id="all-zero"),
        pytest.param("", id="empty"),
        pytest.param("١١١٢٢٢٣٣٣", id="arabic-indic-digits"),
        pytest.param("11122233²", id="superscript-digit"),
    ],
)
def test_invalid_bsn(value):
    assert not identity.is_valid_bsn(value)


def test_validator_message_is_dutch():
    with pytest.raises(ValidationError) as exc:
        validate_bsn("123456781")
    assert exc.value.code == "invalid_bsn"
    assert "elfproef" in exc.value.messages[0]
    validate_bsn("")  # the BSN is optional


# ------------------------------------------------------------------ encrypted storage


@pytest.mark.django_db
def test_bsn_is_never_stored_in_the_clear(region_a):
    reg = register_signal(region_a.users["intake"], subject=subject_data(bsn=BSN), fields=signal_fields())
    subject = Subject.objects.get(pk=reg.signal.subject_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM subjects_subject t")
        rows = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT t::text FROM processing_log_processinglogentry t")
        log_rows = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT t::text FROM signals_signal t")
        signal_rows = [r[0] for r in cursor.fetchall()]
    assert len(rows) == 1 and subject.given_names in rows[0]  # the query does see the row
    assert all(BSN not in row for row in rows + log_rows + signal_rows)
    assert subject.bsn_encrypted and BSN not in subject.bsn_encrypted
    assert subject.bsn == BSN
    assert subject.masked_bsn == "*****2333"
    assert ProcessingLogEntry.objects.filter(data_subject_id=subject.pk).exists()


def test_encrypt_decrypt_round_trip_and_is_randomised(fresh_fernet):
    first, second = identity.encrypt(BSN), identity.encrypt(BSN)
    assert first != second  # Fernet uses a fresh IV: equal BSNs give unequal ciphertexts
    assert BSN not in first
    assert identity.decrypt(first) == BSN == identity.decrypt(second)


def test_blind_index_is_keyed_and_separated_by_purpose(settings):
    index = identity.bsn_index(BSN)
    assert index == identity.bsn_index(BSN)  # deterministic: usable for equality search
    assert index != hashlib.sha256(BSN.encode()).hexdigest()
    assert index != identity.blind_index("name-dob", BSN)
    settings.CASUSTAFEL_BLIND_INDEX_KEY = "another-secret"
    assert identity.bsn_index(BSN) != index


def test_blind_index_key_is_not_the_encryption_key(settings):
    assert settings.CASUSTAFEL_BLIND_INDEX_KEY not in settings.CASUSTAFEL_ENCRYPTION_KEYS


@pytest.mark.django_db
def test_known_person_is_found_by_bsn_within_the_region_only(world):
    intake_a = world["a"].users["intake"]
    reg = register_signal(intake_a, subject=subject_data(bsn=BSN, family_name="Origineel"), fields=signal_fields())
    probe = subject_data(bsn=BSN, given_names="Anders", family_name="Gespeld")
    assert find_known_subject(world["a"].region, probe).pk == reg.signal.subject_id
    assert find_known_subject(world["b"].region, probe) is None
    assert find_known_subject(world["a"].region, subject_data(bsn="123456782", family_name="Gespeld")) is None


@pytest.mark.django_db
def test_subject_found_by_bsn_index_column(region_a):
    reg = register_signal(region_a.users["intake"], subject=subject_data(bsn=BSN), fields=signal_fields())
    assert Subject.objects.get(bsn_index=identity.bsn_index(BSN)).pk == reg.signal.subject_id


# ------------------------------------------------------------------ key rotation


def test_key_rotation_old_ciphertexts_stay_readable(settings, fresh_fernet):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CASUSTAFEL_ENCRYPTION_KEYS = [old_key]
    identity._fernet.cache_clear()
    under_old = identity.encrypt(BSN)

    settings.CASUSTAFEL_ENCRYPTION_KEYS = [new_key, old_key]
    identity._fernet.cache_clear()
    assert identity.decrypt(under_old) == BSN
    under_new = identity.encrypt(BSN)
    # New values are written under the newest key: the new key alone reads them.
    assert Fernet(new_key.encode()).decrypt(under_new.encode()).decode() == BSN
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(under_new.encode())

    settings.CASUSTAFEL_ENCRYPTION_KEYS = [new_key]
    identity._fernet.cache_clear()
    with pytest.raises(InvalidToken):
        identity.decrypt(under_old)  # once the old key is retired, its ciphertexts are unreadable


@pytest.mark.django_db
def test_stored_subject_survives_key_rotation(region_a, settings, fresh_fernet):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CASUSTAFEL_ENCRYPTION_KEYS = [old_key]
    identity._fernet.cache_clear()
    reg = register_signal(region_a.users["intake"], subject=subject_data(bsn=BSN), fields=signal_fields())

    settings.CASUSTAFEL_ENCRYPTION_KEYS = [new_key, old_key]
    identity._fernet.cache_clear()
    subject = Subject.objects.get(pk=reg.signal.subject_id)
    assert subject.bsn == BSN
    # The blind index does not depend on the encryption key, so the person is still found.
    assert find_known_subject(region_a.region, subject_data(bsn=BSN, family_name="X")).pk == subject.pk
