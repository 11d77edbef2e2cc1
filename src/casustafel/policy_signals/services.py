"""Writes of policy signals: raising one (refused when its text holds personal data of the
persons it was raised about) and the region's handling of it to a response.

A policy signal holds no personal data of a person in a PGA (ADR 0043): the case or
conference it is raised from is used only to check the text and is not stored, so
raising or handling one is not a processing of personal data and writes no processing-log
row; reading the case or conference page that offers the form is logged as always."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import User

from . import categories
from .models import DESCRIPTION_LIMIT, RESPONSE_LIMIT, Origin, PolicySignal, State
from .states import POLICY_SIGNAL_MACHINE

#: Nine digits, possibly grouped by dots, spaces or dashes (3-3-3 or 4-2-3, as BSNs are written).
_BSN_LIKE = re.compile(r"(?<![\d.])(?:\d{9}|\d{3}[ .-]\d{3}[ .-]\d{3}|\d{4}[ .-]\d{2}[ .-]\d{3})(?![\d])")
_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
#: A full calendar date, numeric (12-04-1999, 12/4/1999, 1999-04-12) or written (12 april 1999).
_DATE = re.compile(
    r"\b(?:(?P<d>\d{1,2})[-/. ](?P<m>\d{1,2})[-/. ](?P<y>\d{4})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"
    r"|(?P<d3>\d{1,2}) (?P<month>" + "|".join(_MONTHS) + r") (?P<y3>\d{4}))\b",
    re.IGNORECASE,
)
#: A date in the text whose year lies this many years or more in the past reads as a date of birth.
_BIRTH_YEARS_AGO = 10


def _dates_in(text: str) -> Iterable[date]:
    for match in _DATE.finditer(text):
        try:
            if match.group("y"):
                yield date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
            elif match.group("y2"):
                yield date(int(match.group("y2")), int(match.group("m2")), int(match.group("d2")))
            else:
                month = _MONTHS.index(match.group("month").lower()) + 1
                yield date(int(match.group("y3")), month, int(match.group("d3")))
        except ValueError:
            continue


def _name_parts(subject) -> set[str]:
    """The names of a natural person (each given name, the family name and its last word;
    parts of three letters or more: "de", "van" are not names on their own)."""
    parts: set[str] = set()
    for raw in (subject.given_names or "", subject.family_name or ""):
        parts.update(word for word in re.split(r"[\s-]+", raw.strip()) if len(word) >= 3)
        if len(raw.strip()) >= 3:
            parts.add(raw.strip())
    return parts


def personal_data_errors(text: str, subjects: Iterable) -> list[str]:
    """Why ``text`` may not be a policy signal: names or dates of birth of ``subjects``, a
    BSN-like number, or a date that reads as a date of birth. Dutch messages, without
    repeating what was found (the message may end up on screen next to others)."""
    errors = []
    subjects = list(subjects)
    lowered = text.casefold()
    for subject in subjects:
        if any(re.search(rf"(?<!\w){re.escape(part.casefold())}(?!\w)", lowered) for part in _name_parts(subject)):
            errors.append(_("De omschrijving noemt de naam van een betrokkene. Beschrijf het knelpunt zonder namen."))
            break
    if _BSN_LIKE.search(text):
        errors.append(_("De omschrijving bevat een nummer van negen cijfers (zoals een BSN). Laat het weg."))
    births = {s.date_of_birth for s in subjects if s.date_of_birth}
    limit = timezone.localdate().year - _BIRTH_YEARS_AGO
    if any(day in births or day.year <= limit for day in _dates_in(text)):
        errors.append(_("De omschrijving bevat een datum die een geboortedatum kan zijn. Laat persoonsgegevens weg."))
    return errors


def _subjects_of_meeting(actor: User, meeting) -> list:
    """The persons of the agenda items ``actor`` may see (need-to-know): the check is no oracle
    for the names of persons whose items the actor's organisation does not see."""
    items = policy.scope_agenda_items(actor, meeting.items.select_related("case__subject"))
    return [item.case.subject for item in items]


@transaction.atomic
def raise_signal(actor: User, *, category: str, description: str, case=None, meeting=None) -> PolicySignal:
    """Raise a policy signal from ``case`` or ``meeting`` (one of them; the caller read it
    through its selector). The description may not hold the persons' names, a BSN-like
    number or a date of birth; the case or meeting is not stored (ADR 0043)."""
    policy.require(actor, policy.Action.POLICY_SIGNAL_RAISE)
    organisation = policy.organisation_of(actor)
    if (case is None) == (meeting is None):
        raise ValueError("A policy signal is raised from exactly one case or meeting.")
    context = case if case is not None else meeting
    if context.region_id != organisation.region_id:
        raise ValueError("A policy signal is raised in the actor's own region.")
    if case is not None:
        # Participants of art. 3 lid 1 of the case; third parties raise theirs from a conference.
        policy.require(actor, policy.Action.CASE_PARTICIPANT_VIEW, case)
    subjects = [case.subject] if case is not None else _subjects_of_meeting(actor, meeting)
    category_set = categories.current()
    errors: dict[str, list[str]] = {}
    if category not in dict(category_set.categories):
        errors["category"] = [_("Kies een categorie.")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Beschrijf het knelpunt.")]
    elif len(description) > DESCRIPTION_LIMIT:
        errors["description"] = [_("Maximaal %(n)s tekens.") % {"n": DESCRIPTION_LIMIT}]
    else:
        found = personal_data_errors(description, subjects)
        if found:
            errors["description"] = found
    if errors:
        raise ValidationError(errors)
    return PolicySignal.objects.create(
        region_id=organisation.region_id,
        organisation=organisation,
        raised_by=actor,
        origin=Origin.CASE if case is not None else Origin.MEETING,
        category=category,
        category_version=category_set.version,
        description=description,
    )


@transaction.atomic
def handle_signal(actor: User, *, signal: PolicySignal, target: str, response: str = "") -> PolicySignal:
    """The region's process director moves ``signal`` on: in behandeling, beantwoord (with the
    response text; who and when are recorded) or gesloten."""
    signal = PolicySignal.objects.select_for_update().get(pk=signal.pk)
    policy.require(actor, policy.Action.POLICY_SIGNAL_HANDLE, signal)
    POLICY_SIGNAL_MACHINE.check(signal.state, target, field="target")
    response = (response or "").strip()
    now = timezone.now()
    if target == State.ANSWERED:
        if not response:
            raise ValidationError({"response": _("Schrijf het antwoord op het beleidssignaal.")})
        if len(response) > RESPONSE_LIMIT:
            raise ValidationError({"response": _("Maximaal %(n)s tekens.") % {"n": RESPONSE_LIMIT}})
        if personal_data_errors(response, []):
            raise ValidationError({"response": personal_data_errors(response, [])})
        signal.response, signal.responded_by, signal.responded_at = response, actor, now
    signal.state, signal.state_changed_at = target, now
    signal.save(update_fields=["state", "state_changed_at", "response", "responded_by", "responded_at"])
    return signal
