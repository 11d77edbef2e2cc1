"""Validation of a person's identifying data, shared by the web forms and the API."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.core.identity import is_valid_bsn, is_valid_kvk_number, is_valid_rsin

EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def validate_bsn(value: str) -> None:
    if value and not is_valid_bsn(value):
        raise ValidationError(
            _("Dit is geen geldig burgerservicenummer (9 cijfers die aan de elfproef voldoen)."), code="invalid_bsn"
        )


def validate_kvk_number(value: str) -> None:
    """Wet PGA art. 2, 5: a legal person is identified by its KvK number (8 digits)."""
    if value and not is_valid_kvk_number(value):
        raise ValidationError(_("Dit is geen geldig KvK-nummer (8 cijfers)."), code="invalid_kvk")


def validate_rsin(value: str) -> None:
    """Wet PGA art. 2, 5: the RSIN of a legal person passes the elfproef (9 digits), like the BSN."""
    if value and not is_valid_rsin(value):
        raise ValidationError(
            _("Dit is geen geldig RSIN (9 cijfers die aan de elfproef voldoen)."), code="invalid_rsin"
        )


def subject_kind_errors(data: dict) -> dict[str, str]:
    """The fields a subject of its kind must (not) have, as field → Dutch message.

    Shared by the intake form and the API, so both say the same (Wet PGA art. 2 lid 1:
    a natural person or a legal person).
    """
    errors: dict[str, str] = {}
    if data.get("kind") == "legal_person":
        if not (data.get("legal_name") or "").strip():
            errors["legal_name"] = _("Geef de naam van de organisatie.")
        if data.get("bsn"):
            errors["bsn"] = _("Een rechtspersoon heeft geen BSN; geef het KvK-nummer of RSIN.")
        if data.get("date_of_birth"):
            errors["date_of_birth"] = _("Een rechtspersoon heeft geen geboortedatum.")
    else:
        for field, message in (
            ("given_names", _("Geef de voornamen.")),
            ("family_name", _("Geef de achternaam.")),
            ("date_of_birth", _("Geef de geboortedatum.")),
            ("gender", _("Kies het geslacht.")),
        ):
            if not data.get(field) or (isinstance(data[field], str) and not data[field].strip()):
                errors[field] = message
        for field in ("legal_name", "kvk_number", "rsin", "establishment_place"):
            if (data.get(field) or "").strip():
                errors[field] = _("Alleen voor een rechtspersoon; kies ‘Rechtspersoon / organisatie’ of laat leeg.")
    return errors


def validate_date_of_birth(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Een geboortedatum kan niet in de toekomst liggen."), code="future_date")
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(_("Deze geboortedatum is niet aannemelijk."), code="implausible_date")


def validate_not_future(value: date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("Deze datum kan niet in de toekomst liggen."), code="future_date")
