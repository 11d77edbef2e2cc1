"""Partner clients (credentials, rotation, revocation) and their idempotent aanmeldingen (ADR 0045).

Credentials: ``client_id`` plus a random secret of 256 bits, sent as HTTP Basic
(``Authorization: Basic base64(client_id:secret)``, the client-password method of RFC 6749
§2.3.1). Only the SHA-256 digest of a secret is stored; a secret of that entropy needs no slow
hash. Creating, rotating and revoking are administration (``casustafel partner …``, as the
schema owner): the application role only reads these tables.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import rls
from casustafel.accounts.models import PARTICIPANT_KINDS, OrganisationKind, Role, User
from casustafel.core.errors import RequestConflict
from casustafel.core.tracing import current_trace_id
from casustafel.flow import services as flow
from casustafel.subjects.services import SubjectData

from .models import ClientSecret, IdempotencyRecord, PartnerClient, PartnerRegistration, Scope

if TYPE_CHECKING:
    from casustafel.accounts.models import Organisation

#: A rotated-out secret stays valid this long, so a partner can switch without downtime.
DEFAULT_ROTATION_GRACE = timedelta(hours=24)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def idempotency_period() -> timedelta:
    """How long an Idempotency-Key is remembered (``CASUSTAFEL_IDEMPOTENCY_HOURS``, default 24)."""
    return timedelta(hours=getattr(settings, "CASUSTAFEL_IDEMPOTENCY_HOURS", 24))


@dataclass
class IssuedClient:
    client: PartnerClient
    secret: str


def _new_secret(client: PartnerClient) -> str:
    secret = secrets.token_urlsafe(32)
    ClientSecret.objects.create(client=client, digest=digest(secret))
    return secret


@transaction.atomic
def create_client(*, organisation: Organisation, name: str, scopes: list[str]) -> IssuedClient:
    """A new partner client of ``organisation``, with a service account it acts as.

    Only a participant may register a case (Wet PGA art. 5 lid 1): the aanmelding scope is refused
    for an organisation that takes part only as a third party (art. 3 lid 3)."""
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise ValidationError({"scopes": _("Kies een of meer van: %(scopes)s.") % {"scopes": ", ".join(Scope.values)}})
    if Scope.REGISTER in scopes and organisation.kind not in PARTICIPANT_KINDS:
        raise ValidationError(
            {"scopes": _("Alleen een deelnemer kan een casus aanmelden (art. 5 lid 1 Wet PGA); deze organisatie niet.")}
        )
    if not name.strip():
        raise ValidationError({"name": _("Geef het partnersysteem een naam.")})
    client_id = "pc_" + secrets.token_hex(12)
    user = User(
        username=f"partner-{client_id}",
        organisation=organisation,
        role=Role.INTAKE_OFFICER,
        first_name=_("Partnersysteem"),
        last_name=name.strip()[:150],
        # The system's duty of secrecy is its organisation's (art. 17): no person acknowledges it here.
        has_other_secrecy_duty=True,
    )
    user.set_unusable_password()
    user.save()
    client = PartnerClient.objects.create(
        client_id=client_id, organisation=organisation, name=name.strip(), scopes=sorted(set(scopes)), service_user=user
    )
    return IssuedClient(client, _new_secret(client))


@transaction.atomic
def rotate_secret(*, client: PartnerClient, grace: timedelta = DEFAULT_ROTATION_GRACE) -> str:
    """A new secret; the current ones stay valid for ``grace`` (two are valid while switching)."""
    client = PartnerClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError(_("Dit partnersysteem is ingetrokken; maak een nieuw aan."))
    now = timezone.now()
    ClientSecret.objects.filter(client=client).filter(expires_at__isnull=True).update(expires_at=now + grace)
    ClientSecret.objects.filter(client=client, expires_at__gt=now + grace).update(expires_at=now + grace)
    return _new_secret(client)


@transaction.atomic
def revoke_client(*, client: PartnerClient) -> PartnerClient:
    """Revoke at once: every secret stops working, the service account is deactivated."""
    client = PartnerClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        User.objects.filter(pk=client.service_user_id).update(is_active=False)
    return client


def authenticate(client_id: str, secret: str) -> PartnerClient | None:
    """The client these credentials belong to, if the secret is valid now (not expired).

    ``None`` for unknown or wrong credentials; a revoked client is returned as such (the caller
    refuses it with its own message)."""
    found = (
        PartnerClient.objects.select_related("organisation", "service_user__organisation")
        .filter(client_id=client_id)
        .first()
    )
    wanted = digest(secret)
    if found is None:
        hmac.compare_digest(wanted, "0" * 64)  # same work for an unknown id
        return None
    now = timezone.now()
    valid = [s.digest for s in found.secrets.all() if s.expires_at is None or s.expires_at > now]
    if not any(hmac.compare_digest(wanted, d) for d in valid):
        return None
    return found


# ----------------------------------------------------------------------- aanmeldingen


def fingerprint(data: Any) -> str:
    """The submitted body, canonically: the same JSON in another key order is the same submission."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_id(client: PartnerClient, key: str) -> int:
    raw = hashlib.sha256(f"partners.idempotency:{client.pk}:{key}".encode()).digest()[:8]
    return int(struct.unpack(">q", raw)[0])


def _claim(client: PartnerClient, key: str) -> None:
    """Hold the key for this transaction, or refuse at once (409) while another holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_id(client, key)])
        (claimed,) = cursor.fetchone()
    if not claimed:
        raise RequestConflict(
            _("Een indiening met deze Idempotency-Key wordt nog verwerkt. Probeer het zo opnieuw."), status=409
        )


@dataclass
class Submission:
    status_code: int
    response: dict
    replayed: bool


def registration_response(registration: PartnerRegistration) -> dict:
    """What a partner gets back: identifiers and states only, never personal data."""
    signal = registration.signal
    return {
        "id": str(signal.pk),
        "reference": signal.reference,
        "status": signal.status,
        "registered_at": signal.registered_at.isoformat(),
        "trace_id": registration.trace_id,
        "wgs_registration": registration.wgs_registration,
    }


@transaction.atomic
def submit_registration(
    *,
    client: PartnerClient,
    key: str,
    body_fingerprint: str,
    subject: SubjectData,
    fields: dict,
    traceparent: str = "",
    now: datetime | None = None,
) -> Submission:
    """Register an aanmelding (art. 5 lid 1) for ``client``'s organisation, once per key.

    The same key and body returns the stored answer; the same key with another body is refused
    (422); while the first submission with the key is still being processed, 409. A key older
    than :func:`idempotency_period` is forgotten and may be used again."""
    now = now or timezone.now()
    _claim(client, key)
    record = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if record is not None and record.created_at <= now - idempotency_period():
        record.delete()
        record = None
    if record is not None:
        if record.fingerprint != body_fingerprint:
            raise RequestConflict(
                _("Deze Idempotency-Key is al gebruikt voor een andere indiening. Gebruik een nieuwe sleutel."),
                status=422,
            )
        return Submission(record.status_code, record.response, replayed=True)
    actor = client.service_user
    fields = {**fields, "intake_route": "referral"}
    registration = flow.register_signal(actor, subject=subject, fields=fields)
    signal = registration.signal
    partner = PartnerRegistration.objects.create(
        signal=signal,
        client=client,
        traceparent=traceparent[:55],
        trace_id=current_trace_id(),
        wgs_registration=client.organisation.kind == OrganisationKind.ZVH,
    )
    if partner.wgs_registration and signal.weighing_id is not None:
        # Acute, or joining a running weighing: the weighing takes it on at once.
        partner.wgs_rules_end_at = timezone.now()
        partner.save(update_fields=["wgs_rules_end_at"])
    response = registration_response(partner)
    IdempotencyRecord.objects.create(
        client=client,
        region=signal.region,
        key=key,
        fingerprint=body_fingerprint,
        status_code=201,
        response=response,
        created_at=now,
    )
    return Submission(201, response, replayed=False)


def weighing_took_on(signal_id) -> None:
    """The weighing took the signal on: for a registration of a Zorg- en Veiligheidshuis, the
    rules of the Wgs stop applying from now (the moment is set once)."""
    PartnerRegistration.objects.filter(signal_id=signal_id, wgs_registration=True, wgs_rules_end_at=None).update(
        wgs_rules_end_at=timezone.now()
    )


def purge_idempotency(*, now: datetime | None = None) -> int:
    """Forget keys older than the idempotency period (run by the worker)."""
    now = now or timezone.now()
    with rls.all_regions():
        deleted, _rows = IdempotencyRecord.objects.filter(created_at__lte=now - idempotency_period()).delete()
    return deleted
