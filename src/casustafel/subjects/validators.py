"""Validation of a person's identifying data, shared by the web forms and the API."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.core.identity import is_valid_bsn

EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def validate_bsn(value: str) -> None:
    if value and not is_valid_bsn(value):
        raise ValidationError(
            _("Dit is geen geldig burgerservicenummer (9 cijfers die aan de elfproef voldoen)."), code="invalid_bsn"
        )


def validate_date_of_birth(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Een geboortedatum kan niet in de toekomst liggen."), code="future_date")
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(_("Deze geboortedatum is niet aannemelijk."), code="implausible_date")


def validate_not_future(value: date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("Deze datum kan niet in de toekomst liggen."), code="future_date")
