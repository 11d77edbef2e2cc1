"""Writes of the public meldpunt (Wet PGA art. 5 lid 2, ADR 0044).

A melding from the public is stored as it was typed, addressed to the burgemeester of the
chosen gemeente, in the region's intake queue; the reporter gets a reference and a secret
code shown once (only its scrypt hash is kept), with which they can add information later.
Nothing here looks the person up: the answer to the public is the same whoever the melding
is about, because nothing about the person is asked of the database.

The public has no account: the meldpunt acts as its system account (``SYSTEM_USERNAME``,
created by migration, unable to log in), which is who the processing log names.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from casustafel.access import policy, rls
from casustafel.core.concurrency import StaleVersion
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.signals.models import Addressee, ReporterKind, Signal

from .models import (
    REPORTER_KIND_OF_RELATION,
    SYSTEM_USERNAME,
    GemeenteMeldpunt,
    PublicReport,
    Relation,
    ReportAddition,
    ReportStatus,
    SubmissionCounter,
)

if TYPE_CHECKING:
    from casustafel.accounts.models import Organisation, Region, User

#: scrypt cost: the code is 100 random bits, so guessing it is hopeless whatever the cost; the
#: hash only makes a copy of the table useless. Kept cheap enough for a burst of submissions.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**12, 8, 1
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 5
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 letters, no 0/O, 1/I: easy to copy


_system_actor: dict[str, User] = {}


def system_actor() -> User:
    """The meldpunt's own account (created by migration 0002; inactive, no password). Looked up
    once per process: it never changes, and the public pages need it on every post."""
    actor = _system_actor.get(connection.settings_dict["NAME"])
    if actor is None:
        actor = _system_actor[connection.settings_dict["NAME"]] = get_user_model().objects.get(username=SYSTEM_USERNAME)
    return actor


def new_code() -> str:
    """A secret code of 20 characters from a 32-letter alphabet (100 bits), in groups of five."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


def _normalise(code: str) -> bytes:
    return "".join(ch for ch in code.upper() if ch.isalnum()).encode()


def code_hash(code: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(_normalise(code), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def code_matches(code: str, stored: str) -> bool:
    try:
        _name, n, r, p, salt, expected = stored.split("$")
        digest = hashlib.scrypt(
            _normalise(code), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        ).hex()
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


#: Compared against when the reference does not exist, so that a wrong reference costs the same
#: time as a wrong code (the answer is the same neutral message either way).
_DUMMY_HASH = code_hash("AAAAA-AAAAA-AAAAA-AAAAA", salt=b"\0" * 16)


@dataclass(frozen=True)
class ReportData:
    organisation: Organisation
    relation: str
    what: str
    anonymous: bool
    reporter_name: str = ""
    reporter_contact: str = ""
    about_name: str = ""
    about_age: str = ""
    about_place: str = ""
    about_other: str = ""


def submit_report(actor: User, *, data: ReportData) -> tuple[PublicReport, str]:
    """Store a melding of art. 5 lid 2 for the burgemeester of ``data.organisation`` (a gemeente);
    return it with the secret code, which is not stored and cannot be shown again."""
    organisation = data.organisation
    code = new_code()
    kind = ReporterKind.ANONYMOUS if data.anonymous else REPORTER_KIND_OF_RELATION[Relation(data.relation)]
    with transaction.atomic(), rls.regions(organisation.region_id):
        report = PublicReport.objects.create(
            region_id=organisation.region_id,
            organisation=organisation,
            addressed_to=Addressee.MAYOR,
            relation=data.relation,
            reporter_kind=kind,
            reporter_name="" if data.anonymous else data.reporter_name,
            reporter_contact="" if data.anonymous else data.reporter_contact,
            what=data.what,
            about_name=data.about_name,
            about_age=data.about_age,
            about_place=data.about_place,
            about_other=data.about_other,
            code_hash=code_hash(code),
        )
        record(actor, action=Action.CREATE, purpose=Purpose.INTAKE, objects=[report])
    return report, code


def add_information(actor: User, *, region: Region, reference: str, code: str, text: str) -> bool:
    """Append ``text`` to the region's melding ``reference`` when ``code`` is its secret code.

    Whether the reference exists or the code was wrong is not told apart (``False`` for both,
    at the same cost); nothing is stored then.
    """
    with transaction.atomic(), rls.regions(region.pk):
        report = (
            PublicReport.objects.select_for_update()
            .filter(region=region, reference=reference.strip().upper())
            .only("pk", "code_hash", "region_id")
            .first()
        )
        if not code_matches(code, report.code_hash if report else _DUMMY_HASH) or report is None:
            return False
        addition = ReportAddition.objects.create(report=report, text=text)
        record(actor, action=Action.UPDATE, purpose=Purpose.INTAKE, objects=[report, addition])
    return True


def mark_handled(actor: User, *, report: PublicReport, signal: Signal | None = None) -> PublicReport:
    """The intake officer has taken the melding in: registered ``signal`` from it, or decided not to."""
    with transaction.atomic():
        report = PublicReport.objects.select_for_update().get(pk=report.pk)
        policy.require(actor, policy.Action.MELDPUNT_REPORT_VIEW, report)
        report.status = ReportStatus.HANDLED
        report.signal = signal or report.signal
        report.save(update_fields=["status", "signal"])
        record(actor, action=Action.TRANSITION, purpose=Purpose.INTAKE, objects=[report])
    return report


def save_gemeente_page(
    actor: User,
    *,
    organisation: Organisation,
    code: str,
    intro_text: str,
    contact_details: str,
    expected_version: int | None = None,
) -> GemeenteMeldpunt:
    """Set a gemeente's meldpunt page (web address code, intro text, contact details); refused
    when it changed since ``expected_version`` was read (0: there was no page yet; ADR 0052)."""
    policy.require(actor, policy.Action.MELDPUNT_MANAGE, organisation)
    with transaction.atomic():
        page, created = GemeenteMeldpunt.objects.select_for_update().get_or_create(
            organisation=organisation, defaults={"region_id": organisation.region_id, "code": code}
        )
        if expected_version is not None and (0 if created else page.version) != expected_version:
            raise StaleVersion(page, expected_version)
        page.code, page.intro_text, page.contact_details = code, intro_text, contact_details
        page.save()
    return page


# ---------------------------------------------------------------- rate limit


def _window_start(now: datetime) -> datetime:
    seconds = max(int(settings.MELDPUNT_RATE_WINDOW_SECONDS), 1)
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def address_key(address: str, window_start: datetime) -> str:
    """A keyed hash of the address and the window: no address is stored, and two windows of
    one address cannot be linked."""
    return salted_hmac(
        "casustafel.meldpunt.rate", f"{address}|{window_start.isoformat()}", algorithm="sha256"
    ).hexdigest()


def count_submission(actor: User, *, address: str) -> bool:
    """Count a post from ``address``; whether it is within the limit (PostgreSQL does the counting,
    so every worker process shares it)."""
    now = timezone.now()
    start = _window_start(now)
    table = SubmissionCounter._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "  # the model's own table name
            f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [address_key(address, start), start],
        )
        (count,) = cursor.fetchone()
        if secrets.randbelow(100) == 0:  # now and then, forget the windows that have passed
            SubmissionCounter.objects.filter(
                window_start__lt=start - timedelta(seconds=settings.MELDPUNT_RATE_WINDOW_SECONDS)
            ).delete()
    return count <= settings.MELDPUNT_RATE_LIMIT
