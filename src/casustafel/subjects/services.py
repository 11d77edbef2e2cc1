"""Finding or registering the person a signal is about (known-person check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from casustafel.core import identity

from .models import Subject


@dataclass(frozen=True)
class SubjectData:
    given_names: str
    family_name: str
    date_of_birth: date
    gender: str
    municipality: str
    bsn: str = ""


def find_known_subject(region, data: SubjectData, *, lock: bool = False) -> Subject | None:
    """The region's existing record of this person: same BSN, or same name + date of birth.

    A BSN match wins. A name + date-of-birth match with a *different* BSN is a different
    person and does not match. ``lock`` (inside the caller's transaction) locks the
    candidates, for a caller about to register or update the person.
    """
    name_dob = identity.identity_index(data.given_names, data.family_name, data.date_of_birth)
    condition = Q(identity_index=name_dob)
    if data.bsn:
        condition |= Q(bsn_index=identity.bsn_index(data.bsn))
    subjects = Subject.objects.select_for_update() if lock else Subject.objects
    candidates = list(subjects.filter(region=region).filter(condition))
    if data.bsn:
        by_bsn = [s for s in candidates if s.bsn_index == identity.bsn_index(data.bsn)]
        if by_bsn:
            return by_bsn[0]
        candidates = [s for s in candidates if not s.bsn_index]
    return candidates[0] if candidates else None


def get_or_register_subject(region, data: SubjectData) -> tuple[Subject, bool]:
    """Return ``(subject, known)``; must run inside the caller's transaction."""
    subject = find_known_subject(region, data, lock=True)
    if subject is not None:
        if data.bsn and not subject.bsn_index:
            subject.set_bsn(data.bsn)
            subject.save(update_fields=["bsn_encrypted", "bsn_index"])
        return subject, True
    subject = Subject(
        region=region,
        given_names=data.given_names.strip(),
        family_name=data.family_name.strip(),
        date_of_birth=data.date_of_birth,
        gender=data.gender,
        municipality=data.municipality.strip(),
    )
    subject.set_bsn(data.bsn)
    subject.refresh_identity_index()
    subject.save()
    return subject, False
