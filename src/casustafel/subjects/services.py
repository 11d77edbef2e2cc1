"""Finding or registering the person a signal is about (known-person check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from casustafel.accounts.models import Organisation, OrganisationKind
from casustafel.core import identity

from .models import Subject, SubjectKind


@dataclass(frozen=True)
class SubjectData:
    given_names: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    municipality: str = ""
    bsn: str = ""
    kind: str = SubjectKind.NATURAL_PERSON
    legal_name: str = ""
    kvk_number: str = ""
    rsin: str = ""
    establishment_place: str = ""


def find_known_subject(region, data: SubjectData, *, lock: bool = False) -> Subject | None:
    """The region's existing record of this person or organisation (known-subject check).

    A natural person: same BSN, or same name + date of birth. A BSN match wins. A name +
    date-of-birth match with a *different* BSN is a different person and does not match.
    A legal person (Wet PGA art. 2): same KvK number or RSIN, or — when neither is
    given on either side — the same name and place of establishment; a name match with
    other numbers is another organisation. ``lock`` (inside the caller's transaction) locks
    the candidates, for a caller about to register or update the subject.
    """
    if data.kind == SubjectKind.LEGAL_PERSON:
        return _find_known_organisation(region, data, lock=lock)
    if data.date_of_birth is None:
        return None
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


def _find_known_organisation(region, data: SubjectData, *, lock: bool) -> Subject | None:
    kvk = identity.kvk_index(data.kvk_number) if data.kvk_number else ""
    rsin = identity.rsin_index(data.rsin) if data.rsin else ""
    name_place = identity.organisation_index(data.legal_name, data.establishment_place)
    condition = Q(identity_index=name_place)
    if kvk:
        condition |= Q(kvk_index=kvk)
    if rsin:
        condition |= Q(rsin_index=rsin)
    subjects = Subject.objects.select_for_update() if lock else Subject.objects
    candidates = list(subjects.filter(region=region, kind=SubjectKind.LEGAL_PERSON).filter(condition))
    by_number = [s for s in candidates if (kvk and s.kvk_index == kvk) or (rsin and s.rsin_index == rsin)]
    if by_number:
        return by_number[0]
    # Same name and place, but a number on both sides that differs: another organisation.
    by_name = [
        s
        for s in candidates
        if not (kvk and s.kvk_index and s.kvk_index != kvk) and not (rsin and s.rsin_index and s.rsin_index != rsin)
    ]
    return by_name[0] if by_name else None


def residence_organisation(region, municipality: str) -> Organisation | None:
    """The region's gemeente organisation for the gemeente van verblijf (Wet PGA art. 1), if any.

    Matched on the gemeente's name ("Lindeveld" or "Gemeente Lindeveld"); a gemeente
    outside the region has none here, and the subject keeps only the name.
    """
    name = municipality.strip()
    if not name:
        return None
    return (
        Organisation.objects.filter(region=region, kind=OrganisationKind.GEMEENTE)
        .filter(Q(name__iexact=name) | Q(name__iexact=f"Gemeente {name}"))
        .order_by("name")
        .first()
    )


def get_or_register_subject(region, data: SubjectData) -> tuple[Subject, bool]:
    """Return ``(subject, known)``; must run inside the caller's transaction."""
    subject = find_known_subject(region, data, lock=True)
    if subject is not None:
        if subject.is_legal_person:
            changed = []
            if data.kvk_number and not subject.kvk_index:
                subject.kvk_number, subject.kvk_index = data.kvk_number, identity.kvk_index(data.kvk_number)
                changed += ["kvk_number", "kvk_index"]
            if data.rsin and not subject.rsin_index:
                subject.rsin, subject.rsin_index = data.rsin, identity.rsin_index(data.rsin)
                changed += ["rsin", "rsin_index"]
            if changed:
                subject.save(update_fields=changed)
        elif data.bsn and not subject.bsn_index:
            subject.set_bsn(data.bsn)
            subject.save(update_fields=["bsn_encrypted", "bsn_index"])
        return subject, True
    legal = data.kind == SubjectKind.LEGAL_PERSON
    municipality = (data.municipality or data.establishment_place).strip()
    subject = Subject(
        region=region,
        kind=SubjectKind.LEGAL_PERSON if legal else SubjectKind.NATURAL_PERSON,
        given_names="" if legal else data.given_names.strip(),
        family_name="" if legal else data.family_name.strip(),
        date_of_birth=None if legal else data.date_of_birth,
        gender="" if legal else data.gender,
        municipality=municipality,
        municipality_organisation=residence_organisation(region, municipality),
        legal_name=data.legal_name.strip() if legal else "",
        establishment_place=data.establishment_place.strip() if legal else "",
    )
    if legal:
        subject.set_registry_numbers(kvk_number=data.kvk_number, rsin=data.rsin)
    else:
        subject.set_bsn(data.bsn)
    subject.refresh_identity_index()
    subject.save()
    return subject, False
